import SenseConfig
import SenseParts
import SenseTesting
import Testing

@Suite struct ConfigLoaderTests {
    @Test(arguments: ["demo.yaml", "raspberry-pi.yaml", "bench-12.yaml", "air-station.yaml", "river-gauge.yaml", "crossroads.yaml"])
    func examplesAreValid(file: String) throws {
        let config = try ConfigLoader.load(RepositoryPaths.examples + "/" + file, parts: .standard)
        #expect(!config.sensors.isEmpty)
    }

    @Test func validConfigDecodesWithDefaults() throws {
        let c = try ConfigLoader.load(ConfigFixture.write(ConfigFixture.valid), parts: .standard)
        #expect(c.node == "test-node")
        #expect(c.board.simulated)
        #expect(c.mqtt.broker == BrokerURL("mqtt://127.0.0.1:1883"))
        #expect(c.mqtt.clientID == "sensegate-test-node")
        #expect(c.mqtt.prefix == "sensegate")
        #expect(c.mqtt.qos == 1)
        #expect(c.mqtt.keepalive == .seconds(30))
        #expect(c.sensors[0].address == 0x76)
        #expect(c.sensors[0].bus?.device == "sim")
        #expect(c.sensors[0].interval == .seconds(10))
        #expect(c.sensors[0].publish == ["temperature", "pressure", "humidity"])
        #expect(c.stateDirectory == "/var/lib/sensegate")
    }

