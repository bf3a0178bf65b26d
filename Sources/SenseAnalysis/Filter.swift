import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// One filter of a channel's chain, as declared in the config. Applied in order; a filter that
/// drops a sample ends the chain for it (like ESPHome's filters).
package enum FilterSpec: Sendable, Hashable {
    /// Two-point linear calibration: (raw₁ → true₁), (raw₂ → true₂).
    case calibrateLinear(raw1: Double, true1: Double, raw2: Double, true2: Double)
    /// y = c₀ + c₁x + c₂x² + …
    case polynomial([Double])
    case offset(Double)
    case multiply(Double)
    /// Median of the last N (fewer at start). Trailing: a live filter cannot look ahead.
    case median(Int)
    /// Mean of the last N (fewer at start).
    case movingAverage(Int)
    /// First-order low-pass with time constant τ: α = 1 − exp(−Δt/τ) from the real spacing.
    case ema(tau: Duration)
    /// Passes a sample only if it differs from the last passed by at least d.
    case delta(Double)
    /// Passes at most one sample per period.
    case throttle(Duration)
    /// Never lets the dropping filters (delta, throttle) silence the channel for longer than this.
    case heartbeat(Duration)
    /// Limits the value to [min, max] (unlike a range check, which rejects).
    case clamp(Double, Double)

    var drops: Bool {
        switch self {
        case .delta, .throttle: true
        default: false
        }
    }
}

/// A filter with its state.
struct FilterStage: Sendable {
    let spec: FilterSpec
    private var window: [Double] = []
    private var ema: (value: Double, time: MonotonicInstant)?
    private var lastPassed: (value: Double, time: MonotonicInstant)?

    init(_ spec: FilterSpec) { self.spec = spec }

    /// The filtered value, or nil to drop. `exempt`: the heartbeat is due, do not drop.
    mutating func apply(_ x: Double, at t: MonotonicInstant, exempt: Bool) -> Double? {
        switch spec {
        case let .calibrateLinear(r1, t1, r2, t2):
            return t1 + (x - r1) * (t2 - t1) / (r2 - r1)
        case let .polynomial(c):
            return c.reversed().reduce(0) { $0 * x + $1 }
        case let .offset(d):
            return x + d
        case let .multiply(k):
            return x * k
        case let .median(n):
            push(x, n)
            let sorted = window.sorted()
            return sorted[sorted.count / 2]
        case let .movingAverage(n):
            push(x, n)
            return window.reduce(0, +) / Double(window.count)
        case let .ema(tau):
            guard let prev = ema else {
                ema = (x, t)
                return x
            }
            let alpha = 1 - exp(-(t - prev.time).seconds / tau.seconds)
            let y = prev.value + alpha * (x - prev.value)
            ema = (y, t)
            return y
        case let .delta(d):
            if let p = lastPassed, abs(x - p.value) < d, !exempt { return nil }
            lastPassed = (x, t)
            return x
        case let .throttle(period):
            if let p = lastPassed, t - p.time < period, !exempt { return nil }
            lastPassed = (x, t)
            return x
        case .heartbeat:
            return x
        case let .clamp(lo, hi):
            return min(max(x, lo), hi)
        }
    }

    private mutating func push(_ x: Double, _ n: Int) {
        window.append(x)
        if window.count > n { window.removeFirst(window.count - n) }
    }
}
