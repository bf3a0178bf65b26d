import Foundation
import Logging
import SenseTesting
import Testing

@testable import SenseDaemon

@Suite struct DiscoveryLedgerTests {
    @Test func whatIsWrittenIsReadBack() throws {
        let directory = TemporaryDirectory.make("sensegate-ledger")
        let ledger = DiscoveryLedger(stateDirectory: directory)
        let topics = [
            "homeassistant/sensor/sensegate_roof/sensor_outdoor_temperature/config",
            "ha/prod/switch/sensegate_roof/actuator_fan/config",
        ]
        try DiscoveryLedger.text(topics).write(toFile: ledger.path, atomically: true, encoding: .utf8)
        let logs = LogRecorder()
        #expect(ledger.load(logger: logs.logger) == Set(topics))
        #expect(logs.lines.isEmpty)
    }

    @Test func aMissingFileIsAnEmptyLedger() {
        let ledger = DiscoveryLedger(stateDirectory: TemporaryDirectory.make("sensegate-ledger"))
        #expect(ledger.load(logger: Logger(label: "test")).isEmpty)
    }

    /// A damaged line is skipped and counted; nothing that could delete more than a config
    /// (a wildcard, a topic outside the config pattern) is taken.
    @Test func damagedLinesAreSkippedAndReported() throws {
        let ledger = DiscoveryLedger(stateDirectory: TemporaryDirectory.make("sensegate-ledger"))
        let good = "homeassistant/sensor/sensegate_roof/sensor_a_temperature/config"
        let text = [
            DiscoveryLedger.header, good, "homeassistant/sensor/+/x/config", "homeassistant/#",
            "sensegate/roof/alarm/hot", "/homeassistant/sensor/n/o/config", "homeassistant//n/o/config",
            "a/config", String(repeating: "x/", count: 40_000) + "config", "homeassistant/sensor/n/o/config\u{0}",
        ].joined(separator: "\n")
        try text.write(toFile: ledger.path, atomically: true, encoding: .utf8)
        let logs = LogRecorder()
        #expect(ledger.load(logger: logs.logger) == [good])
        #expect(logs.lines.contains { $0.message.contains("skipped 8 line(s)") }, "\(logs.lines)")
    }

    @Test func anOversizedFileIsRefusedWhole() throws {
        let ledger = DiscoveryLedger(stateDirectory: TemporaryDirectory.make("sensegate-ledger"))
        let line = "homeassistant/sensor/sensegate_roof/sensor_a_temperature/config\n"
        let text = String(repeating: line, count: DiscoveryLedger.sizeLimit / line.utf8.count + 1)
        try text.write(toFile: ledger.path, atomically: true, encoding: .utf8)
        let logs = LogRecorder()
        #expect(ledger.load(logger: logs.logger).isEmpty)
        #expect(logs.lines.contains { $0.message.contains("not a state file") }, "\(logs.lines)")
    }
}