    /// Each case: a config, the line and column the error must point at, the key path, and a
    /// phrase of the message.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var column: Int
        var path: String
        var phrase: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "YAML syntax", text: "node: a\nboard: sim\nmqtt: {broker: mqtt://x\nsensors: []\n",
            line: 4, column: 8, path: "", phrase: "YAML syntax"),
        Case(
            name: "unknown key", text: ConfigFixture.valid + "\n    intervall: 5s\n",
            line: 11, column: 5, path: "sensors[0].intervall", phrase: "did you mean 'interval'"),
        Case(
            name: "wrong type", text: ConfigFixture.valid.replacing("interval: 10s", with: "interval: [10]"),
            line: 10, column: 15, path: "sensors[0].interval", phrase: "expected a duration"),
        Case(
            name: "unknown driver", text: ConfigFixture.valid.replacing("driver: bme280", with: "driver: bme999"),
            line: 7, column: 13, path: "sensors[0].driver", phrase: "unknown driver 'bme999'"),
        Case(
            name: "duplicate name",
            text: ConfigFixture.valid + """

                  - name: outdoor
                    driver: bme280
                    bus: i2c-1
                    address: 0x77
                """, line: 11, column: 11, path: "sensors[1].name", phrase: "duplicate sensor name 'outdoor'"),
        Case(
            name: "address out of range", text: ConfigFixture.valid.replacing("address: 0x76", with: "address: 0x99"),
            line: 9, column: 14, path: "sensors[0].address", phrase: "not a 7-bit I2C address"),
        Case(
            name: "pin not on the board",
            text: ConfigFixture.valid + """

                  - name: door
                    driver: digital_input
                    pin: GPIO99
                """, line: 13, column: 10, path: "sensors[1].pin", phrase: "has no pin 'GPIO99'"),
        Case(name: "empty file", text: "", line: 1, column: 1, path: "", phrase: "the config file is empty"),
        Case(
            name: "bad broker URL", text: ConfigFixture.valid.replacing("mqtt://127.0.0.1:1883", with: "http://broker:80"),
            line: 4, column: 11, path: "mqtt.broker", phrase: "is not a broker URL"),
        Case(
            name: "bus not on the board", text: ConfigFixture.valid.replacing("bus: i2c-1", with: "bus: i2c-7"),
            line: 8, column: 10, path: "sensors[0].bus", phrase: "has no I2C bus 'i2c-7'"),
        Case(
            name: "missing required key", text: ConfigFixture.valid.replacing("node: test-node\n", with: ""),
            line: 1, column: 1, path: "node", phrase: "missing required key 'node'"),
        Case(
            name: "unknown board", text: ConfigFixture.valid.replacing("board: sim", with: "board: pi-zero-9"),
            line: 2, column: 8, path: "board", phrase: "no board file for 'pi-zero-9'"),
        Case(
            name: "address taken twice",
            text: ConfigFixture.valid + """

                  - name: second
                    driver: bmp280
                    bus: i2c-1
                    address: 0x76
                """, line: 14, column: 14, path: "sensors[1].address", phrase: "already used by sensor 'outdoor'"),
        Case(
            name: "quoted number", text: ConfigFixture.valid.replacing("address: 0x76", with: "address: \"0x76\""),
            line: 9, column: 14, path: "sensors[0].address", phrase: "expected a whole number"),
        Case(
            name: "unpublishable quantity", text: ConfigFixture.valid + "\n    publish: [temperature, co2]\n",
            line: 11, column: 28, path: "sensors[0].publish[1]", phrase: "has no quantity 'co2'"),
        Case(
            name: "wrong BME280 address", text: ConfigFixture.valid.replacing("address: 0x76", with: "address: 0x40"),
            line: 9, column: 14, path: "sensors[0].address", phrase: "answers only at 0x76"),
        Case(
            name: "aliases", text: ConfigFixture.valid.replacing("interval: 10s", with: "interval: *x"),
            line: 10, column: 15, path: "", phrase: "aliases are not supported"),
        Case(
            name: "simulation on real board",
            text: ConfigFixture.valid.replacing("board: sim", with: "board: raspberry-pi-4")
                + "\nsimulation: {seed: 1}\n", line: 11, column: 1, path: "simulation", phrase: "only the simulated board"),
    ]

    @Test(arguments: cases)
    func invalidConfigIsReportedPrecisely(c: Case) throws {
        let (path, diagnostics) = ConfigFixture.errors(c.text)
        let d = try #require(diagnostics.first, "no error for \(c.name)")
        #expect(d.file == path)
        #expect(d.mark.line == c.line, "\(d)")
        #expect(d.mark.column == c.column, "\(d)")
        #expect(d.path == c.path, "\(d)")
        #expect(d.message.contains(c.phrase), "\(d)")
        #expect(d.description.hasPrefix("\(path):\(c.line):\(c.column): "))
    }

    static let analysed =
        ConfigFixture.valid + """

                channels:
                  temperature:
                    range: [-30, 50]
                    rate: {max: 2, per: 1s}
                    stuck: {samples: 30, min_std: 0.01}
                    stale: 3
                    filters:
                      - calibrate: [[0.2, 0.0], [39.6, 40.0]]
                      - median: 5
                      - ema: 60s
                      - delta: 0.05
                      - heartbeat: 5m
                  humidity:
                    range: [0, null]
                    filters: [{offset: -1.5}, {clamp: [0, 100]}]
            derived:
              - name: dew_point
                model: dew_point
                inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}
                hold: 1m
              - name: slp
                model: sea_level_pressure
                inputs: {pressure: outdoor.pressure, temperature: outdoor.temperature}
                parameters: {altitude: 120}
            """

    @Test func channelsAndDerivedDecode() throws {
        let c = try ConfigLoader.load(ConfigFixture.write(Self.analysed), parts: .standard)
        let t = try #require(c.sensors[0].channels["temperature"])
        #expect(t.quality.minimum == -30 && t.quality.maximum == 50)
        #expect(t.quality.maxRatePerSecond == 2)
        #expect(t.quality.stuckSamples == 30 && t.quality.stuckMinStd == 0.01)
        #expect(t.staleAfter == .seconds(30))  // 3 × the 10 s interval
        #expect(
            t.filters == [
                .calibrateLinear(raw1: 0.2, true1: 0, raw2: 39.6, true2: 40), .median(5),
                .ema(tau: .seconds(60)), .delta(0.05), .heartbeat(.seconds(300)),
            ])
        let h = try #require(c.sensors[0].channels["humidity"])
        #expect(h.quality.minimum == 0 && h.quality.maximum == nil)
        #expect(h.filters == [.offset(-1.5), .clamp(0, 100)])
        #expect(c.derived.map(\.name) == ["dew_point", "slp"])
        #expect(c.derived[0].inputs["humidity"] == .sensor("outdoor", quantity: "humidity"))
        #expect(c.derived[0].hold == .seconds(60))
        #expect(c.derived[1].parameters == ["altitude": 120])
    }

    static let analysisCases: [Case] = [
        Case(
            name: "unknown filter", text: analysed.replacing("- median: 5", with: "- mediam: 5"),
            line: 19, column: 13, path: "sensors[0].channels.temperature.filters[1].mediam", phrase: "unknown filter 'mediam'"),
        Case(
            name: "channel not of the driver", text: analysed.replacing("      humidity:\n        range", with: "      co2:\n        range"),
            line: 23, column: 7, path: "sensors[0].channels.co2", phrase: "bme280 has no quantity 'co2'"),
        Case(
            name: "range upside down", text: analysed.replacing("range: [-30, 50]", with: "range: [50, -30]"),
            line: 13, column: 16, path: "sensors[0].channels.temperature.range", phrase: "must be below max"),
        Case(
            name: "calibration with equal raw points", text: analysed.replacing("[[0.2, 0.0], [39.6, 40.0]]", with: "[[0.2, 0.0], [0.2, 40.0]]"),
            line: 18, column: 24, path: "sensors[0].channels.temperature.filters[0].calibrate", phrase: "raw values must differ"),
        Case(
            name: "unknown model", text: analysed.replacing("model: dew_point", with: "model: dewpoint"),
            line: 28, column: 12, path: "derived[0].model", phrase: "unknown model 'dewpoint'"),
        Case(
            name: "unknown sensor in input",
            text: analysed.replacing(
                "{temperature: outdoor.temperature, humidity: outdoor.humidity}",
                with: "{temperature: indoor.temperature, humidity: outdoor.humidity}"),
            line: 29, column: 27, path: "derived[0].inputs.temperature", phrase: "no sensor named 'indoor'"),
        Case(
            name: "unit mismatch",
            text: analysed.replacing(
                "{temperature: outdoor.temperature, humidity: outdoor.humidity}",
                with: "{temperature: outdoor.pressure, humidity: outdoor.humidity}"),
            line: 29, column: 27, path: "derived[0].inputs.temperature", phrase: "needs 'temperature' in Cel, but outdoor.pressure is in Pa"),
        Case(
            name: "missing parameter", text: analysed.replacing("\n    parameters: {altitude: 120}", with: ""),
            line: 31, column: 5, path: "derived[1].parameters.altitude", phrase: "needs parameter 'altitude'"),
        Case(
            name: "derived input of the wrong unit",
            text: analysed.replacing(
                "inputs: {pressure: outdoor.pressure, temperature: outdoor.temperature}",
                with: "inputs: {pressure: outdoor.pressure, temperature: derived.slp}"),
            line: 33, column: 55, path: "derived[1].inputs.temperature", phrase: "needs 'temperature' in Cel, but derived.slp is in Pa"),
        Case(
            name: "reserved sensor name", text: ConfigFixture.valid.replacing("name: outdoor", with: "name: derived"),
            line: 6, column: 11, path: "sensors[0].name", phrase: "'derived' is reserved"),
    ]

    @Test(arguments: analysisCases)
    func invalidAnalysisIsReportedPrecisely(c: Case) throws {
        try invalidConfigIsReportedPrecisely(c: c)
    }

    static let withAlarms =
        analysed + """

            alarms:
              - name: hot
                channel: outdoor.temperature
                high: 30
                deadband: 1
                on_delay: 3
                off_delay: 1m
                priority: high
                chatter: {activations: 4, window: 2m}
                max_shelve: 2h
                commands: [ack]
                description: Outdoor temperature above 30 °C
              - name: condensation
                channel: derived.dew_point
                low: -5
            """

    @Test func alarmsDecode() throws {
        let c = try ConfigLoader.load(ConfigFixture.write(Self.withAlarms), parts: .standard)
        #expect(c.alarms.map(\.name) == ["hot", "condensation"])
        let hot = c.alarms[0]
        #expect(hot.channel == .sensor("outdoor", quantity: "temperature"))
        #expect(hot.threshold == .init(direction: .high, limit: 30, deadband: 1, onDelay: .samples(3), offDelay: .time(.seconds(60))))
        #expect(hot.priority == .high && hot.chatter == .init(activations: 4, window: .seconds(120)))
        #expect(hot.maximumShelve == .seconds(7200) && hot.allowedCommands == [.ack])
        #expect(hot.description == "Outdoor temperature above 30 °C")
        #expect(c.alarms[1].channel == .derived("dew_point") && c.alarms[1].threshold.direction == .low)
        #expect(c.alarms[1].allowedCommands == [.ack, .shelve, .unshelve])
    }

    static let alarmCases: [Case] = [
        Case(
            name: "two limits", text: withAlarms.replacing("    low: -5", with: "    low: -5\n    high: 40"),
            line: 47, column: 5, path: "alarms[1].high", phrase: "give exactly one limit"),
        Case(
            name: "alarm on an unknown derived channel", text: withAlarms.replacing("channel: derived.dew_point", with: "channel: derived.dew"),
            line: 48, column: 14, path: "alarms[1].channel", phrase: "no derived channel named 'dew'"),
        Case(
            name: "alarm on an unknown quantity", text: withAlarms.replacing("channel: outdoor.temperature", with: "channel: outdoor.co2"),
            line: 37, column: 14, path: "alarms[0].channel", phrase: "has no quantity 'co2'"),
        Case(
            name: "unknown command", text: withAlarms.replacing("commands: [ack]", with: "commands: [ack, reset]"),
            line: 45, column: 21, path: "alarms[0].commands[1]", phrase: "'reset' is not one of: ack, shelve, unshelve"),
        Case(
            name: "unknown priority", text: withAlarms.replacing("priority: high", with: "priority: urgent"),
            line: 42, column: 15, path: "alarms[0].priority", phrase: "'urgent' is not one of: low, medium, high, critical"),
    ]

    @Test(arguments: alarmCases)
    func invalidAlarmsAreReportedPrecisely(c: Case) throws {
        try invalidConfigIsReportedPrecisely(c: c)
    }

    @Test func windowsDecode() throws {
        let c = try ConfigLoader.load(
            ConfigFixture.write(
                Self.withAlarms + """

                    windows:
                      - name: t_hourly
                        channel: outdoor.temperature
                        length: 1h
                        functions: [mean, min, max]
                      - name: dew_sliding
                        channel: derived.dew_point
                        length: 10m
                        every: 1m
                        functions: [last, rate]
                        expected: 60
                        min_completeness: 0.5
                    """), parts: .standard)
        #expect(c.windows.map(\.name) == ["t_hourly", "dew_sliding"])
        #expect(c.windows[0].settings == .init(length: .seconds(3600), functions: [.mean, .min, .max], expected: 360))
        #expect(
            c.windows[1].settings
                == .init(
                    length: .seconds(600), every: .seconds(60), functions: [.last, .rate],
                    expected: 60, minimumCompleteness: 0.5))
    }

    @Test func windowErrors() {
        let base = ConfigFixture.valid + "\nwindows:\n  - {name: w, channel: CH, length: LEN, functions: FNS}\n"
        func errors(_ ch: String, _ len: String, _ fns: String) -> [String] {
            ConfigFixture.errors(base.replacing("CH", with: ch).replacing("LEN", with: len).replacing("FNS", with: fns)).diagnostics.map(\.message)
        }
        #expect(errors("outdoor.co2", "1h", "[mean]").first?.contains("sensor 'outdoor' (bme280) has no quantity 'co2'") == true)
        #expect(errors("outdoor.temperature", "8d", "[mean]").first?.contains("between 1s and 7d") == true)
        #expect(errors("outdoor.temperature", "1h", "[median]").first?.contains("'median' is not one of") == true)
        #expect(errors("outdoor.temperature", "1h", "[]").first?.contains("at least one function") == true)
        #expect(errors("outdoor.temperature", "1h", "[mean]").isEmpty)
    }

    @Test func alarmsOnAggregatesAndWhereAggregatesAreRefused() {
        let base =
            ConfigFixture.valid + """

                windows:
                  - {name: t15, channel: outdoor.temperature, length: 15m, functions: [rate, mean]}
                alarms:
                  - {name: warming_fast, channel: CHANNEL, high: 5}
                """
        func errors(_ channel: String, extra: String = "") -> [String] {
            ConfigFixture.errors(base.replacing("CHANNEL", with: channel) + extra).diagnostics.map(\.message)
        }
        #expect(errors("aggregate.t15.rate").isEmpty)
        #expect(errors("aggregate.t60.rate").first?.contains("no window named 't60'") == true)
        #expect(errors("aggregate.t15.max").first?.contains("window 't15' does not compute 'max'; it computes: rate, mean") == true)
        #expect(errors("aggregate.t15").first?.contains("is not a channel") == true)
        let derivedOnAggregate = errors(
            "aggregate.t15.rate",
            extra: """

                derived:
                  - {name: d, model: dew_point, inputs: {temperature: aggregate.t15.mean, humidity: outdoor.humidity}}
                """)
        // A derived channel may take an aggregate (a dew point of the quarter-hour mean)…
        #expect(derivedOnAggregate.isEmpty, "\(derivedOnAggregate)")
        // … but NowCast only hourly means, in its unit, and a window never loops back on it.
        let nowcastOnQuarterHour = errors(
            "aggregate.t15.rate",
            extra: """

                derived:
                  - {name: nc, model: nowcast_pm, inputs: {hourly: aggregate.t15.mean}}
                """)
        #expect(nowcastOnQuarterHour.contains { $0.contains("the mean of a tumbling window of length 1h") }, "\(nowcastOnQuarterHour)")
        let windowOnAggregate = ConfigFixture.errors(
            ConfigFixture.valid + """

                windows:
                  - {name: a, channel: outdoor.temperature, length: 1m, functions: [mean]}
                  - {name: b, channel: aggregate.a.mean, length: 1h, functions: [mean], expected: 60}
                """
        ).diagnostics.map(\.message)
        #expect(windowOnAggregate.first?.contains("an aggregate cannot be used here") == true, "\(windowOnAggregate)")
    }

    @Test func derivedCyclesAreNamed() {
        let text =
            ConfigFixture.valid + """

                derived:
                  - {name: a, model: dew_point, inputs: {temperature: derived.b, humidity: outdoor.humidity}}
                  - {name: b, model: dew_point, inputs: {temperature: derived.a, humidity: outdoor.humidity}}
                """
        let (_, d) = ConfigFixture.errors(text)
        #expect(d.map(\.message).contains("derived channels depend on each other in a cycle: a → b → a"), "\(d)")
    }

    @Test func missingFileNamesTheFileAndErrno() {
        do {
            _ = try ConfigLoader.load("/nonexistent/sensegate.yaml", parts: .standard)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "/nonexistent/sensegate.yaml:1:1: cannot read config file: ENOENT (no such file or directory)")
        }
    }

    @Test func everyErrorIsReportedAtOnce() {
        let (_, d) = ConfigFixture.errors(
            ConfigFixture.valid
                .replacing("address: 0x76", with: "address: 0x99")
                .replacing("interval: 10s", with: "interval: soon"))
        #expect(d.count == 2)
    }

    @Test(arguments: [
        ("mqtt://h", "h", 1883, false), ("mqtts://h", "h", 8883, true), ("mqtt://10.0.0.1:1884", "10.0.0.1", 1884, false),
        ("mqtt://[::1]:1885", "::1", 1885, false), ("ssl://broker.example:8884/", "broker.example", 8884, true),
    ])
    func brokerURLs(text: String, host: String, port: Int, tls: Bool) throws {
        let u = try #require(BrokerURL(text))
        #expect(u.host == host && u.port == port && u.tls == tls)
    }

    @Test(arguments: ["mqtt://", "http://h", "mqtt://h:0", "mqtt://h:99999", "mqtt://u@h", "h:1883", "mqtt://h/x"])
    func badBrokerURLs(text: String) {
        #expect(BrokerURL(text) == nil)
    }

    @Test(arguments: [
        "raspberry-pi-3", "raspberry-pi-4", "raspberry-pi-400", "raspberry-pi-5", "raspberry-pi-500", "raspberry-pi-cm4", "raspberry-pi-cm5",
        "raspberry-pi-zero-2-w", "sim",
    ])
    func boardsMapOperatorNames(board: String) throws {
        let sink = DiagnosticSink(file: board)
        let b = try #require(BoardLoader.load(path: "\(RepositoryPaths.boards)/\(board).yaml", sink: sink))
        #expect(sink.diagnostics.isEmpty)
        #expect(b.i2cBuses["i2c-1"] != nil)
        #expect(b.line(named: "GPIO17") == b.line(named: "pin11"))
        #expect(b.line(named: "GPIO17")?.offset == 17)
        #expect(b.line(named: "11")?.pin == 11)
        #expect(b.line(named: "GPIO2")?.pin == 3)
        #expect(b.gpioLines.count == 28)
    }
}
