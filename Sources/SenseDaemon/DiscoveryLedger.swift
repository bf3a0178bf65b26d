import Logging
import SenseOS

/// The Home Assistant discovery config topics this node has announced, remembered in the state
/// directory. At start and at each reload, what was announced and is no longer made is deleted
/// through the durable outbox (an empty retained message each), however many there are: reading
/// our own retained configs back from the broker (which `MQTTSession` still does, for configs this
/// file never saw) loses most of them to a broker's queue limits (mosquitto's
/// `max_queued_messages 1000`) after a large change.
package struct DiscoveryLedger {
    package static let fileName = "discovery-topics"
    package static let header = "# sensegate: Home Assistant discovery config topics this node announced, one per line"
    /// 60,000 entities of about 70 bytes fit; a larger file is damage.
    package static let sizeLimit = 16 * 1024 * 1024
    /// MQTT's own limit on a topic's length.
    package static let topicLimit = 65535

    package let path: String

    package init(stateDirectory: String) {
        path = stateDirectory + "/" + Self.fileName
    }

    /// The topics read back; a missing file is an empty ledger, a damaged line is skipped and
    /// reported, an unreadable file is reported and read as empty (nothing is deleted then).
    package func load(logger: Logger) -> Set<String> {
        let text: String?
        do throws(DurableFile.Failure) {
            text = try DurableFile.read(path, limit: Self.sizeLimit)
        } catch {
            logger.error("home assistant: \(error); configs announced before this start are not deleted unless the broker returns them")
            return []
        }
        guard let text else { return [] }
        var topics = Set<String>()
        var damaged = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            if Self.isConfigTopic(line) { topics.insert(String(line)) } else { damaged += 1 }
        }
        if damaged > 0 { logger.error("home assistant: \(path): skipped \(damaged) line(s) that are not discovery config topics") }
        return topics
    }

    /// A discovery config topic as this node writes them: `<prefix…>/<component>/<node>/<object>/config`,
    /// no wildcard, no NUL, within MQTT's length.
    package static func isConfigTopic(_ line: Substring) -> Bool {
        guard line.utf8.count <= topicLimit, line.hasSuffix("/config"), !line.hasPrefix("/") else { return false }
        guard !line.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") || $0 == 0 }) else { return false }
        let levels = line.split(separator: "/", omittingEmptySubsequences: false)
        return levels.count >= 5 && !levels.contains(where: \.isEmpty)
    }

    package static func text(_ topics: [String]) -> String {
        var out = header + "\n"
        out.reserveCapacity(topics.reduce(out.utf8.count) { $0 + $1.utf8.count + 1 })
        for t in topics.sorted() {
            out += t
            out += "\n"
        }
        return out
    }

    /// Deletes what was announced and is no longer in `current` (through the outbox, which
    /// outlives a crash), then remembers `current`.
    func reconcile(current: [String], outlet: Outlet, writer: StateFileWriter, logger: Logger) {
        let announced = load(logger: logger)
        let stale = announced.subtracting(current).sorted()
        if !stale.isEmpty {
            logger.notice("home assistant: deleting \(stale.count) discovery config(s) of entities that no longer exist")
            outlet.retract(stale)
        }
        if stale.isEmpty, announced.count == current.count { return }  // nothing new to remember
        writer.submit(path, Self.text(current))
    }
}
