import SenseConfig
import SenseHardware
import SenseTesting
import Testing

/// The Raspberry Pi board files against the boards' published facts: the 40-pin header's
/// pin-to-GPIO map, and the SoCs' I2C alternate functions for each bus's pins.
@Suite struct BoardFileTests {
    /// The 40-pin header (the same on every board here), as the Raspberry Pi pinout lists it:
    /// physical pin → BCM GPIO. The other pins are power and ground.
    static let header: [Int: Int] = [
        3: 2, 5: 3, 7: 4, 8: 14, 10: 15, 11: 17, 12: 18, 13: 27, 15: 22, 16: 23, 18: 24, 19: 10, 21: 9, 22: 25,
        23: 11, 24: 8, 26: 7, 27: 0, 28: 1, 29: 5, 31: 6, 32: 12, 33: 13, 35: 19, 36: 16, 37: 26, 38: 20, 40: 21,
    ]

    /// Which GPIO pairs (SDA, SCL) each SoC's I2C controllers can take: BCM2711 (ALT0 and ALT5
    /// for I2C0, I2C1, I2C3–I2C6), RP1 (I2C0–I2C3), BCM2837 (I2C1 on the header; other buses
    /// there are i2c-gpio, which takes any pair).
    static let i2cPairs: [String: Set<[Int]>] = [
        "bcm2711": [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [22, 23]],
        "rp1": [[0, 1], [8, 9], [2, 3], [10, 11], [4, 5], [12, 13], [6, 7], [14, 15]],
    ]

    static let boards: [(name: String, soc: String)] = [
        ("raspberry-pi-3", "bcm2837"), ("raspberry-pi-zero-2-w", "bcm2837"), ("raspberry-pi-4", "bcm2711"),
        ("raspberry-pi-400", "bcm2711"), ("raspberry-pi-cm4", "bcm2711"), ("raspberry-pi-5", "rp1"),
        ("raspberry-pi-500", "rp1"), ("raspberry-pi-cm5", "rp1"),
    ]

    static func load(_ name: String) throws -> Board {
        let sink = DiagnosticSink(file: name)
        let board = try #require(BoardLoader.load(path: "\(RepositoryPaths.boards)/\(name).yaml", sink: sink))
        #expect(sink.diagnostics.isEmpty, "\(sink.diagnostics)")
        return board
    }

    @Test(arguments: boards)
    func headerMatchesThePublishedPinout(board: (name: String, soc: String)) throws {
        let b = try Self.load(board.name)
        #expect(b.name == board.name)
        #expect(b.gpioLines.count == 28)
        for (pin, gpio) in Self.header {
            let line = try #require(b.line(named: "pin\(pin)"), "pin\(pin)")
            #expect(line.offset == gpio, "pin \(pin) should be GPIO\(gpio)")
            #expect(b.line(named: "GPIO\(gpio)") == line)
        }
    }

    @Test(arguments: boards)
    func everyBusIsOnPinsItsControllerCanTakeAndSaysHowToTurnItOn(board: (name: String, soc: String)) throws {
        let b = try Self.load(board.name)
        #expect(b.i2cBuses["i2c-1"] == "/dev/i2c-1")
        #expect(b.busEnable["i2c-1"] == "dtparam=i2c_arm=on")
        #expect(b.i2cBuses["i2c-0"] == nil, "i2c-0 is the HAT EEPROM's")
        for (bus, device) in b.i2cBuses {
            #expect(device == "/dev/\(bus)")
            let enable = try #require(b.busEnable[bus], "\(bus) says nothing of how to turn it on")
            let pins = try #require(b.busPins[bus])
            let pair = [try #require(pins["sda"]).offset, try #require(pins["scl"]).offset]
            if let allowed = Self.i2cPairs[board.soc] {
                #expect(allowed.contains(pair), "\(bus) on GPIO\(pair) is not an I2C pair of the \(board.soc)")
            } else {
                // BCM2837: I2C1 is the only hardware bus on the header; any other is bit-banged.
                #expect(bus == "i2c-1" ? pair == [2, 3] : enable.hasPrefix("dtoverlay=i2c-gpio,"), "\(bus): \(enable)")
            }
        }
        // Two buses never share a line.
        let lines = b.busPins.values.flatMap(\.values)
        #expect(Set(lines).count == lines.count)
    }

    @Test func theBoardsTheIssueNamesExist() throws {
        let names = BoardLoader.available(configFile: ConfigFixture.directory + "/x.yaml")
        for (name, _) in Self.boards { #expect(names.contains(name), "\(names)") }
        #expect(names.contains("sim"))
    }

    @Test func aMissingBoardListsTheBoardsThatExist() {
        let d = ConfigFixture.errors(ConfigFixture.valid.replacing("board: sim", with: "board: raspberry-pi-9")).diagnostics
        #expect(d.count == 1)
        let message = d.first?.message ?? ""
        #expect(message.hasPrefix("no board file for 'raspberry-pi-9'; the boards here are: raspberry-pi-3, raspberry-pi-4, "), "\(message)")
        #expect(message.contains("raspberry-pi-cm5") && message.contains("sim") && message.contains("looked at:"))
    }

    @Test func aBusThatNeedsAnOverlayTakesItsPinsFromInputs() {
        // i2c-3 on a Pi 4 is GPIO4/GPIO5 (pins 7 and 29) once dtoverlay=i2c3 is in config.txt.
        let text =
            ConfigFixture.valid.replacing("board: sim", with: "board: raspberry-pi-4").replacing("bus: i2c-1", with: "bus: i2c-3")
            + "\n  - {name: door, driver: digital_input, pin: pin7}\n"
        let d = ConfigFixture.errors(text).diagnostics
        #expect(d.count == 1)
        #expect(d.first?.message.hasPrefix("pin7 is SDA of i2c-3, which sensor 'outdoor' uses") == true, "\(d)")
    }

    @Test func anEmptyEnableLineIsAnError() {
        let sink = DiagnosticSink(file: "b.yaml")
        let text = "board: b\ni2c:\n  i2c-1: {device: /dev/i2c-1, enable: \"\"}\n"
        _ = BoardLoader.load(bytes: Array(text.utf8), sink: sink)
        #expect(sink.diagnostics.map(\.path) == ["i2c.i2c-1.enable"], "\(sink.diagnostics)")
    }
}
