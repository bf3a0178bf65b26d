#if canImport(Glibc)
    import Glibc
#endif

/// Discharge from stage (physics reference §B2). SI: m, m³/s.
package enum Discharge {
    /// Q = C·(h − e)^b above the gauge height of zero flow e; 0 at or below it.
    package static func powerLaw(stage h: Double, c: Double, zeroFlow e: Double, exponent b: Double) -> Double {
        h > e ? c * pow(h - e, b) : 0
    }

    /// A channel cross-section flowing at depth y.
    package enum Section: Sendable, Hashable {
        case rectangular(width: Double)
        /// Bottom width and side slope z (horizontal per vertical); z = 0 is a rectangle.
        case trapezoidal(bottomWidth: Double, sideSlope: Double)
        /// A circular pipe, flowing part full (y ≤ D).
        case circular(diameter: Double)

        /// Flow area and wetted perimeter at depth `y`.
        package func geometry(depth y: Double) -> (area: Double, perimeter: Double) {
            switch self {
            case let .rectangular(b):
                return (b * y, b + 2 * y)
            case let .trapezoidal(b, z):
                return ((b + z * y) * y, b + 2 * y * (1 + z * z).squareRoot())
            case let .circular(d):
                let theta = 2 * acos(1 - 2 * min(y, d) / d)  // central angle of the wetted arc
                return (d * d / 8 * (theta - sin(theta)), d * theta / 2)
            }
        }
    }

    /// Manning's equation, SI (k = 1): velocity and discharge of uniform flow.
    package static func manning(
        section: Section, depth y: Double, roughness n: Double,
        slope s: Double
    ) -> (area: Double, perimeter: Double, radius: Double, velocity: Double, discharge: Double) {
        let (a, p) = section.geometry(depth: y)
        guard a > 0, p > 0 else { return (0, p, 0, 0, 0) }
        let r = a / p
        let v = pow(r, 2.0 / 3.0) * s.squareRoot() / n
        return (a, p, r, v, v * a)
    }

    /// Kindsvater–Shen head correction for a fully contracted 90° notch: 0.0029 ft.
    package static let vNotch90HeadCorrection = 0.0029 * 0.3048
    /// Kindsvater–Shen discharge coefficient for a fully contracted 90° notch.
    package static let vNotch90Coefficient = 0.578

    /// Thin-plate V-notch weir (Kindsvater–Shen): Q = (8/15)·Ce·√(2g)·tan(θ/2)·(h + kh)^(5/2).
    package static func vNotchWeir(
        head h: Double, angleDegrees theta: Double, coefficient ce: Double = vNotch90Coefficient,
        headCorrection kh: Double = vNotch90HeadCorrection,
        gravity g: Double = WaterLevel.standardGravity
    ) -> Double {
        guard h > 0 else { return 0 }
        return 8.0 / 15.0 * ce * (2 * g).squareRoot() * tan(theta * .pi / 360) * pow(h + kh, 2.5)
    }

    /// Thin-plate rectangular weir with the Francis end-contraction correction:
    /// Q = (2/3)·Cd·√(2g)·(L − 0.1·n·h)·h^(3/2).
    package static func rectangularWeir(
        head h: Double, crestLength l: Double, coefficient cd: Double,
        endContractions n: Int, gravity g: Double = WaterLevel.standardGravity
    ) -> (effectiveLength: Double, discharge: Double) {
        guard h > 0 else { return (l, 0) }
        let le = l - 0.1 * Double(n) * h
        return (le, 2.0 / 3.0 * cd * (2 * g).squareRoot() * max(le, 0) * pow(h, 1.5))
    }
}
