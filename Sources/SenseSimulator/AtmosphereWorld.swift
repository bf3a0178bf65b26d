import SenseCore
#if canImport(Glibc)
import Glibc
#endif

/// Air at one place and moment.
public struct AirConditions: Sendable, Hashable {
    public var temperature: Double   // °C
    public var pressure: Double      // Pa, at the station (not reduced to sea level)
    public var humidity: Double      // %RH, 0…100

    public init(temperature: Double, pressure: Double, humidity: Double) {
        self.temperature = temperature
        self.pressure = pressure
        self.humidity = humidity
    }
}

/// Anything that tells an emulated sensor what air it sits in.
public protocol AirSource: Sendable {
    func conditions(at time: WallTime) -> AirConditions
}

/// A fixed atmosphere, for tests.
public struct FixedAir: AirSource {
    public var air: AirConditions
    public init(_ air: AirConditions) { self.air = air }
    public func conditions(at time: WallTime) -> AirConditions { air }
}

/// The simulated atmosphere: a diurnal temperature cycle peaking mid-afternoon, passing weather
/// (slow sinusoids with seeded periods and phases), a dew point that drifts more slowly than the
/// temperature (so humidity peaks at dawn), and sea-level pressure drifting with the weather,
/// reduced to the site's altitude. A pure function of civil time and the seed.
public struct AtmosphereWorld: AirSource {
    public struct Site: Sendable, Hashable {
        public var altitude: Double          // m above sea level
        public var meanTemperature: Double   // °C
        public var diurnalAmplitude: Double  // °C, half the day's range
        public var dewPointDepression: Double // °C, mean T − mean dew point
        public var utcOffsetHours: Double    // local solar time − UTC

        public init(altitude: Double = 35, meanTemperature: Double = 14, diurnalAmplitude: Double = 5,
                    dewPointDepression: Double = 8, utcOffsetHours: Double = 1) {
            self.altitude = altitude
            self.meanTemperature = meanTemperature
            self.diurnalAmplitude = diurnalAmplitude
            self.dewPointDepression = dewPointDepression
            self.utcOffsetHours = utcOffsetHours
        }
    }

    private struct Wave: Sendable, Hashable {
        var period: Double, phase: Double, amplitude: Double
        func at(_ t: Double) -> Double { amplitude * sin(2 * .pi * t / period + phase) }
    }

    public let seed: UInt64
    public let site: Site
    private let temperatureWeather: [Wave]
    private let dewPointWeather: [Wave]
    private let pressureWeather: [Wave]

    public init(seed: UInt64, site: Site = Site()) {
        self.seed = seed
        self.site = site
        var rng = SplitMix64(seed: seed)
        func waves(_ n: Int, periodDays: ClosedRange<Double>, amplitude: Double) -> [Wave] {
            (0..<n).map { _ in
                Wave(period: (periodDays.lowerBound + rng.unit() * (periodDays.upperBound - periodDays.lowerBound)) * 86_400,
                     phase: rng.unit() * 2 * .pi,
                     amplitude: amplitude * (0.5 + rng.unit()))
            }
        }
        temperatureWeather = waves(3, periodDays: 2...7, amplitude: 1.5)
        dewPointWeather = waves(2, periodDays: 3...9, amplitude: 1.2)
        pressureWeather = waves(3, periodDays: 2...8, amplitude: 500)
    }

    public func conditions(at time: WallTime) -> AirConditions {
        let t = time.secondsSinceEpoch
        let localHour = (t / 3600 + site.utcOffsetHours).truncatingRemainder(dividingBy: 24)
        let diurnal = site.diurnalAmplitude * cos(2 * .pi * (localHour - 15) / 24)
        let temperature = site.meanTemperature + diurnal + temperatureWeather.reduce(0) { $0 + $1.at(t) }
        let dewPoint = min(temperature,
                           site.meanTemperature - site.dewPointDepression + dewPointWeather.reduce(0) { $0 + $1.at(t) })
        let humidity = min(100, 100 * Self.saturationVapourPressure(dewPoint) / Self.saturationVapourPressure(temperature))
        let seaLevel = 101_325 + pressureWeather.reduce(0) { $0 + $1.at(t) }
        let pressure = seaLevel * pow(1 - site.altitude / 44_330, 5.255)
        return AirConditions(temperature: temperature, pressure: pressure, humidity: humidity)
    }

    /// Magnus over water (Sensirion's constants), hPa.
    static func saturationVapourPressure(_ t: Double) -> Double {
        6.112 * exp(17.62 * t / (243.12 + t))
    }
}
