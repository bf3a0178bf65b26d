import Dispatch
import Logging
import SenseCLI
import SenseConfig
import SenseCore
import SenseDaemon
import SenseMQTT
import SenseOS
import SenseWire
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `sensegate watch --config FILE`: the live view of a running station, through its broker, for
/// a technician on site or over SSH. Redrawn in place twice a second; `--once` prints one plain
/// frame after a few seconds (for a script, or a terminal that cannot redraw).
enum WatchCommand {
    static func run(config path: String, once: Bool) async -> Int32 {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(path, parts: .standard)
        } catch {
            writeStderr(error.description + "\n")
            return ExitStatus.configError
        }
        guard let client = await StationConnection.open(cfg, role: "watch") else { return ExitStatus.unavailable }
        let status = await watch(through: client, cfg: cfg, once: once)
        await client.close()
        return status
    }

    private static func watch(through client: StationClient, cfg: SensegateConfig, once: Bool) async -> Int32 {
        let view = SharedView(StationWatch(layout: layout(cfg, topics: client.topics, broker: client.broker)))
        let clock = SystemClock()
        let messages = client.messages
        let feed = Task {
            for await m in messages { view.state.withLock { $0.receive(topic: m.topic, payload: m.payload, at: clock.monotonicNow) } }
        }
        defer { feed.cancel() }
        do throws(MQTTError) {
            try client.subscribe(client.topics.root + "/#")
        } catch {
            writeStderr("sensegate watch: cannot subscribe to \(client.topics.root)/#: \(error)\n")
            return ExitStatus.unavailable
        }
        if once {
            // Retained state arrives at once; readings within their interval.
            do { try await Task.sleep(for: .seconds(3)) } catch { return 0 }
            let frame = view.state.withLock {
                $0.render(now: clock.monotonicNow, clock: Self.clock(clock), width: 100, height: 1000, colour: false)
            }
            print(frame.joined(separator: "\n"))
            return 0
        }
        return await live(view: view, clock: clock)
    }

    /// Redraws until SIGINT or SIGTERM, then gives the terminal back as it was.
    private static func live(view: SharedView, clock: SystemClock) async -> Int32 {
        let stop = Atomic<Bool>(false)
        let signals: [DispatchSourceSignal] = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.store(true, ordering: .relaxed) }
            source.resume()
            return source
        }
        defer { for s in signals { s.cancel() } }
        let colour = Terminal.takesColour(1)
        let escape = "\u{1B}["
        write(escape + "?25l" + escape + "2J")  // cursor hidden, screen cleared
        while !stop.load(ordering: .relaxed) {
            let size = Terminal.size(1) ?? (80, 24)
            let frame = view.state.withLock {
                $0.render(now: clock.monotonicNow, clock: Self.clock(clock), width: size.columns, height: size.rows, colour: colour)
            }
            // Home, each line then erase to its end, erase below: no flicker, no scrolling.
            write(escape + "H" + frame.map { $0 + escape + "K" }.joined(separator: "\r\n") + escape + "J")
            do { try await Task.sleep(for: .milliseconds(500)) } catch { break }
        }
        write(escape + "?25h\r\n")
        return 0
    }

    private static func write(_ text: String) { writeStdout(text) }

    private static func clock(_ clock: SystemClock) -> String {
        let text = clock.wallNow.rfc3339  // 2026-12-06T11:42:52.123Z
        guard let t = text.firstIndex(of: "T") else { return text }
        return String(text[text.index(after: t)...].prefix(8)) + " UTC"
    }

    /// The rows the config declares: each published channel of each sensor, each derived
    /// channel, each alarm and actuator.
    static func layout(_ cfg: SensegateConfig, topics: TopicTree, broker: String) -> WatchLayout {
        func unit(_ u: SenseCore.Unit) -> String { HomeAssistantQuantity.haUnit(u) ?? u.rawValue }
        var channels: [WatchLayout.Row] = []
        for sensor in cfg.sensors {
            if case .traffic = sensor.kind { continue }  // per-period records, not channels
            let units = Dictionary(sensor.kind.channels, uniquingKeysWith: { a, _ in a })
            for q in sensor.publish {
                channels.append(
                    WatchLayout.Row(
                        label: "\(sensor.name).\(q)", topic: topics.reading(sensor: sensor.name, quantity: q), unit: unit(units[q] ?? .none)))
            }
        }
        for d in cfg.derived {
            channels.append(WatchLayout.Row(label: "derived.\(d.name)", topic: topics.derived(name: d.name), unit: unit(d.model.unit)))
        }
        // SenML packs carry a fetch's channels together, on other topics: the view shows the
        // sensegate JSON readings only, and says so rather than showing every row empty.
        let senml = cfg.mqtt.format == .senml
        return WatchLayout(
            title: "\(cfg.node) (\(cfg.board.name)) via \(broker)\(senml ? " — mqtt.format senml: readings not shown" : "")",
            channels: senml ? [] : channels,
            alarms: cfg.alarms.map { WatchLayout.Row(label: $0.name, topic: topics.alarm($0.name), unit: "") },
            actuators: cfg.actuators.map { WatchLayout.Row(label: $0.name, topic: topics.actuator($0.name), unit: "") },
            status: topics.status, health: topics.health)
    }
}

/// The view the message feed updates and the redraw reads.
final class SharedView: Sendable {
    let state: Locked<StationWatch>
    init(_ view: StationWatch) { state = Locked(view) }
}
