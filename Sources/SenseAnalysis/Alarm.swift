import SenseCore

/// An alarm as ISA-18.2 / IEC 62682 describe it (physics reference §D2): the condition and the
/// operator's acknowledgement are separate, so an operator always sees an alarm that came and
/// went. Shelving (operator, with an expiry) hides annunciation without losing state; chattering
/// (too many activations in a window) is flagged so it can be suppressed.
package struct Alarm: Sendable {
    package enum State: String, Sendable, Hashable {
        case normal
        case activeUnacknowledged = "active_unacknowledged"
        case activeAcknowledged = "active_acknowledged"
        case clearedUnacknowledged = "cleared_unacknowledged"

        package var isActive: Bool { self == .activeUnacknowledged || self == .activeAcknowledged }
    }

    package enum Priority: String, Sendable, Hashable, CaseIterable { case low, medium, high, critical }

    /// Why an operator command was refused.
    package enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case nothingToAcknowledge
        case shelveTooLong(maximum: Duration)
        case notShelved

        package var description: String {
            switch self {
            case .nothingToAcknowledge: "the alarm is normal: nothing to acknowledge"
            case let .shelveTooLong(max): "shelving is limited to \(Int(max.seconds)) s for this alarm"
            case .notShelved: "the alarm is not shelved"
            }
        }
    }

    package struct Chatter: Sendable, Hashable {
        /// More than `activations` within `window` is chattering (rule of thumb: ≥ 3 in 1 min).
        package var activations: Int
        package var window: Duration
        package init(activations: Int = 3, window: Duration = .seconds(60)) {
            self.activations = activations
            self.window = window
        }
    }

    package let priority: Priority
    /// A latched alarm stays active after its condition clears, until an operator acknowledges
    /// (resets) it.
    package let latched: Bool
    package let chatter: Chatter
    package let maximumShelve: Duration
    package private(set) var state: State = .normal
    package private(set) var since: MonotonicInstant?
    package private(set) var shelvedUntil: MonotonicInstant?
    private var activations: [MonotonicInstant] = []
    /// The condition as last reported (a latched alarm may be active without it).
    package private(set) var conditionPresent = false

    package init(
        priority: Priority = .medium, latched: Bool = false, chatter: Chatter = Chatter(),
        maximumShelve: Duration = .seconds(8 * 3600)
    ) {
        self.priority = priority
        self.latched = latched
        self.chatter = chatter
        self.maximumShelve = maximumShelve
    }

    /// The condition as the (qualified) threshold or rule reports it; returns the new state when
    /// it changed.
    @discardableResult
    package mutating func condition(_ active: Bool, at t: MonotonicInstant) -> State? {
        conditionPresent = active
        let next: State
        switch (state, active) {
        case (.normal, true), (.clearedUnacknowledged, true): next = .activeUnacknowledged
        case (.activeUnacknowledged, false): if latched { return nil } else { next = .clearedUnacknowledged }
        case (.activeAcknowledged, false): next = .normal
        default: return nil
        }
        if next == .activeUnacknowledged { recordActivation(t) }
        return move(to: next, at: t)
    }

    /// The operator's acknowledgement.
    @discardableResult
    package mutating func acknowledge(at t: MonotonicInstant) throws(Refusal) -> State? {
        switch state {
        case .normal: throw .nothingToAcknowledge
        case .activeUnacknowledged: return move(to: latched && !conditionPresent ? .normal : .activeAcknowledged, at: t)
        case .clearedUnacknowledged: return move(to: .normal, at: t)
        case .activeAcknowledged: return nil  // acknowledging twice is harmless
        }
    }

    package mutating func shelve(for d: Duration, at t: MonotonicInstant) throws(Refusal) {
        guard d <= maximumShelve, d > .zero else { throw .shelveTooLong(maximum: maximumShelve) }
        shelvedUntil = t + d
    }

    package mutating func unshelve() throws(Refusal) {
        guard shelvedUntil != nil else { throw .notShelved }
        shelvedUntil = nil
    }

    /// Whether annunciation is hidden now; an expired shelf is removed.
    package mutating func isShelved(at t: MonotonicInstant) -> Bool {
        if let until = shelvedUntil, t >= until { shelvedUntil = nil }
        return shelvedUntil != nil
    }

    /// Whether the alarm is chattering: more than `chatter.activations` activations in any
    /// `chatter.window` up to now.
    package func isChattering(at t: MonotonicInstant) -> Bool {
        activations.filter { t - $0 <= chatter.window }.count >= chatter.activations
    }

    private mutating func recordActivation(_ t: MonotonicInstant) {
        activations.append(t)
        activations.removeAll { t - $0 > chatter.window }
    }

    private mutating func move(to next: State, at t: MonotonicInstant) -> State {
        state = next
        since = t
        return next
    }

    /// The largest number of times within any `window` (for chatter and flood analysis).
    package static func maximumInWindow(_ times: [MonotonicInstant], window: Duration) -> Int {
        let sorted = times.sorted()
        var best = 0
        var start = 0
        for end in sorted.indices {
            while sorted[end] - sorted[start] > window { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }
}
