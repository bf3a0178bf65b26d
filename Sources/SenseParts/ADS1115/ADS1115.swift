import SenseCore
import SenseDrivers
import SenseHardware

/// TI ADS1115 16-bit delta-sigma ADC: each fetch converts every configured input in single-shot
/// mode (write the config word with OS = 1, wait one conversion, poll OS, read the result) and
/// turns the volts into the input's quantity through its transfer function.
package struct ADS1115: PolledSensorDriver {
    package enum Pointer {
        package static let conversion: UInt8 = 0x00
        package static let config: UInt8 = 0x01
    }

    /// The multiplexer: a differential pair or one input against GND.
    package enum Input: String, Sendable, Hashable, CaseIterable {
        case ain0AIN1 = "ain0-ain1", ain0AIN3 = "ain0-ain3", ain1AIN3 = "ain1-ain3", ain2AIN3 = "ain2-ain3"
        case ain0, ain1, ain2, ain3

        package var mux: UInt16 { UInt16(Self.allCases.firstIndex(of: self)!) }
    }

    /// Full-scale range set by the PGA, in volts.
    package enum Range: Double, Sendable, Hashable, CaseIterable {
        case fsr6_144 = 6.144, fsr4_096 = 4.096, fsr2_048 = 2.048, fsr1_024 = 1.024, fsr0_512 = 0.512, fsr0_256 = 0.256

        package var pga: UInt16 { UInt16(Self.allCases.firstIndex(of: self)!) }
    }

    /// Samples per second.
    package enum DataRate: Int, Sendable, Hashable, CaseIterable {
        case sps8 = 8, sps16 = 16, sps32 = 32, sps64 = 64, sps128 = 128, sps250 = 250, sps475 = 475, sps860 = 860

        package var code: UInt16 { UInt16(Self.allCases.firstIndex(of: self)!) }
        /// One conversion, plus 10 % for the internal oscillator's tolerance and 0.1 ms of wake-up.
        package var conversionTime: Duration { .microseconds(1_100_000 / rawValue + 100) }
    }

    package struct Channel: Sendable, Hashable {
        package var quantity: String
        package var unit: Unit
        package var input: Input
        package var range: Range
        package var rate: DataRate
        package var transfer: AnalogTransfer

        package init(
            quantity: String, unit: Unit, input: Input, range: Range = .fsr4_096, rate: DataRate = .sps128,
            transfer: AnalogTransfer
        ) {
            self.quantity = quantity
            self.unit = unit
            self.input = input
            self.range = range
            self.rate = rate
            self.transfer = transfer
        }
    }

    /// The single-shot config word: OS = 1, MUX, PGA, MODE = 1, DR, comparator disabled (COMP_QUE = 11).
    package static func configWord(input: Input, range: Range, rate: DataRate) -> UInt16 {
        0x8000 | input.mux << 12 | range.pga << 9 | 0x0100 | rate.code << 5 | 0x0003
    }

    /// The config register's fields (datasheet Table 8), for logs and `sensegate check`.
    package struct ConfigFields: Sendable, Hashable {
        /// Read: 1 = idle. Write: 1 = start a single conversion.
        package var os: Bool
        package var input: Input
        package var range: Range?
        package var singleShot: Bool
        package var rate: DataRate
        package var windowComparator: Bool
        package var activeHigh: Bool
        package var latching: Bool
        /// 0/1/2: assert after 1/2/4 conversions; 3: comparator disabled.
        package var queue: Int

        package init(_ w: UInt16) {
            os = w & 0x8000 != 0
            input = Input.allCases[Int(w >> 12 & 0x7)]
            let pga = Int(w >> 9 & 0x7)
            range = pga < Range.allCases.count ? Range.allCases[pga] : .fsr0_256  // 110 and 111 are ±0.256 V too
            singleShot = w & 0x0100 != 0
            rate = DataRate.allCases[Int(w >> 5 & 0x7)]
            windowComparator = w & 0x0010 != 0
            activeHigh = w & 0x0008 != 0
            latching = w & 0x0004 != 0
            queue = Int(w & 0x3)
        }
    }

    /// Volts = signed16(raw)·FSR/32768.
    package static func volts(raw: UInt16, range: Range) -> Double {
        Double(Int16(bitPattern: raw)) * range.rawValue / 32768
    }

    package let bus: any I2CBus
    package let address: UInt8
    package let inputs: [Channel]
    private let clock: any SenseClock

    package init(bus: any I2CBus, address: UInt8 = 0x48, inputs: [Channel], clock: any SenseClock) {
        precondition(!inputs.isEmpty, "an ADS1115 sensor converts at least one input")
        self.bus = bus
        self.address = address
        self.inputs = inputs
        self.clock = clock
    }

    package var channels: [(quantity: String, unit: Unit)] { inputs.map { ($0.quantity, $0.unit) } }

    /// The part has no id register: reading the config register proves something answers, and
    /// its power-on value (0x8583) or a single-shot idle word with OS set is what an ADS1115 shows.
    package mutating func initialize() async throws(SensorFault) {
        let config = try register(Pointer.config)
        guard config & 0x8000 != 0, config & 0x0003 == 0x0003 || config & 0x0100 != 0 else {
            throw SensorFault(
                .wrongDevice,
                "\(bus.name) \(hex(address)): config register reads \(hex16(config)), "
                    + "not an idle ADS1115 (power-on value 0x8583)")
        }
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        var out: [ChannelReading] = []
        for c in inputs {
            out.append(try await convert(c))
        }
        return out
    }

    private func convert(_ c: Channel) async throws(SensorFault) -> ChannelReading {
        let word = Self.configWord(input: c.input, range: c.range, rate: c.rate)
        try io { () throws(I2CError) in try bus.write(address, [Pointer.config, UInt8(word >> 8), UInt8(word & 0xFF)]) }
        try await pause(c.rate.conversionTime)
        var ready = false
        for attempt in 0..<3 where !ready {
            if attempt > 0 { try await pause(c.rate.conversionTime / 4) }
            ready = try register(Pointer.config) & 0x8000 != 0
        }
        guard ready else {
            throw SensorFault(
                .timeout,
                "\(bus.name) \(hex(address)): \(c.input.rawValue) conversion not done after "
                    + "\((c.rate.conversionTime * 1.5).configText) (OS bit stays 0)")
        }
        let raw = try register(Pointer.conversion)
        // The converter clips at full scale: such a reading says only "at least this much".
        if raw == 0x7FFF || raw == 0x8000 { return .bad(c.quantity, c.unit, .outOfRange) }
        let r = c.transfer.apply(volts: Self.volts(raw: raw, range: c.range))
        return ChannelReading(quantity: c.quantity, value: r.value, unit: c.unit, quality: r.quality, reason: r.reason)
    }

    private func register(_ pointer: UInt8) throws(SensorFault) -> UInt16 {
        let b = try io { () throws(I2CError) in try bus.readRegisters(address, start: pointer, count: 2) }
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    private func io<T>(_ body: () throws(I2CError) -> T) throws(SensorFault) -> T { try onBus(body) }

    private func pause(_ d: Duration) async throws(SensorFault) { try await wait(clock, d) }
}
