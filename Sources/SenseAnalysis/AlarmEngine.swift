import SenseCore

package struct AlarmDefinition: Sendable, Hashable {
    package enum Command: String, Sendable, Hashable, CaseIterable { case ack, shelve, unshelve }

    package var name: String
    package var channel: ChannelRef
    package var threshold: Threshold.Settings
    package var priority: Alarm.Priority
    package var latched: Bool
    package var chatter: Alarm.Chatter
    /// While chattering, transitions are not annunciated (the state is still kept, and rules
    /// still see the condition); the current state is published when chattering ends.
    package var suppressChatter: Bool
    package var maximumShelve: Duration
    /// The operator commands this alarm accepts over MQTT.
    package var allowedCommands: Set<Command>
    package var description: String

    package init(
        name: String, channel: ChannelRef, threshold: Threshold.Settings, priority: Alarm.Priority = .medium,
        latched: Bool = false, chatter: Alarm.Chatter = .init(), suppressChatter: Bool = true,
        maximumShelve: Duration = .seconds(8 * 3600),
        allowedCommands: Set<Command> = Set(Command.allCases), description: String = ""
    ) {
        self.name = name
        self.channel = channel
        self.threshold = threshold
        self.priority = priority
        self.latched = latched
        self.chatter = chatter
        self.suppressChatter = suppressChatter
        self.maximumShelve = maximumShelve
        self.allowedCommands = allowedCommands
        self.description = description
    }
}

/// What an alarm looks like after a change: everything `<root>/alarm/<name>` carries.
package struct AlarmSnapshot: Sendable, Hashable {
    package var name: String
    package var state: Alarm.State
    package var priority: Alarm.Priority
    package var channel: ChannelRef
    package var direction: Threshold.Direction
    package var limit: Double
    package var deadband: Double
    /// The channel's last value (nil when it was bad) and quality.
    package var value: Double?
    package var quality: Quality
    package var since: WallTime?
    package var shelved: Bool
    package var chattering: Bool
    package var latched: Bool
    package var time: WallTime
    package var description: String
}

/// The node's alarms at a glance (`<root>/alarms`).
package struct AlarmSummary: Sendable, Hashable {
    package var active: Int
    package var unacknowledged: Int
    package var shelved: Int
    package var flood: Bool
    package var activationsInWindow: Int
    package var heldBack: [String]
}

