import SenseConfig
import SenseTesting
import Testing

/// `mqtt.brokers` (a primary and its fall-backs) and `mqtt.failover`.
@Suite struct BrokerListTests {
    static func config(_ mqtt: String) -> String {
        ConfigFixture.valid.replacing("  broker: mqtt://127.0.0.1:1883", with: mqtt)
    }

    @Test func aListGivesThePrimaryAndItsFallbacks() throws {
        let c = try ConfigFixture.load(
            Self.config(
                """
                  brokers: [mqtt://edge-a.city:1883, mqtt://edge-b.city, mqtt://10.0.0.9:1884]
                  failover: {after: 5s, retry_primary: 2m}
                """))
        #expect(c.mqtt.broker == BrokerURL("mqtt://edge-a.city:1883"))
        #expect(c.mqtt.fallbackBrokers == [BrokerURL("mqtt://edge-b.city")!, BrokerURL("mqtt://10.0.0.9:1884")!])
        #expect(c.mqtt.failoverAfter == .seconds(5) && c.mqtt.retryPrimary == .seconds(120))
        let single = try ConfigFixture.load(ConfigFixture.valid)
        #expect(single.mqtt.fallbackBrokers.isEmpty && single.mqtt.failoverAfter == .seconds(10) && single.mqtt.retryPrimary == .seconds(300))
    }

    @Test(arguments: [
        ("  broker: mqtt://a\n  brokers: [mqtt://b]", "mqtt.brokers", "either broker or brokers"),
        ("  brokers: []", "mqtt.brokers", "list 1 to 8 brokers"),
        ("  brokers: [mqtt://a, mqtt://b, mqtt://c, mqtt://d, mqtt://e, mqtt://f, mqtt://g, mqtt://h, mqtt://i]", "mqtt.brokers", "not 9"),
        ("  brokers: [mqtt://a, mqtt://a]", "mqtt.brokers[1]", "listed twice"),
        ("  brokers: [mqtt://a, mqtts://b]", "mqtt.brokers[1]", "mix of mqtt:// and mqtts://"),
        ("  brokers: [mqtt://a, http://b]", "mqtt.brokers[1]", "is not a broker URL"),
        ("  brokers: mqtt://a", "mqtt.brokers", "a list"),
        ("  brokers: [mqtt://a, [mqtt://b]]", "mqtt.brokers[1]", "expected a text value"),
        ("  broker: mqtt://a\n  failover: {after: 5s}", "mqtt.failover", "two or more brokers"),
        ("  brokers: [mqtt://a, mqtt://b]\n  failover: {after: 0s}", "mqtt.failover.after", "between 1s and 1h"),
        ("  brokers: [mqtt://a, mqtt://b]\n  failover: {retry_primary: 1s}", "mqtt.failover.retry_primary", "between 10s and 1d"),
        ("  brokers: [mqtt://a, mqtt://b]\n  failover: {after: 99999999999999999999s}", "mqtt.failover.after", "longer than 100 years"),
        ("  brokers: [mqtt://a, mqtt://b]\n  failover: {every: 5s}", "mqtt.failover.every", "unknown key"),
    ])
    func mistakesAreNamed(mqtt: String, path: String, phrase: String) {
        let (_, diagnostics) = ConfigFixture.errors(Self.config(mqtt))
        #expect(diagnostics.contains { $0.path == path && $0.message.contains(phrase) }, "\(diagnostics)")
    }
}
