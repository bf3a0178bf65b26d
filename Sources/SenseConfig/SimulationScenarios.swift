/// What `simulation:` may ask of the simulated world, as configuration: names and numbers only.
/// The simulator has its own types for them (`Excursion`, `RoadWorld.Scenario`,
/// `CatchmentWorld.Scenario`); the daemon's simulation rig translates, so the production config
/// layer never imports the simulator (issue 18). A test keeps the two lists of names equal.

/// A quantity pushed away from the world's value: ramped in, held, ramped out (docs/simulator.md).
package struct ExcursionSetting: Sendable, Hashable {
    package enum Quantity: String, Sendable, Hashable, CaseIterable {
        case temperature, humidity, pressure
        case pm2_5
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
}

/// The traffic past a simulated station.
package enum RoadScenario: String, Sendable, Hashable, CaseIterable {
    case freeFlow = "free_flow"
    case rushHour = "rush_hour"
    case incident
}

/// The weather over a simulated catchment.
package enum CatchmentScenario: String, Sendable, Hashable, CaseIterable {
    case dry
    case steadyRain = "steady_rain"
    case flashFlood = "flash_flood"
}
