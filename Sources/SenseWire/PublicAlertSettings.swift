/// `cap:` and `alarms[].cap:` — public alerts in the OASIS Common Alerting Protocol 1.2
/// (docs/cap.md). The values are CAP's own words, so they are spelt as the standard spells them.
package struct PublicAlertSettings: Sendable, Hashable {
    package enum Status: String, Sendable, Hashable, CaseIterable { case actual = "Actual", exercise = "Exercise", test = "Test" }
    package enum Scope: String, Sendable, Hashable, CaseIterable { case `public` = "Public", restricted = "Restricted", `private` = "Private" }

    /// CAP `sender`: who issues the alerts, unique per issuing authority (e.g. an e-mail address).
    package var sender: String
    package var senderName: String?
    /// Messages go to `<topic>/<alarm>`; nil: `<root>/cap`.
    package var topic: String?
    package var status: Status = .actual
    package var scope: Scope = .public
    /// Required with `Restricted`: who may see them.
    package var restriction: String?
    /// Required with `Private`: the recipients.
    package var addresses: String?
    /// RFC 3066 language of the texts.
    package var language = "en-US"
    package var web: String?
    package var contact: String?
    /// How long an alert is valid for if no update comes (nil: no `expires`).
    package var expires: Duration?
    package var area: CAPArea
    /// By alarm name: the alarms that issue public alerts.
    package var alerts: [String: CAPAlertTemplate] = [:]

    package init(sender: String, area: CAPArea) {
        self.sender = sender
        self.area = area
    }
}

package struct CAPPoint: Sendable, Hashable {
    package var latitude: Double
    package var longitude: Double
    package init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

package struct CAPNamedValue: Sendable, Hashable {
    package var name: String
    package var value: String
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// CAP `area`: the affected area, described in words and optionally as shapes and codes.
package struct CAPArea: Sendable, Hashable {
    package struct Circle: Sendable, Hashable {
        package var centre: CAPPoint
        package var radiusKilometres: Double
        package init(centre: CAPPoint, radiusKilometres: Double) {
            self.centre = centre
            self.radiusKilometres = radiusKilometres
        }
    }

    package var description: String
    /// Closed rings (the first point repeated last), WGS 84.
    package var polygons: [[CAPPoint]] = []
    package var circles: [Circle] = []
    package var geocodes: [CAPNamedValue] = []

    package init(description: String) { self.description = description }
}

/// What one alarm says in its public alert.
package struct CAPAlertTemplate: Sendable, Hashable {
    package enum Category: String, Sendable, Hashable, CaseIterable {
        case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
        case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE", other = "Other"
    }

    package enum ResponseType: String, Sendable, Hashable, CaseIterable {
        case shelter = "Shelter", evacuate = "Evacuate", prepare = "Prepare", execute = "Execute", avoid = "Avoid"
        case monitor = "Monitor", assess = "Assess", allClear = "AllClear", none = "None"
    }

    package enum Urgency: String, Sendable, Hashable, CaseIterable {
        case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
    }

    package enum Severity: String, Sendable, Hashable, CaseIterable {
        case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"
    }

    package enum Certainty: String, Sendable, Hashable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
    }

    package var event: String
    package var categories: [Category]
    package var responseTypes: [ResponseType] = []
    package var urgency: Urgency = .immediate
    package var severity: Severity
    package var certainty: Certainty = .observed
    package var audience: String?
    package var headline: String?
    /// nil: the alarm's description.
    package var description: String?
    package var instruction: String?
    package var eventCodes: [CAPNamedValue] = []
    /// Overrides `cap.expires` for this alarm.
    package var expires: Duration?

    package init(event: String, categories: [Category], severity: Severity) {
        self.event = event
        self.categories = categories
        self.severity = severity
    }
}
