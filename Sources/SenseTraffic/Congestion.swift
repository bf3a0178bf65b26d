/// A congestion flag with hysteresis and time qualification (§D1): raised after `intervals`
/// consecutive intervals at or above the occupancy limit (or below the speed limit, if set),
/// cleared after as many intervals below the clearing occupancy (and above the speed limit).
package struct CongestionSettings: Sendable, Hashable {
    /// Fractions of time occupied.
    package var occupancy: Double
    package var clearOccupancy: Double
    /// km/h; nil to judge by occupancy alone.
    package var speedBelow: Double?
    package var intervals: Int

    package init(occupancy: Double = 0.25, clearOccupancy: Double = 0.15, speedBelow: Double? = nil, intervals: Int = 3) {
        precondition(clearOccupancy <= occupancy && intervals >= 1)
        self.occupancy = occupancy
        self.clearOccupancy = clearOccupancy
        self.speedBelow = speedBelow
        self.intervals = intervals
    }
}

package struct CongestionFlag: Sendable, Hashable {
    package let settings: CongestionSettings
    package private(set) var congested = false
    private var streak = 0

    package init(settings: CongestionSettings) { self.settings = settings }

    /// One closed interval; an interval without trustworthy data leaves the flag where it is.
    package mutating func update(occupancy: Double?, speed: Double?) {
        guard let occupancy else { return }
        let slow = settings.speedBelow.flatMap { limit in speed.map { $0 < limit } }
        let onSide = occupancy >= settings.occupancy || slow == true
        let offSide = occupancy < settings.clearOccupancy && slow != true
        if congested ? offSide : onSide {
            streak += 1
            if streak >= settings.intervals {
                congested.toggle()
                streak = 0
            }
        } else {
            streak = 0
        }
    }
}
