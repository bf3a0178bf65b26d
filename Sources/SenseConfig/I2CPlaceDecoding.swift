import SenseCore
import SenseHardware

/// `bus:` and `address:` of an I2C sensor: a bus the board has, and one of the addresses the
/// part can answer at.
enum I2CPlaceDecoding {
    static func place(
        _ m: inout MappingReader, part: any I2CPart, board: Board?,
        sink: DiagnosticSink
    ) -> (bus: (String, String)?, address: UInt8?) {
        let s = ScalarReader(sink)
        var bus: (String, String)?
        if let b = m.required("bus"), let busName = s.string(b, m.child("bus")), let board {
            if let dev = board.i2cBuses[busName] {
                bus = (busName, dev)
            } else {
                sink.error(
                    b.mark, m.child("bus"),
                    "board '\(board.name)' has no I2C bus '\(busName)'; it has: "
                        + board.i2cBuses.keys.sorted().joined(separator: ", "))
            }
        }
        let node = part.defaultAddress == nil ? m.required("address") : m.node("address")
        guard let a = node else { return (bus, part.defaultAddress) }
        guard let v = s.integer(a, m.child("address")) else { return (bus, nil) }
        guard (0x03...0x77).contains(v) else {
            sink.error(a.mark, m.child("address"), "\(v) (0x\(String(v, radix: 16))) is not a 7-bit I2C address (0x03–0x77)")
            return (bus, nil)
        }
        guard part.addresses.contains(UInt8(v)) else {
            sink.error(a.mark, m.child("address"), "a \(part.name.uppercased()) \(part.addressHint)")
            return (bus, nil)
        }
        return (bus, UInt8(v))
    }
}
