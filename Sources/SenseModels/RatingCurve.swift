/// A site's stage–discharge rating: power-law segments Q = C·(h − e)^b, each valid from its
/// lower stage up to the next segment's, plus a shift (USGS practice: a correction in stage for
/// a changed control, applied to the gauge reading before the curve).
package struct RatingCurve: Sendable, Hashable {
    package struct Segment: Sendable, Hashable {
        /// The stage from which this segment applies.
        package var from: Double
        package var c: Double
        /// Gauge height of zero flow.
        package var zeroFlow: Double
        package var exponent: Double

        package init(from: Double, c: Double, zeroFlow: Double, exponent: Double) {
            self.from = from
            self.c = c
            self.zeroFlow = zeroFlow
            self.exponent = exponent
        }
    }

    /// In ascending order of `from`.
    package var segments: [Segment]
    /// The highest stage the rating was measured to; above it Q is an extrapolation.
    package var validTo: Double?
    package var shift: Double

    package init(segments: [Segment], validTo: Double? = nil, shift: Double = 0) {
        precondition(!segments.isEmpty, "a rating has at least one segment")
        self.segments = segments.sorted { $0.from < $1.from }
        self.validTo = validTo
        self.shift = shift
    }

    package enum Range: Sendable, Hashable {
        case rated
        /// Below the lowest segment: Q is the lowest segment's (often 0), outside the gaugings.
        case belowRating
        /// Above `validTo`: an extrapolation of the top segment.
        case aboveRating
    }

    /// Discharge at gauge reading `stage`, and whether it lies within the rated range.
    package func discharge(stage: Double) -> (discharge: Double, range: Range) {
        let h = stage + shift
        let segment = segments.last { $0.from <= h } ?? segments[0]
        let q = Discharge.powerLaw(stage: h, c: segment.c, zeroFlow: segment.zeroFlow, exponent: segment.exponent)
        let range: Range = if h < segments[0].from { .belowRating } else if let top = validTo, h > top { .aboveRating } else { .rated }
        return (q, range)
    }

    /// Where adjacent segments disagree at their joint by more than `tolerance` (relative): a
    /// step in discharge a user most likely did not intend.
    package func discontinuities(tolerance: Double = 0.02) -> [(stage: Double, below: Double, above: Double)] {
        zip(segments, segments.dropFirst()).compactMap { lower, upper in
            let a = Discharge.powerLaw(stage: upper.from, c: lower.c, zeroFlow: lower.zeroFlow, exponent: lower.exponent)
            let b = Discharge.powerLaw(stage: upper.from, c: upper.c, zeroFlow: upper.zeroFlow, exponent: upper.exponent)
            let scale = max(abs(a), abs(b), 1e-9)
            return abs(a - b) / scale > tolerance ? (upper.from, a, b) : nil
        }
    }
}
