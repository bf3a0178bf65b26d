import SenseConfig
import SenseCore
import SenseMQTT
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What `<root>/health` reports: per-sensor state and fault counts, delivery counters, memory,
/// uptime. Updated on the emit path, published retained every minute and on connect.
final class HealthBoard: Sendable {
    struct SensorHealth: Sendable {
        var quality: Quality = .good
        var reason: QualityReason?
        var samples = 0
        var faults = 0
    }

    private let state = Mutex<(sensors: [String: SensorHealth], seqError: String?)>(([:], nil))
    let started: MonotonicInstant

    init(started: MonotonicInstant) { self.started = started }

    func record(_ s: Sample) {
        state.withLock { st in
            var h = st.sensors[s.sensor] ?? SensorHealth()
            h.samples += 1
            if s.quality == .bad { h.faults += 1 }
            h.quality = s.quality
            h.reason = s.reason
            st.sensors[s.sensor] = h
        }
    }

    func seqError(_ text: String?) { state.withLock { $0.seqError = text } }

    func forget(except names: Set<String>) {
        state.withLock { st in st.sensors = st.sensors.filter { names.contains($0.key) } }
    }

    func payload(now: MonotonicInstant, wall: WallTime, board: String, queue: Publisher.Counters, seq: UInt64) -> [UInt8] {
        let (sensors, seqError) = state.withLock { ($0.sensors, $0.seqError) }
        var w = JSONWriter()
        w.beginObject()
        w.field("version", SensegateVersion.string)
        w.field("board", board)
        w.field("uptime_s", Int64((now - started).seconds))
        w.field("rss_kib", Self.residentKiB().map(Double.init))
        w.key("mqtt")
        w.beginObject()
        w.field("sent", Int64(queue.sent))
        w.field("queued", Int64(queue.queued))
        w.field("dropped", Int64(queue.dropped))
        w.field("failed", Int64(queue.failed))
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

    /// Resident set size from /proc/self/statm (pages → KiB).
    static func residentKiB() -> Int? {
        let bytes: [UInt8]
        do {
            bytes = try SourceFile.read("/proc/self/statm")
        } catch {
            return nil   // no procfs: the field is published as null, never as a guess
        }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
