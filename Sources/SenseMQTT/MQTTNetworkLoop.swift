import CMosquitto
import SenseCore
import SenseOS

#if canImport(Glibc)
    import Glibc
#endif

/// libmosquitto's network loop on a thread of ours, instead of `mosquitto_loop_start`'s.
///
/// libmosquitto's own loop (`mosquitto_loop_forever`) reconnects with a blocking `connect()`.
/// While the broker is unreachable its SYNs go unanswered, the kernel retries them at 1, 2, 4,
/// 8, 16 and 32 s, and the attempt ends only at the first retry after the link heals: the chaos
/// run measured 21.5–24.3 s to reconnect after a 60 s partition. Here every attempt is
/// `mosquitto_reconnect_async` (a non-blocking connect driven by `mosquitto_loop`), and one that
/// gets no answer is closed by libmosquitto's keepalive check after the keepalive interval, so
/// the next attempt starts within keepalive + backoff. The loop also never gives up: after an
/// error that ends `mosquitto_loop_forever` for good (a protocol or TLS error) it backs off and
/// tries again like after any other, as a gateway must for years.
final class MQTTNetworkLoop: Sendable {
    private struct State {
        var started = false
        var stopRequested = false
        var finished = false
        /// The client is gone: the thread destroys the handle as it ends.
        var destroyAtEnd = false
    }

    /// How long one `mosquitto_loop` waits for the socket, as in `mosquitto_loop_forever`: also
    /// how soon a stop is seen when nothing wakes the loop (a publish or a disconnect wakes it at
    /// once). With a 100 ms poll the reference load measured 0.43–0.46 % of a core, with this
    /// 0.36–0.40 % (`bench/run.sh`).
    static let pollMilliseconds: Int32 = 1000
    /// A backoff is slept in slices this long, so that a stop is seen soon.
    static let pauseSliceMilliseconds = 100

    private let handle: MosquittoHandle
    private let sink: CallbackSink
    private let backoff: ReconnectBackoff
    private let state = Locked(State())

    init(handle: MosquittoHandle, sink: CallbackSink, backoff: ReconnectBackoff) {
        self.handle = handle
        self.sink = sink
        self.backoff = backoff
    }

    /// Starts the thread. The first connection attempt must already be under way
    /// (`mosquitto_connect_async`): the loop only ever reconnects.
    func start() throws(OSThread.StartError) {
        try state.withLock { (s: inout State) throws(OSThread.StartError) in
            guard !s.started else { return }  // a second start must not run a second loop on the handle
            try OSThread.detached(name: "mqtt network") { [self] in
                run()
                let destroy = state.withLock { s in
                    s.finished = true
                    return s.destroyAtEnd
                }
                if destroy { mosquitto_destroy(handle.pointer) }
            }
            s.started = true
        }
    }

    /// Asks the thread to end; it does within `pollMilliseconds` or one blocking name lookup.
    func requestStop() { state.withLock { $0.stopRequested = true } }

    /// For the client's deinit: the handle is destroyed now if no thread uses it, else by the
    /// thread as it ends. Nobody waits.
    func stopAndDestroy() {
        let destroyNow = state.withLock { s in
            s.stopRequested = true
            s.destroyAtEnd = s.started && !s.finished
            return !s.destroyAtEnd
        }
        if destroyNow { mosquitto_destroy(handle.pointer) }
    }

    var hasFinished: Bool { state.withLock { $0.finished } }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    private func run() {
        let mosq = handle.pointer
        var failures = 0
        while !stopRequested {
            let rc = mosquitto_loop(mosq, Self.pollMilliseconds, 1)
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                if sink.isConnected { failures = 0 }
                continue
            }
            // The connection is gone or the attempt failed (refused, timed out by the keepalive
            // check, a protocol or TLS error): libmosquitto has closed the socket and told the
            // sink. Wait, then try again — unless the client is closing (its DISCONNECT has
            // been written) or gone.
            guard !stopRequested, !sink.isStopping else { break }
            if !pause(backoff.delay(afterFailures: failures)) { break }
            failures += 1
            let again = mosquitto_reconnect_async(mosq)
            if again != MOSQ_ERR_SUCCESS.rawValue {
                // Failed before any packet (the name does not resolve, no route): the next
                // `mosquitto_loop` reports no connection and the loop backs off again.
                sink.attemptFailed(again)
            }
        }
    }

    /// Sleeps `duration` in whole slices (at most one slice longer), so that a stop is not held
    /// up by a long backoff; false when a stop was requested meanwhile.
    private func pause(_ duration: Duration) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while clock.now < end {
            if stopRequested || sink.isStopping { return false }
            var slice = timespec(tv_sec: 0, tv_nsec: Self.pauseSliceMilliseconds * 1_000_000)
            _ = nanosleep(&slice, nil)
        }
        return !stopRequested && !sink.isStopping
    }
}

/// The wait before a reconnect: as libmosquitto's exponential backoff
/// (`mosquitto_reconnect_delay_set(min, max, true)`), min × (failures + 1)², at most max.
package struct ReconnectBackoff: Sendable, Hashable {
    package var minSeconds: Int
    package var maxSeconds: Int

    package init(minSeconds: Int, maxSeconds: Int) {
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
    }

    package func delay(afterFailures failures: Int) -> Duration {
        let lower = max(0, minSeconds)
        let upper = max(lower, maxSeconds)
        let factor = min(failures, 1_000) + 1
        let (product, overflow) = lower.multipliedReportingOverflow(by: factor * factor)
        return .seconds(overflow ? upper : min(upper, product))
    }
}
