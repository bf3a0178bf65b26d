import SenseAnalysis

/// `sensorthings:` — readings also published as OGC SensorThings Observations over MQTT, on
/// `<version>/Datastreams(<id>)/Observations`, for a FROST-Server or any SensorThings service
/// that creates Observations from MQTT (docs/sensorthings.md).
package struct SensorThingsSettings: Sendable, Hashable {
    /// The SensorThings API version: the first level of the topics.
    package enum Version: String, Sendable, Hashable, CaseIterable {
        case v1_0 = "v1.0"
        case v1_1 = "v1.1"
    }

    /// A Datastream's `@iot.id`: a number, or a text (quoted in the topic, as in the API's URLs).
    package enum DatastreamID: Sendable, Hashable, CustomStringConvertible {
        case number(Int)
        case text(String)

        /// As it stands between the parentheses of `Datastreams(…)`.
        package var path: String {
            switch self {
            case let .number(n): String(n)
            case let .text(t): "'\(t)'"
            }
        }

        package var description: String { path }
    }

    package struct Datastream: Sendable, Hashable {
        package var channel: ChannelRef
        package var id: DatastreamID

        package init(channel: ChannelRef, id: DatastreamID) {
            self.channel = channel
            self.id = id
        }
    }

    package var version: Version = .v1_1
    /// QoS of the Observations; nil: `mqtt.qos`.
    package var qos: Int?
    /// The channels published, each to its Datastream, in the file's order.
    package var datastreams: [Datastream] = []

    package init() {}

    /// The topic of each channel's Observations, by the samples' sensor and quantity (derived
    /// channels under `DerivedEngine.sensorName`): two lookups per sample, nothing built.
    package var topics: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for d in datastreams {
            let topic = "\(version.rawValue)/Datastreams(\(d.id.path))/Observations"
            switch d.channel {
            case let .sensor(sensor, quantity): out[sensor, default: [:]][quantity] = topic
            case let .derived(name): out[DerivedEngine.sensorName, default: [:]][name] = topic
            case .aggregate: break  // not accepted by the decoder
            }
        }
        return out
    }
}
