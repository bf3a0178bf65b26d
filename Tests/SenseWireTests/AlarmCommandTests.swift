import SenseWire
import Testing

@Suite struct AlarmCommandTests {
    let root = "sensegate/n1"

    func parse(_ verb: String, _ payload: String, alarm: String = "hot", retained: Bool = false) throws(AlarmCommand.Refusal) -> AlarmCommand {
        try AlarmCommand.parse(
            IncomingMessage(topic: "\(root)/alarm/\(alarm)/\(verb)", payload: Array(payload.utf8), retained: retained),
            root: root)
    }

    /// A retained command would act again at every reconnect: it is refused, with its id.
    @Test func aRetainedCommandIsRefused() {
        for payload in [#"{"id":"r1"}"#, "", "not json"] {
            do {
                _ = try parse("ack", payload, retained: true)
                Issue.record("accepted a retained \(payload)")
            } catch {
                #expect(error.reason.contains("a retained command is never executed"), "\(error.reason)")
                #expect(error.id == (payload.contains("r1") ? "r1" : nil))
            }
        }
    }

    @Test func anOversizedPayloadIsRefusedUnread() {
        do {
            _ = try AlarmCommand.parse(
                IncomingMessage(topic: "\(root)/alarm/hot/ack", payload: [], retained: false, length: 268_435_455),
                root: root)
            Issue.record("accepted")
        } catch {
            #expect(error.reason == "the payload (268435455 bytes) is larger than 4096 bytes")
        }
    }

    @Test func wellFormedCommands() throws {
        #expect(try parse("ack", "") == AlarmCommand(alarm: "hot", command: .ack, id: nil, by: nil, shelveFor: nil))
        #expect(try parse("ack", #"{"id":"c-1","by":"operator 7","note":"seen"}"#).by == "operator 7")
        #expect(try parse("shelve", #"{"for":"30m"}"#).shelveFor == .seconds(1800))
        #expect(try parse("shelve", #"{"for":90}"#).shelveFor == .seconds(90))
        #expect(try parse("unshelve", "{}").command == .unshelve)
    }

    @Test(arguments: [
        ("ack", "{", "invalid JSON"),
        ("ack", "[1]", "must be a JSON object"),
        ("ack", "\"yes\"", "must be a JSON object"),
        ("ack", #"{"id":7}"#, "'id' must be a string"),
        ("ack", #"{"for":"1h"}"#, "unknown field 'for'"),
        ("ack", #"{"operator":"x"}"#, "unknown field 'operator'"),
        ("ack", #"{"by":["x"]}"#, "'by' must be a string"),
        ("shelve", "{}", "shelve needs 'for'"),
        ("shelve", #"{"for":"soon"}"#, "'for': expected a duration"),
        ("shelve", #"{"for":-5}"#, "'for' must be a positive number"),
        ("shelve", #"{"for":true}"#, "'for' must be a duration string"),
        ("shelve", #"{"for":"0s"}"#, "'for' must be longer than 0"),
        ("unshelve", #"{"for":"1h"}"#, "unknown field 'for'"),
        ("ack", #"{"id":"a","id":"b"}"#, "duplicate key"),
        ("ack", String(repeating: "[", count: 40), "nested deeper"),
        // Issue 17: durations that overflowed and trapped.
        ("shelve", #"{"for":"1e30h"}"#, "'for': expected a duration"),
        ("shelve", #"{"for":"99999999999999999999s"}"#, "longer than 100 years"),
        ("shelve", #"{"for":"10000000000d"}"#, "longer than 100 years"),
        ("shelve", #"{"for":1e30}"#, "at most 36500d"),
        ("shelve", #"{"for":1e400}"#, "not a number"),
    ])
    func malformedCommandsAreRefusedWithAReason(verb: String, payload: String, reason: String) {
        do {
            _ = try parse(verb, payload)
            Issue.record("accepted \(payload)")
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.alarm == "hot" && error.command == verb)
        }
    }

    @Test func idIsEchoedInRefusalsOnceKnown() {
        do {
            _ = try parse("shelve", #"{"id":"req-9"}"#)
        } catch {
            #expect(error.id == "req-9")
        }
    }
}

/// A topic level may be 64 KiB: it is not quoted back whole into answers and logs.
@Suite struct LongTopicLevelTests {
    @Test func aHugeNameOrVerbIsRefusedWithoutQuotingIt() {
        let huge = String(repeating: "x", count: 65_000)
        for (topic, kind) in [("sensegate/n1/alarm/\(huge)/ack", "alarm"), ("sensegate/n1/alarm/hot/\(huge)", "verb")] {
            do {
                _ = try AlarmCommand.parse(IncomingMessage(topic: topic, payload: [], retained: false), root: "sensegate/n1")
                Issue.record("accepted a huge \(kind)")
            } catch {
                #expect(error.reason.utf8.count < 300, "\(kind): \(error.reason.utf8.count) bytes")
            }
        }
        do {
            _ = try ActuatorCommand.parse(
                IncomingMessage(
                    topic: "sensegate/n1/actuator/\(huge)/set", payload: Array(#"{"command":"on"}"#.utf8),
                    retained: false), root: "sensegate/n1")
            Issue.record("accepted a huge actuator name")
        } catch {
            #expect(error.reason == "no actuator has a name of 65000 bytes")
        }
    }

    /// `ON` and `OFF` as Home Assistant's and mqtt-io's switches send them.
    @Test(arguments: [("ON", true), ("off", false), (" On\n", true), ("\tOFF ", false)])
    func plainLevels(payload: String, on: Bool) throws {
        let c = try ActuatorCommand.parse(
            IncomingMessage(topic: "sensegate/n1/actuator/fan/set", payload: Array(payload.utf8), retained: false), root: "sensegate/n1")
        #expect(c.verb == (on ? .on : .off) && c.actuator == "fan" && c.duration == nil && c.id == nil)
    }

    @Test(arguments: [
        ("ONN", false, "invalid JSON"), ("1", false, "the payload must be a JSON object"), ("ON", true, "a retained command is never executed"),
        ("toggle", false, "invalid JSON"),
    ])
    func plainPayloadsThatAreNotCommands(payload: String, retained: Bool, reason: String) {
        do {
            _ = try ActuatorCommand.parse(
                IncomingMessage(topic: "sensegate/n1/actuator/fan/set", payload: Array(payload.utf8), retained: retained), root: "sensegate/n1")
            Issue.record("accepted \(payload)")
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }
}
