import Logging
import SenseConfig
import SenseCore
import SenseMQTT

/// What the daemon's loop is asked to do, one at a time and in order.
enum DaemonRequest: Sendable {
    /// Re-read the config file (SIGHUP).
    case reload
    /// Move the session to `mqtt.brokers[index]` (`BrokerFailover`).
    case useBroker(Int)
}

/// The session the daemon runs now, which of `mqtt.brokers` it uses, and a generation that
/// changes with every new session, for `BrokerFailover` to read.
final class BrokerInUse: Sendable {
    struct Snapshot {
        var session: MQTTSession
        var settings: MQTTSettings
        var index: Int
        var generation: Int
    }

    private let state: Locked<Snapshot>

    init(session: MQTTSession, settings: MQTTSettings) {
        state = Locked(Snapshot(session: session, settings: settings, index: 0, generation: 0))
    }

    var snapshot: Snapshot { state.withLock { $0 } }

    /// After a reload (a new session starts on the primary) or a move (`index`).
    func update(session: MQTTSession, settings: MQTTSettings, index: Int? = nil) {
        state.withLock { s in
            guard s.session !== session || index != nil else {
                s.settings = settings
                return
            }
            s = Snapshot(session: session, settings: settings, index: index ?? 0, generation: s.generation + 1)
        }
    }
}

/// With `mqtt.brokers` listing fall-backs: when the broker in use has been unreachable for
/// `mqtt.failover.after`, asks the daemon to move to the next one (in order, round the list);
/// while on a fall-back, tries the primary every `mqtt.failover.retry_primary` with a short
/// probe connection and asks to move back once it answers. The outbox carries what the old
/// broker did not acknowledge to the new one, so `seq` stays complete and in order per class.
struct BrokerFailover {
    let inUse: BrokerInUse
    let requests: AsyncStream<DaemonRequest>.Continuation
    let logger: Logger
    /// Real time: a failover is about the network, not the simulated world.
    let clock: any SenseClock = SystemClock()
    let tick: Duration = .seconds(1)

    func run() async {
        var generation = -1
        var downSince: MonotonicInstant?
        var lastPrimaryTry: MonotonicInstant?
        var requested = false
        while !Task.isCancelled {
            let now = clock.monotonicNow
            let s = inUse.snapshot
            if s.generation != generation {
                // A new session: its own clocks start now.
                generation = s.generation
                downSince = nil
                lastPrimaryTry = now
                requested = false
            }
            if !s.settings.fallbackBrokers.isEmpty, !requested {
                let brokers = s.settings.brokers
                if s.session.client.isConnected {
                    downSince = nil
                    if s.index != 0, let last = lastPrimaryTry, now - last >= s.settings.retryPrimary {
                        lastPrimaryTry = now
                        if await BrokerProbe.answers(s.settings, logger: logger) {
                            logger.notice("MQTT: the primary broker \(brokers[0]) answers again; moving back from \(brokers[s.index])")
                            requests.yield(.useBroker(0))
                            requested = true
                        }
                    }
                } else {
                    let since = downSince ?? now
                    downSince = since
                    if now - since >= s.settings.failoverAfter {
                        let next = (s.index + 1) % brokers.count
                        logger.warning(
                            "MQTT: \(brokers[s.index]) unreachable for \((now - since).configText); moving to \(brokers[next])")
                        requests.yield(.useBroker(next))
                        requested = true
                    }
                }
            }
            do { try await clock.sleep(for: tick) } catch { return }
        }
    }
}

/// A short connection to the primary broker, to see whether it answers, under a client id of
/// its own (the session's is in use on the fall-back).
enum BrokerProbe {
    static let timeout: Duration = .seconds(5)

    static func answers(_ settings: MQTTSettings, logger: Logger) async -> Bool {
        var options = MQTTSession.clientOptions(settings)
        options.clientID = settings.clientID + "-probe"
        let client: MQTTClient
        do {
            client = try MQTTClient(options: options, logger: logger)
            try client.start()
        } catch {
            logger.warning("MQTT: cannot probe \(settings.broker): \(error)")
            return false
        }
        let clock = SystemClock()
        let deadline = clock.monotonicNow + timeout
        while !client.isConnected, clock.monotonicNow < deadline {
            do { try await clock.sleep(for: .milliseconds(100)) } catch { break }
        }
        let answered = client.isConnected
        await client.shutdown(last: nil, timeout: .milliseconds(500))
        return answered
    }
}
