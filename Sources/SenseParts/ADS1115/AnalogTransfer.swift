import SenseCore
import SenseDrivers

/// How a voltage at an ADC input becomes a physical quantity: a transmitter's or a gas sensor's
/// transfer function. Pure; the inverse lets the simulator produce the voltage of a given value.
package enum AnalogTransfer: Sendable, Hashable {
    /// Two calibration points, `(volts.0 → values.0)` and `(volts.1 → values.1)`, extrapolated.
    case linear(v0: Double, v1: Double, y0: Double, y1: Double)
    /// y = c₀ + c₁·V + c₂·V² + …
    case polynomial([Double])
    /// A 4–20 mA loop measured across a shunt of `ohms`: 4 mA → `y0`, 20 mA → `y1`, with the
    /// NAMUR NE 43 limits (below 3.6 or above 21 mA: a failed loop; 3.6–3.8 or 20.5–21 mA: the
    /// transmitter signals it is beyond its range).
    case currentLoop(ohms: Double, y0: Double, y1: Double)

    /// The quantity for a voltage, or the reason there is none.
    package func apply(volts v: Double) -> (value: Double?, quality: Quality, reason: QualityReason?) {
        switch self {
        case let .linear(v0, v1, y0, y1):
            return (y0 + (v - v0) * (y1 - y0) / (v1 - v0), .good, nil)
        case let .polynomial(c):
            var y = 0.0
            for coefficient in c.reversed() { y = y * v + coefficient }
            return (y, .good, nil)
        case let .currentLoop(ohms, y0, y1):
            let mA = v / ohms * 1000
            let y = y0 + (mA - 4) * (y1 - y0) / 16
            if mA < 3.6 || mA > 21 { return (nil, .bad, .outOfRange) }
            if mA < 3.8 || mA > 20.5 { return (y, .uncertain, .outOfRange) }
            return (y, .good, nil)
        }
    }

    /// The voltage that reads as `y` (for the simulator); nil for a polynomial with no root in
    /// 0…6.144 V.
    package func volts(for y: Double) -> Double? {
        switch self {
        case let .linear(v0, v1, y0, y1):
            return v0 + (y - y0) * (v1 - v0) / (y1 - y0)
        case let .currentLoop(ohms, y0, y1):
            return (4 + (y - y0) * 16 / (y1 - y0)) / 1000 * ohms
        case .polynomial:
            // Bisection over the ADC's widest input range; the transfer must be monotonic there.
            var lo = 0.0, hi = 6.144
            guard let a = apply(volts: lo).value, let b = apply(volts: hi).value,
                (min(a, b)...max(a, b)).contains(y)
            else { return nil }
            let rising = b > a
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                if (apply(volts: mid).value! < y) == rising { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
    }
}
