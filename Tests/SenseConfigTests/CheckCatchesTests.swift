import SenseConfig
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What `check` used to accept or mangle (issue 17): each mistake is one clear error at the
/// right place, and the reproductions of the issue no longer trap or take minutes.
@Suite struct CheckCatchesTests {
    static func errors(_ text: String) -> [ConfigDiagnostic] { ConfigFixture.errors(text).diagnostics }

    @Test func anOverflowingIntervalIsOneErrorNotATrap() {
        let d = Self.errors(ConfigFixture.valid.replacing("interval: 10s", with: "interval: 99999999999999999999s"))
        #expect(d.count == 1)
        #expect(d.first?.path == "sensors[0].interval")
        #expect(d.first?.message.contains("longer than 100 years") == true, "\(d)")
    }

    @Test(arguments: [
        ("interval: 1e30s", "expected a duration"), ("interval: 30d", "must be between 200ms and 1d, got 30d"),
        ("interval: -5s", "negative"), ("interval: .inf", "expected a duration"),
    ])
    func absurdDurations(replacement: String, phrase: String) {
        let d = Self.errors(ConfigFixture.valid.replacing("interval: 10s", with: replacement))
        #expect(d.count == 1 && d.first?.message.contains(phrase) == true, "\(d)")
    }

    @Test func deepNestingIsOneErrorNotAStackOverflow() {
        let d = Self.errors("node: x\nboard: sim\nfoo: " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000))
        #expect(d.count == 1)
        #expect(d.first?.message.contains("nested deeper than 64 levels") == true, "\(d)")
        #expect(d.first?.mark.line == 3)
    }

    @Test func aQuotedNumberSaysToRemoveTheQuotes() {
        for (original, quoted) in [("address: 0x76", "address: \"0x76\""), ("interval: 10s", "interval: 10s\n    filter: '4'")] {
            let d = Self.errors(ConfigFixture.valid.replacing(original, with: quoted))
            #expect(d.count == 1 && d.first?.message.contains("remove the quotes") == true, "\(d)")
        }
        let d = Self.errors(ConfigFixture.valid + "\nalarms: [{name: hot, channel: outdoor.temperature, high: \"30\"}]\n")
        #expect(d.count == 1 && d.first?.message.contains("remove the quotes") == true, "\(d)")
    }

    /// A sensor that fails to decode is reported once; what refers to it is not reported again.
    @Test func oneMistakeIsOneError() {
        let text =
            ConfigFixture.valid.replacing("interval: 10s", with: "interval: 10 seconds") + """

                derived:
                  - {name: dew, model: dew_point, inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}}
                windows:
                  - {name: hourly, channel: outdoor.temperature, length: 1h, functions: [mean]}
                  - {name: dew_hourly, channel: derived.dew, length: 1h, functions: [mean], expected: 360}
                alarms:
                  - {name: hot, channel: outdoor.temperature, high: 30}
                  - {name: frost, channel: derived.dew, low: 0}
                rules:
                  - {name: r, when: {alarm: hot}}
                """
        let d = Self.errors(text)
        #expect(d.map(\.path) == ["sensors[0].interval"], "\(d)")
    }

    @Test func aReferenceToWhatWasNeverDeclaredIsStillAnError() {
        let d = Self.errors(ConfigFixture.valid + "\nalarms: [{name: hot, channel: indoor.temperature, high: 30}]\n")
        #expect(d.count == 1 && d.first?.message == "no sensor named 'indoor'", "\(d)")
    }

    static let contact = """

          - name: door
            driver: digital_input
            pin: GPIO2
        """

    @Test func anInputOnThePinOfABusInUseIsRefused() {
        let d = Self.errors(ConfigFixture.valid + Self.contact)
        #expect(d.count == 1)
        #expect(
            d.first?.message == "GPIO2 is SDA of i2c-1, which sensor 'outdoor' uses: choose another pin, or move the I2C sensors to another bus",
            "\(d)")
    }

    @Test func theSamePinIsFreeWhenNoSensorUsesItsBus() throws {
        let config = try ConfigFixture.load(ConfigFixture.valid.replacing("bus: i2c-1", with: "bus: i2c-3") + Self.contact)
        #expect(config.sensors.count == 2)
    }

    @Test func anOutputOnThePinOfABusInUseIsRefused() {
        let d = Self.errors(ConfigFixture.valid.replacing("bus: i2c-1", with: "bus: i2c-3") + "\nactuators: [{name: fan, pin: pin29}]\n")
        #expect(d.count == 1 && d.first?.message == "pin29 is SCL of i2c-3, which sensor 'outdoor' uses: choose another pin", "\(d)")
        #expect(d.first?.path == "actuators[0].pin")
    }

    @Test(arguments: [
        (
            "{name: damp, channel: outdoor.humidity, high: 80, deadband: 100}", "deadband",
            "with deadband 100 the alarm clears only at or below -20, and outdoor.humidity reads within 0…100: it could never clear; make the deadband smaller than 80"
        ),
        ("{name: damp, channel: outdoor.humidity, high: 120}", "high", "high: 120 can never be reached: outdoor.humidity reads within 0…100"),
        ("{name: dry, channel: outdoor.humidity, low: 10, deadband: 95}", "deadband", "clears only at or above 105"),
        ("{name: cold, channel: outdoor.temperature, low: -300}", "low", "low: -300 can never be reached"),
    ])
    func anAlarmThatCouldNeverClearOrRaiseIsRefused(alarm: String, key: String, message: String) {
        let d = Self.errors(ConfigFixture.valid + "\nalarms: [\(alarm)]\n")
        #expect(d.count == 1)
        #expect(d.first?.path == "alarms[0].\(key)")
        #expect(d.first?.message.contains(message) == true, "\(d)")
    }

    @Test func theQualityRangeBoundsWhatAnAlarmCanSee() {
        let text =
            ConfigFixture.valid + """

                    channels: {temperature: {range: [-30, 50]}}
                alarms: [{name: hot, channel: outdoor.temperature, high: 45, deadband: 80}]
                """
        let d = Self.errors(text)
        #expect(d.first?.message.contains("outdoor.temperature reads within -30…50") == true, "\(d)")
        // A rescaling filter changes what the channel reads: nothing is claimed then.
        #expect(Self.errors(text.replacing("{range: [-30, 50]}", with: "{range: [-30, 50], filters: [{multiply: 10}]}")).isEmpty)
    }

    @Test func aBoardLineWithANegativeOffsetIsRefused() throws {
        let board = ConfigFixture.write("board: odd\ni2c: {i2c-1: /dev/i2c-1}\ngpio: {chips: {c: /dev/gpiochip0}, lines: {X: {chip: c, line: -1}}}\n")
        let d = Self.errors(ConfigFixture.valid.replacing("board: sim", with: "board: \(board)"))
        #expect(d.contains { $0.message.contains("line: must be between 0 and 65535, got -1") || $0.message.contains("got -1") }, "\(d)")
    }
}

