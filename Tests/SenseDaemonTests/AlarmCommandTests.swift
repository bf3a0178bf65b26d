import Testing
@testable import SenseDaemon

@Suite struct AlarmCommandTests {
    let root = "sensegate/n1"

    func parse(_ verb: String, _ payload: String, alarm: String = "hot") throws(AlarmCommand.Refusal) -> AlarmCommand {
        try AlarmCommand.parse(topic: "\(root)/alarm/\(alarm)/\(verb)", root: root, payload: Array(payload.utf8))
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
        ("shelve", #"{"for":"soon"}"#, "'for' is not a duration"),
        ("shelve", #"{"for":-5}"#, "'for' must be a positive number"),
        ("shelve", #"{"for":true}"#, "'for' must be a duration string"),
        ("shelve", #"{"for":"0s"}"#, "'for' is not a duration"),
        ("unshelve", #"{"for":"1h"}"#, "unknown field 'for'"),
        ("ack", #"{"id":"a","id":"b"}"#, "duplicate key"),
        ("ack", String(repeating: "[", count: 40), "nested deeper"),
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
