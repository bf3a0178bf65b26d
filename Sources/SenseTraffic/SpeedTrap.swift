import SenseCore

/// Pairs the pulses of a lane's two detectors into vehicles, in order, without inventing any.
///
/// Physics decides most pairs: pulses on one detector never overlap, so if a downstream pulse
/// begins while an upstream pulse is still on, that upstream pulse is the same vehicle (it is
/// longer than the gap between the zones). A vehicle shorter than the gap (a motorcycle) is on
/// one zone at a time; its pair is the earlier upstream pulse whose leading- and trailing-edge
/// times agree and imply a plausible short vehicle. Upstream pulses passed over are vehicles the
/// downstream detector missed; a downstream pulse with no pair is one the upstream missed (or a
/// fragment). Lanes keep their order, so nothing is matched out of sequence.
package struct SpeedTrap: Sendable {
    package enum Outcome: Sendable, Hashable {
        /// Seen by both detectors.
        case matched(upstream: DetectorPulse, downstream: DetectorPulse)
        /// Seen upstream only: counted, with no speed.
        case upstreamOnly(DetectorPulse)
        /// Seen downstream only: not counted where the upstream detector counts.
        case downstreamOnly(DetectorPulse)
    }

    package let geometry: TrapGeometry
    private var upstream: [DetectorPulse] = []
    private var downstream: [DetectorPulse] = []
    private var downstreamOnSince: MonotonicInstant?

    package init(geometry: TrapGeometry) {
        precondition(geometry.isTrap, "a speed trap has two detectors some distance apart")
        self.geometry = geometry
    }

    /// A completed pulse. Each detector's pulses arrive in order; the two detectors' may interleave.
    package mutating func add(_ pulse: DetectorPulse, from role: DetectorRole) {
        switch role {
        case .upstream: upstream.append(pulse)
        case .downstream:
            downstream.append(pulse)
            if let s = downstreamOnSince, s <= pulse.on { downstreamOnSince = nil }
        }
    }

    /// The downstream detector became occupied (its pulse is not complete yet).
    package mutating func downstreamOccupied(since time: MonotonicInstant) { downstreamOnSince = time }

    /// Decides every pulse that can be decided knowing every edge up to `horizon`: the outcomes
    /// in the order vehicles arrived upstream.
    package mutating func resolve(upTo horizon: MonotonicInstant) -> [Outcome] {
        var out: [Outcome] = []
        while let b = downstream.first, b.off <= horizon {
            downstream.removeFirst()
            if let i = partner(of: b) {
                for a in upstream[..<i] { out.append(.upstreamOnly(a)) }
                out.append(.matched(upstream: upstream[i], downstream: b))
                upstream.removeFirst(i + 1)
            } else {
                out.append(.downstreamOnly(b))
            }
        }
        // An upstream pulse nothing downstream can still pair with: its front would have reached
        // the downstream detector by now even at the slowest matched speed.
        let maxTravel = geometry.maxTravel
        while let a = upstream.first, horizon - a.on > maxTravel, !mayStillPair(a) {
            upstream.removeFirst()
            out.append(.upstreamOnly(a))
        }
        return out
    }

    /// Pulses still undecided (for bounds and tests).
    package var pending: (upstream: Int, downstream: Int) { (upstream.count, downstream.count) }

    private func mayStillPair(_ a: DetectorPulse) -> Bool {
        if downstream.contains(where: { $0.on > a.on }) { return true }
        guard let s = downstreamOnSince else { return false }
        return s > a.on && (s <= a.off || s - a.on <= geometry.maxTravel)
    }

    /// The index of `b`'s upstream pulse, if any.
    private func partner(of b: DetectorPulse) -> Int? {
        var best: (index: Int, mismatch: Double)?
        for (i, a) in upstream.enumerated() {
            guard a.on < b.on else { break }
            guard a.off < b.off else { continue }
            if a.off > b.on { return i }  // on both zones at b's leading edge: the same vehicle
            let lead = b.on - a.on, trail = b.off - a.off
            guard lead >= geometry.minTravel, lead <= geometry.maxTravel, trail > .zero else { continue }
            let vLead = geometry.spacing / lead.seconds, vTrail = geometry.spacing / trail.seconds
            let v = (vLead + vTrail) / 2
            let length = v * (a.onTime.seconds + b.onTime.seconds) / 2 - geometry.detectorLength
            // Never on both zones at once at a steady speed means no longer than the gap.
            guard length >= geometry.minLength, length <= geometry.gap + 0.5 else { continue }
            let mismatch = abs(vLead - vTrail) / max(vLead, vTrail)
            guard mismatch <= 0.35 else { continue }
            if best == nil || mismatch < best!.mismatch { best = (i, mismatch) }
        }
        return best?.index
    }
}