/// Issue 17's stall: a config of 33,000 derived channels took `check` over two minutes (the work
/// grew with the square of the size). Checked here in full; linear, it takes about a second in
/// a debug build, and a quadratic regression would take minutes (timings: docs/benchmarks.md).
@Suite struct LargeConfigTests {
    @Test func thirtyThreeThousandDerivedChannelsAreChecked() throws {
        var text = ConfigFixture.valid + "\nderived:\n"
        for i in 0..<33_000 {
            text += "  - {name: d\(i), model: dew_point, inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}}\n"
        }
        let config = try ConfigFixture.load(text)
        #expect(config.derived.count == 33_000)
    }
}

/// A config may name a FIFO or a device as its board or password file: reading one may never end.
@Suite struct NonRegularFileTests {
    @Test func aFIFOAsBoardOrPasswordFileIsRefusedAtOnce() throws {
        let fifo = ConfigFixture.directory + "/fifo-\(Int.random(in: 0..<1_000_000))"
        #expect(mkfifo(fifo, 0o600) == 0)
        let board = CheckCatchesTests.errors(ConfigFixture.valid.replacing("board: sim", with: "board: \(fifo)"))
        #expect(board.count == 1 && board.first?.message.contains("not a regular file") == true, "\(board)")
        let password = CheckCatchesTests.errors(
            ConfigFixture.valid.replacing(
                "  broker: mqtt://127.0.0.1:1883",
                with: "  broker: mqtt://127.0.0.1:1883\n  username: u\n  password_file: \(fifo)"))
        #expect(password.count == 1 && password.first?.message.contains("not a regular file") == true, "\(password)")
        let device = CheckCatchesTests.errors(ConfigFixture.valid.replacing("board: sim", with: "board: /dev/zero"))
        #expect(device.first?.message.contains("not a regular file") == true, "\(device)")
    }
}
