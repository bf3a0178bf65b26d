import SenseConfig
import SenseCore
import SenseMQTT

#if canImport(Glibc)
    import Glibc
    import SenseWire
    import SenseHardwareLinux
#endif

/// What `<root>/health` reports: per-sensor state and fault counts, delivery counters, memory,
/// uptime. Updated on the emit path, published retained every minute and on connect.
package final class HealthBoard: Sendable {
    struct SensorHealth: Sendable {
        var quality: Quality = .good
        var reason: QualityReason?
        var samples = 0
        var faults = 0
        var lastWall: WallTime?
    }

    private let state = Locked<(sensors: [String: SensorHealth], seqError: String?)>(([:], nil))
    let started: MonotonicInstant

    package init(started: MonotonicInstant) { self.started = started }

    func record(_ s: Sample) {
        state.withLock { st in
            var h = st.sensors[s.sensor] ?? SensorHealth()
            h.samples += 1
            if s.quality == .bad { h.faults += 1 }
            h.quality = s.quality
            h.reason = s.reason
            h.lastWall = s.wall
            st.sensors[s.sensor] = h
        }
    }

    func seqError(_ text: String?) { state.withLock { $0.seqError = text } }

    /// Every sensor's counts, by name.
    func sensors() -> [(name: String, health: SensorHealth)] {
        state.withLock { $0.sensors }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func forget(except names: Set<String>) {
        state.withLock { st in st.sensors = st.sensors.filter { names.contains($0.key) } }
    }

    /// The connection as the client sees it.
    struct Link {
        var protocolVersion: Int
        var refusedByBroker: Int
        /// Incoming messages dropped because the client's inbox was full (a flood).
        var droppedIncoming: Int = 0
    }

    func payload(
        now: MonotonicInstant, wall: WallTime, board: String, outbox o: OutboxCounters, link: Link,
        commands: CommandLog.Counters, signing: Bool = false, seq: UInt64
    ) -> [UInt8] {
        let (sensors, seqError) = state.withLock { ($0.sensors, $0.seqError) }
        var w = JSONWriter()
        w.beginObject()
        w.field("version", SensegateVersion.string)
        w.key("versions")
        w.beginObject()
        w.field("sensegate", SensegateVersion.string)
        w.field("libmosquitto", MQTTClient.libraryVersion)
        w.field("sqlite", SQLiteOutboxStorage.libraryVersion)
        w.field("libgpiod_api", Int64(clamping: LinuxGPIOChip.apiVersion))
        w.endObject()
        w.field("board", board)
        w.field("uptime_s", Int64((now - started).seconds))
        w.field("rss_kib", Self.residentKiB().map(Double.init))
        w.key("mqtt")
        w.beginObject()
        w.field("connected", o.connected)
        w.field("protocol", link.protocolVersion == 5 ? "5" : "3.1.1")
        w.field("connects", Int64(o.connects))
        w.field("reconnects", Int64(max(0, o.connects - 1)))
        w.field("sent", Int64(o.sent))
        w.field("acked", Int64(o.acked))
        w.field("in_flight", Int64(o.inFlight))
        w.field("failed", Int64(o.failed))
        w.field("refused", Int64(link.refusedByBroker))
        w.endObject()
        w.key("outbox")
        w.beginObject()
        w.field("depth", Int64(o.totalDepth))
        w.key("depth_by_class")
        Self.byClass(o.depth, &w)
        w.field("bytes", Int64(o.bytes))
        w.field("oldest_age_s", o.oldestMs.map { max(0, Double(wall.nanosecondsSinceEpoch / 1_000_000 - $0) / 1000) })
        w.field("dropped", Int64(o.totalDropped))
        w.key("dropped_by_class")
        Self.byClass(o.dropped, &w)
        w.field("expired", Int64(o.expired))
        w.field("written", Int64(o.written))
        w.field("elided", Int64(o.elided))
        w.field("storage", o.storageError == nil ? (o.durable ? "disk" : "memory") : "memory")
        if let e = o.storageError { w.field("error", e) }
        w.endObject()
        w.key("commands")
        w.beginObject()
        w.field("accepted", Int64(clamping: commands.accepted))
        w.field("refused", Int64(clamping: commands.refused))
        w.field("unanswered", Int64(clamping: commands.unanswered))
        w.field("dropped", Int64(clamping: link.droppedIncoming))
        if signing {
            w.key("signatures")
            w.beginObject()
            for kind in SignatureRefusal.kinds { w.field(kind, Int64(clamping: commands.signatures[kind] ?? 0)) }
            w.endObject()
        }
        w.endObject()
        w.key("sensors")
        w.beginObject()
        for (name, h) in sensors.sorted(by: { $0.key < $1.key }) {
            w.key(name)
            w.beginObject()
            w.field("q", h.quality.rawValue)
            if let r = h.reason { w.field("r", r.rawValue) }
            w.field("samples", Int64(h.samples))
            w.field("faults", Int64(h.faults))
            w.endObject()
        }
        w.endObject()
        if let seqError { w.field("seq_error", seqError) }
        w.field("t", wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    private static func byClass(_ counts: [MessageClass: Int], _ w: inout JSONWriter) {
        w.beginObject()
        for kind in MessageClass.durable { w.field(kind.name, Int64(counts[kind] ?? 0)) }
        w.endObject()
    }

    /// Resident set size from /proc/self/statm (pages → KiB).
    static func residentKiB() -> Int? {
        let bytes: [UInt8]
        do {
            bytes = try SourceFile.read("/proc/self/statm")
        } catch {
            return nil  // no procfs: the field is published as null, never as a guess
        }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
