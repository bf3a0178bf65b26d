/// `cap:` and `alarms[].cap:` — public alerts in the OASIS Common Alerting Protocol 1.2
/// (docs/cap.md). The values are CAP's own words, so they are spelt as the standard spells them.
public struct PublicAlertSettings: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case actual = "Actual", exercise = "Exercise", test = "Test" }
    public enum Scope: String, Sendable, Hashable, CaseIterable { case `public` = "Public", restricted = "Restricted", `private` = "Private" }

    /// CAP `sender`: who issues the alerts, unique per issuing authority (e.g. an e-mail address).
    public var sender: String
    public var senderName: String?
    /// Messages go to `<topic>/<alarm>`; nil: `<root>/cap`.
    public var topic: String?
    public var status: Status = .actual
    public var scope: Scope = .public
    /// Required with `Restricted`: who may see them.
    public var restriction: String?
    /// Required with `Private`: the recipients.
    public var addresses: String?
    /// RFC 3066 language of the texts.
    public var language = "en-US"
    public var web: String?
    public var contact: String?
    /// How long an alert is valid for if no update comes (nil: no `expires`).
    public var expires: Duration?
    public var area: CAPArea
    /// By alarm name: the alarms that issue public alerts.
    public var alerts: [String: CAPAlertTemplate] = [:]

    public init(sender: String, area: CAPArea) {
        self.sender = sender
        self.area = area
    }
}

public struct CAPPoint: Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

public struct CAPNamedValue: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// CAP `area`: the affected area, described in words and optionally as shapes and codes.
public struct CAPArea: Sendable, Hashable {
    public struct Circle: Sendable, Hashable {
        public var centre: CAPPoint
        public var radiusKilometres: Double
        public init(centre: CAPPoint, radiusKilometres: Double) {
            self.centre = centre
            self.radiusKilometres = radiusKilometres
        }
    }

    public var description: String
    /// Closed rings (the first point repeated last), WGS 84.
    public var polygons: [[CAPPoint]] = []
    public var circles: [Circle] = []
    public var geocodes: [CAPNamedValue] = []

    public init(description: String) { self.description = description }
}

/// What one alarm says in its public alert.
public struct CAPAlertTemplate: Sendable, Hashable {
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
        case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE", other = "Other"
    }

    public enum ResponseType: String, Sendable, Hashable, CaseIterable {
        case shelter = "Shelter", evacuate = "Evacuate", prepare = "Prepare", execute = "Execute", avoid = "Avoid"
        case monitor = "Monitor", assess = "Assess", allClear = "AllClear", none = "None"
    }

    public enum Urgency: String, Sendable, Hashable, CaseIterable {
        case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
    }

    public enum Severity: String, Sendable, Hashable, CaseIterable {
        case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"
    }

    public enum Certainty: String, Sendable, Hashable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
    }

    public var event: String
    public var categories: [Category]
    public var responseTypes: [ResponseType] = []
    public var urgency: Urgency = .immediate
    public var severity: Severity
    public var certainty: Certainty = .observed
    public var audience: String?
    public var headline: String?
    /// nil: the alarm's description.
    public var description: String?
    public var instruction: String?
    public var eventCodes: [CAPNamedValue] = []
    /// Overrides `cap.expires` for this alarm.
    public var expires: Duration?

    public init(event: String, categories: [Category], severity: Severity) {
        self.event = event
        self.categories = categories
        self.severity = severity
    }
}
