/// Length bins for classifying vehicles, each with its passenger-car equivalent (for HCM
/// densities). Bins ascend; the last has no upper bound.
package struct VehicleClasses: Sendable, Hashable {
    package struct Bin: Sendable, Hashable {
        package var name: String
        /// Vehicles shorter than this (m) belong here; nil for the last bin.
        package var below: Double?
        package var pce: Double

        package init(name: String, below: Double?, pce: Double) {
            self.name = name
            self.below = below
            self.pce = pce
        }
    }

    package var bins: [Bin]
    /// A vehicle whose length is unknown (seen by one detector, or changing speed on the trap).
    package static let unclassified = "unclassified"

    package init(bins: [Bin]) {
        precondition(!bins.isEmpty && bins.last!.below == nil, "the last bin takes every longer vehicle")
        self.bins = bins
    }

    /// Bins in the spirit of common length-based schemes: under 2.5 m two-wheelers, under
    /// 6.1 m (20 ft) passenger vehicles, under 12.2 m (40 ft) single-unit trucks and buses,
    /// longer combinations; trucks at HCM's level-terrain equivalent of 2.0.
    package static let standard = VehicleClasses(bins: [
        Bin(name: "motorcycle", below: 2.5, pce: 1),
        Bin(name: "car", below: 6.1, pce: 1),
        Bin(name: "single_unit", below: 12.2, pce: 2),
        Bin(name: "combination", below: nil, pce: 2),
    ])

    package func bin(length: Double?) -> Bin? {
        guard let length else { return nil }
        return bins.first { $0.below.map { length < $0 } ?? true }
    }

    package var names: [String] { bins.map(\.name) + [Self.unclassified] }
}
