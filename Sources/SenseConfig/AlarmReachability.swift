import SenseAnalysis
import SenseCore

/// Whether an alarm's limits can be met at all by what its channel can read: a high limit of
/// 120 %RH never raises, and a deadband of 100 on a limit of 80 %RH never clears (the value would
/// have to fall to −20 %RH). `check` reports both, since either makes a silent alarm.
enum AlarmReachability {
    /// What the channel can read: its `range:` quality check (anything outside is bad, and a bad
    /// value neither raises nor clears), narrowed by what its unit allows. Nil where a filter
    /// rescales the value (calibrate, offset, …) or nothing is known.
    static func readable(_ ref: ChannelRef, sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>) -> ClosedRange<Double>? {
        switch ref {
        case let .sensor(name, quantity):
            guard let sensor = sensors[name], let unit = sensor.kind.channels.first(where: { $0.0 == quantity })?.1 else { return nil }
            var bounds = sensor.kind.driverName == "digital_input" && quantity == "state" ? 0...1 : physical(unit)
            if let settings = sensor.channels[quantity] {
                guard !settings.filters.contains(where: rescales) else { return nil }
                let lo = max(bounds?.lowerBound ?? -.infinity, settings.quality.minimum ?? -.infinity)
                let hi = min(bounds?.upperBound ?? .infinity, settings.quality.maximum ?? .infinity)
                bounds = lo <= hi ? lo...hi : nil
            }
            return bounds
        case let .derived(name):
            return derived[name].flatMap { physical($0.model.unit) }
        case .aggregate:
            return nil
        }
    }

    /// The problem with `threshold` on a channel that reads within `bounds`, if there is one, and
    /// the key it is about.
    static func problem(_ t: Threshold.Settings, channel: ChannelRef, bounds: ClosedRange<Double>) -> (key: String, message: String)? {
        let within = "\(channel) reads within \(plain(bounds.lowerBound))…\(plain(bounds.upperBound))"
        switch t.direction {
        case .high:
            if t.limit > bounds.upperBound { return ("high", "high: \(plain(t.limit)) can never be reached: \(within)") }
            let clear = t.limit - t.deadband
            if clear < bounds.lowerBound {
                return (
                    "deadband",
                    "with deadband \(plain(t.deadband)) the alarm clears only at or below \(plain(clear)), and \(within): "
                        + "it could never clear; make the deadband smaller than \(plain(t.limit - bounds.lowerBound))"
                )
            }
        case .low:
            if t.limit < bounds.lowerBound { return ("low", "low: \(plain(t.limit)) can never be reached: \(within)") }
            let clear = t.limit + t.deadband
            if clear > bounds.upperBound {
                return (
                    "deadband",
                    "with deadband \(plain(t.deadband)) the alarm clears only at or above \(plain(clear)), and \(within): "
                        + "it could never clear; make the deadband smaller than \(plain(bounds.upperBound - t.limit))"
                )
            }
        }
        return nil
    }

    /// Bounds that follow from the unit itself.
    static func physical(_ unit: Unit) -> ClosedRange<Double>? {
        switch unit {
        case .relativeHumidity, .percent: 0...100
        case .celsius: -273.15...Double.infinity
        case .pascal, .hectopascal, .count, .ppm, .ppb, .microgramPerCubicMetre, .milligramPerCubicMetre, .gramPerCubicMetre,
            .perCubicCentimetre, .millimetre, .millimetrePerHour, .litre, .litrePerMinute, .hertz, .cubicMetrePerSecond,
            .microsecond, .kilometrePerHour, .perHour, .perKilometre:
            0...Double.infinity
        default: nil
        }
    }

    private static func rescales(_ f: FilterSpec) -> Bool {
        switch f {
        case .calibrateLinear, .polynomial, .offset, .multiply: true
        default: false
        }
    }

    private static func plain(_ v: Double) -> String { ScalarReader.plain(v) }
}