/// The alarms of a configuration, fed with analysed samples. Pure: time comes from the samples
/// and from `tick`.
package struct AlarmEngine: Sendable {
    package enum CommandRefusal: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownAlarm(String)
        case notAllowed(String, AlarmDefinition.Command)
        case refused(Alarm.Refusal)

        package var description: String {
            switch self {
            case let .unknownAlarm(n): "no alarm named '\(n)'"
            case let .notAllowed(n, c): "'\(c.rawValue)' is not allowed for alarm '\(n)' by its configuration"
            case let .refused(r): r.description
            }
        }
    }

    private struct Entry: Sendable {
        let definition: AlarmDefinition
        var threshold: Threshold
        var alarm: Alarm
        var lastValue: Double?
        var lastQuality: Quality = .uncertain  // no sample yet
        var sinceWall: WallTime?
        var shelved = false
        var chattering = false
    }

    private var entries: [String: Entry] = [:]
    private let order: [String]
    package private(set) var flood: AlarmFlood
    /// Alarms whose changes a flood kept from being annunciated; published when it ends.
    private var heldBack: [String] = []

    package init(_ definitions: [AlarmDefinition], flood: AlarmFlood.Settings = .init()) {
        self.flood = AlarmFlood(flood)
        for d in definitions {
            entries[d.name] = Entry(
                definition: d, threshold: Threshold(d.threshold),
                alarm: Alarm(priority: d.priority, latched: d.latched, chatter: d.chatter, maximumShelve: d.maximumShelve))
        }
        order = definitions.map(\.name)
    }

    package var names: [String] { order }

    /// A reload: every alarm whose definition did not change takes its whole state from `old`
    /// (active or not, acknowledged, shelved and until when, latched, chattering, its threshold's
    /// pending delays and the channel's last value); a new or changed alarm starts afresh. The
    /// flood's activations carry over when its settings did not change. Returns the alarms kept.
    @discardableResult
    package mutating func carryOver(from old: AlarmEngine) -> [String] {
        var kept: [String] = []
        for name in order {
            guard let previous = old.entries[name], previous.definition == entries[name]?.definition else { continue }
            entries[name] = previous
            kept.append(name)
        }
        if old.flood.settings == flood.settings {
            flood = old.flood
            heldBack = old.heldBack.filter { kept.contains($0) }
        }
        return kept
    }

    /// Whether the alarm is active (its qualified condition holds, or it is latched).
    package func isActive(_ name: String) -> Bool { entries[name]?.alarm.state.isActive ?? false }

    /// Every alarm's current snapshot (published retained at start and on reconnect).
    package func snapshots(wall: WallTime) -> [AlarmSnapshot] { order.map { snapshot(entries[$0]!, wall: wall) } }

    /// Feeds analysed samples (channels and derived); returns the alarms that changed.
    package mutating func update(_ samples: [Sample]) -> [AlarmSnapshot] {
        var changed: [AlarmSnapshot] = []
        for s in samples {
            let ref = ChannelRef(s)
            for name in order where entries[name]!.definition.channel == ref {
                var e = entries[name]!
                let wasChattering = e.chattering
                e.lastValue = s.value
                e.lastQuality = s.quality
                let active = e.threshold.update(s.value, quality: s.quality, at: s.monotonic)
                let transition = e.alarm.condition(active, at: s.monotonic)
                if transition != nil { e.sinceWall = s.wall }
                if transition == .activeUnacknowledged { _ = flood.activation(at: s.monotonic) }
                e.chattering = e.alarm.isChattering(at: s.monotonic)
                e.shelved = e.alarm.isShelved(at: s.monotonic)
                entries[name] = e
                // A chattering alarm is annunciated when it starts and stops chattering, not in between.
                let suppressed = e.chattering && wasChattering && e.definition.suppressChatter
                guard (transition != nil && !suppressed) || e.chattering != wasChattering else { continue }
                if flood.isFlooding, flood.settings.suppress.contains(e.definition.priority) {
                    if !heldBack.contains(name) { heldBack.append(name) }
                } else {
                    changed.append(snapshot(e, wall: s.wall))
                }
            }
        }
        return changed
    }

    /// Expires shelving, chattering and floods; returns the alarms whose shelf or chattering
    /// ended, and those a flood held back once it is over.
    package mutating func tick(at t: MonotonicInstant, wall: WallTime) -> [AlarmSnapshot] {
        var changed: [AlarmSnapshot] = []
        if flood.update(at: t), !flood.isFlooding {
            changed += heldBack.map { snapshot(entries[$0]!, wall: wall) }
            heldBack = []
        }
        for name in order {
            var e = entries[name]!
            let shelfEnded = e.shelved && !e.alarm.isShelved(at: t)
            let chatterEnded = e.chattering && !e.alarm.isChattering(at: t)
            guard shelfEnded || chatterEnded else { continue }
            if shelfEnded { e.shelved = false }
            if chatterEnded { e.chattering = false }
            entries[name] = e
            if !changed.contains(where: { $0.name == name }) { changed.append(snapshot(e, wall: wall)) }
        }
        return changed
    }

    /// What a public alert needs to know of an alarm: whether it is active, whether an operator
    /// shelved it, and whether its channel has shown, with a usable value and no change pending,
    /// that the condition is absent (`settledClear`) — the only evidence on which an alert that
    /// was issued may be cancelled.
    package struct PublicCondition: Sendable, Hashable {
        package var active: Bool
        package var shelved: Bool
        package var chattering: Bool
        package var settledClear: Bool
        package var snapshot: AlarmSnapshot
    }

    package func publicCondition(_ name: String, at t: MonotonicInstant, wall: WallTime) -> PublicCondition? {
        guard let e = entries[name] else { return nil }
        let active = e.alarm.state.isActive
        let usable = e.lastValue != nil && e.lastQuality != .bad
        var alarm = e.alarm  // asking about an expired shelf removes it: on a copy
        return PublicCondition(
            active: active, shelved: alarm.isShelved(at: t), chattering: e.alarm.isChattering(at: t),
            settledClear: !active && usable && !e.threshold.isActive && !e.threshold.isQualifying,
            snapshot: snapshot(e, wall: wall))
    }

    /// Counts for `<root>/alarms`.
    package func summary(at t: MonotonicInstant) -> AlarmSummary {
        let states = order.map { entries[$0]!.alarm.state }
        return AlarmSummary(
            active: states.filter(\.isActive).count,
            unacknowledged: states.filter { $0 == .activeUnacknowledged || $0 == .clearedUnacknowledged }.count,
            shelved: order.filter { entries[$0]!.shelved }.count,
            flood: flood.isFlooding, activationsInWindow: flood.count(at: t), heldBack: heldBack)
    }

    /// An operator command; the alarm's new snapshot, or why it was refused.
    package mutating func command(
        _ c: AlarmDefinition.Command, alarm name: String, shelveFor: Duration? = nil,
        at t: MonotonicInstant, wall: WallTime
    ) throws(CommandRefusal) -> AlarmSnapshot {
        guard var e = entries[name] else { throw .unknownAlarm(name) }
        guard e.definition.allowedCommands.contains(c) else { throw .notAllowed(name, c) }
        do throws(Alarm.Refusal) {
            switch c {
            case .ack:
                if try e.alarm.acknowledge(at: t) != nil { e.sinceWall = wall }
            case .shelve:
                try e.alarm.shelve(for: shelveFor ?? .zero, at: t)
                e.shelved = true
            case .unshelve:
                try e.alarm.unshelve()
                e.shelved = false
            }
        } catch {
            throw .refused(error)
        }
        entries[name] = e
        return snapshot(e, wall: wall)
    }

    private func snapshot(_ e: Entry, wall: WallTime) -> AlarmSnapshot {
        let d = e.definition
        return AlarmSnapshot(
            name: d.name, state: e.alarm.state, priority: d.priority, channel: d.channel,
            direction: d.threshold.direction, limit: d.threshold.limit, deadband: d.threshold.deadband,
            value: e.lastValue, quality: e.lastQuality, since: e.sinceWall, shelved: e.shelved,
            chattering: e.chattering, latched: d.latched, time: wall, description: d.description)
    }
}
