import SenseCore

/// Weather the gateway must react to: a quantity pushed away from the world's value by `change`,
/// ramped in linearly, held, and ramped out — a heat wave on a cabinet, a humid night. Times
/// count from `start` (the daemon's start), on civil time like the world itself.
package struct Excursion: Sendable, Hashable {
    package enum Quantity: String, Sendable, Hashable, CaseIterable {
        case temperature, humidity, pressure
        /// A smoke event (µg/m³ of PM2.5, nearly all of it fine: PM10 grows by 1.1 times as much).
        case pm2_5
        /// A crowded room (ppm).
        case co2
    }

    package var quantity: Quantity
    /// °C, %RH, Pa, µg/m³ or ppm.
    package var change: Double
    package var after: Duration
    package var ramp: Duration
    package var hold: Duration

    package init(quantity: Quantity, change: Double, after: Duration, ramp: Duration = .zero, hold: Duration) {
        self.quantity = quantity
        self.change = change
        self.after = after
        self.ramp = ramp
        self.hold = hold
    }

    /// The fraction of `change` applied `t` after the start (0…1).
    func weight(at t: Duration) -> Double {
        let start = after
        let top = start + ramp
        let down = top + hold
        let end = down + ramp
        if t < start || t >= end { return 0 }
        if t < top { return (t - start) / ramp }
        if t < down { return 1 }
        return (end - t) / ramp
    }
}

/// A world with excursions on top.
package struct ExcursionAir: AirSource {
    package let base: any AirSource
    package let excursions: [Excursion]
    package let start: WallTime

    package init(base: any AirSource, excursions: [Excursion], start: WallTime) {
        self.base = base
        self.excursions = excursions
        self.start = start
    }

    package func conditions(at time: WallTime) -> AirConditions {
        var air = base.conditions(at: time)
        let t = Duration.nanoseconds(time.nanosecondsSinceEpoch - start.nanosecondsSinceEpoch)
        for e in excursions {
            let delta = e.change * e.weight(at: t)
            switch e.quantity {
            case .temperature: air.temperature += delta
            case .humidity: air.humidity = min(100, max(0, air.humidity + delta))
            case .pressure: air.pressure += delta
            case .pm2_5:
                let added = max(-air.pollution.pm2_5, delta)
                air.pollution.pm2_5 += added
                air.pollution.smoke = max(0, air.pollution.smoke + added)
            case .co2: air.pollution.co2 = max(0, air.pollution.co2 + delta)
            }
        }
        return air
    }
}
