import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Air at one place and moment.
package struct AirConditions: Sendable, Hashable {
    package var temperature: Double  // °C
    package var pressure: Double  // Pa, at the station (not reduced to sea level)
    package var humidity: Double  // %RH, 0…100
    /// What is in it (outdoor particulates and gases, CO2 in the monitored room).
    package var pollution: Pollution

    package init(temperature: Double, pressure: Double, humidity: Double, pollution: Pollution = Pollution()) {
        self.temperature = temperature
        self.pressure = pressure
        self.humidity = humidity
        self.pollution = pollution
    }
}

/// True (dry, reference-instrument) concentrations; what a low-cost sensor shows is the
/// emulator's business.
package struct Pollution: Sendable, Hashable {
    /// PM2.5 mass concentration, µg/m³.
    package var pm2_5: Double
    /// PM1/PM2.5 and PM10/PM2.5 mass ratios (urban aerosol: fine fraction dominates).
    package var pm1Ratio: Double
    package var pm10Ratio: Double
    /// CO2 at the CO2 sensor (ppm): a room's air.
    package var co2: Double
    /// Gases at street level: O3 and NO2 in ppb, CO in ppm.
    package var o3: Double
    package var no2: Double
    package var co: Double
    /// Sensirion's VOC and NOx index scales (100 and 1 are "typical" air).
    package var vocIndex: Double
    package var noxIndex: Double

    package init(
        pm2_5: Double = 8, pm1Ratio: Double = 0.7, pm10Ratio: Double = 1.6, co2: Double = 420, o3: Double = 30,
        no2: Double = 15, co: Double = 0.3, vocIndex: Double = 100, noxIndex: Double = 1
    ) {
        self.pm2_5 = pm2_5
        self.pm1Ratio = pm1Ratio
        self.pm10Ratio = pm10Ratio
        self.co2 = co2
        self.o3 = o3
        self.no2 = no2
        self.co = co
        self.vocIndex = vocIndex
        self.noxIndex = noxIndex
    }

    /// The part of `pm2_5` that is smoke: almost all of it below 1 µm, little coarse matter.
    package var smoke: Double = 0

    package var pm1_0: Double { (pm2_5 - smoke) * pm1Ratio + smoke * 0.9 }
    /// PM4 lies between PM2.5 and PM10, nearer PM2.5.
    package var pm4_0: Double { pm2_5 + (pm10 - pm2_5) * 0.3 }
    package var pm10: Double { (pm2_5 - smoke) * pm10Ratio + smoke * 1.1 }
}

/// Anything that tells an emulated sensor what air it sits in.
package protocol AirSource: Sendable {
    func conditions(at time: WallTime) -> AirConditions
}

/// A fixed atmosphere, for tests.
package struct FixedAir: AirSource {
    package var air: AirConditions
    package init(_ air: AirConditions) { self.air = air }
    package func conditions(at time: WallTime) -> AirConditions { air }
}

/// The simulated atmosphere: a diurnal temperature cycle peaking mid-afternoon, passing weather
/// (slow sinusoids with seeded periods and phases), a dew point that drifts more slowly than the
/// temperature (so humidity peaks at dawn), and sea-level pressure drifting with the weather,
/// reduced to the site's altitude. A pure function of civil time and the seed.
package struct AtmosphereWorld: AirSource {
    package struct Site: Sendable, Hashable {
        package var altitude: Double  // m above sea level
        package var meanTemperature: Double  // °C
        package var diurnalAmplitude: Double  // °C, half the day's range
        package var dewPointDepression: Double  // °C, mean T − mean dew point
        package var utcOffsetHours: Double  // local solar time − UTC

        package init(
            altitude: Double = 35, meanTemperature: Double = 14, diurnalAmplitude: Double = 5,
            dewPointDepression: Double = 8, utcOffsetHours: Double = 1
        ) {
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

    package let seed: UInt64
    package let site: Site
    private let temperatureWeather: [Wave]
    private let dewPointWeather: [Wave]
    private let pressureWeather: [Wave]
    private let pollutionWeather: [Wave]
    package let occupancy: RoomOccupancy

    package init(seed: UInt64, site: Site = Site(), occupancy: RoomOccupancy = RoomOccupancy()) {
        self.seed = seed
        self.site = site
        var rng = SplitMix64(seed: seed)
        func waves(_ n: Int, periodDays: ClosedRange<Double>, amplitude: Double) -> [Wave] {
            (0..<n).map { _ in
                Wave(
                    period: (periodDays.lowerBound + rng.unit() * (periodDays.upperBound - periodDays.lowerBound)) * 86_400,
                    phase: rng.unit() * 2 * .pi,
                    amplitude: amplitude * (0.5 + rng.unit()))
            }
        }
        temperatureWeather = waves(3, periodDays: 2...7, amplitude: 1.5)
        dewPointWeather = waves(2, periodDays: 3...9, amplitude: 1.2)
        pressureWeather = waves(3, periodDays: 2...8, amplitude: 500)
        pollutionWeather = waves(2, periodDays: 1.5...5, amplitude: 0.25)
        self.occupancy = occupancy
    }

    package func conditions(at time: WallTime) -> AirConditions {
        let t = time.secondsSinceEpoch
        let localHour = (t / 3600 + site.utcOffsetHours).truncatingRemainder(dividingBy: 24)
        let diurnal = site.diurnalAmplitude * cos(2 * .pi * (localHour - 15) / 24)
        let temperature = site.meanTemperature + diurnal + temperatureWeather.reduce(0) { $0 + $1.at(t) }
        let dewPoint = min(
            temperature,
            site.meanTemperature - site.dewPointDepression + dewPointWeather.reduce(0) { $0 + $1.at(t) })
        let humidity = min(100, 100 * Self.saturationVapourPressure(dewPoint) / Self.saturationVapourPressure(temperature))
        let seaLevel = 101_325 + pressureWeather.reduce(0) { $0 + $1.at(t) }
        let pressure = seaLevel * pow(1 - site.altitude / 44_330, 5.255)
        return AirConditions(
            temperature: temperature, pressure: pressure, humidity: humidity,
            pollution: pollution(t: t, localHour: localHour, temperature: temperature))
    }

    /// Urban air: a regional PM2.5 background modulated by the weather, traffic peaks at 08:00
    /// and 18:00 (PM, NO2, CO), afternoon photochemical ozone, and a room whose CO2 follows its
    /// occupants (`RoomOccupancy`).
    private func pollution(t: Double, localHour h: Double, temperature: Double) -> Pollution {
        func peak(_ centre: Double, width: Double) -> Double {
            let d = min(abs(h - centre), 24 - abs(h - centre))
            return exp(-d * d / (2 * width * width))
        }
        let weather = 1 + pollutionWeather.reduce(0) { $0 + $1.at(t) }
        let traffic = peak(8, width: 1.1) + 0.8 * peak(18, width: 1.3)
        let pm = max(1, 7 * weather + 14 * traffic)
        let sun = max(0, cos(2 * .pi * (h - 15) / 24))
        return Pollution(
            pm2_5: pm, co2: occupancy.co2(localHour: h), o3: max(2, 15 + 40 * sun * sun * weather - 10 * traffic),
            no2: 8 + 30 * traffic, co: 0.2 + 0.8 * traffic,
            vocIndex: 90 + 60 * traffic, noxIndex: 1 + 20 * traffic)
    }

    /// Magnus over water (Sensirion's constants), hPa.
    static func saturationVapourPressure(_ t: Double) -> Double {
        6.112 * exp(17.62 * t / (243.12 + t))
    }
}

/// CO2 in a ventilated room: each occupant emits `perPerson` (L/s of CO2), the outdoor air
/// exchanges at `airChangesPerHour`, so C relaxes towards C_out + G/Q with time constant 1/ACH.
/// Occupancy is a schedule of local hours; the state is integrated segment by segment from the
/// night (when the room is empty and at the outdoor level), so the value is a pure function of time.
package struct RoomOccupancy: Sendable, Hashable {
    package var volume: Double  // m³
    package var airChangesPerHour: Double
    package var perPerson: Double  // L/s CO2 per person (sedentary adult ≈ 0.005)
    package var outdoor: Double  // ppm
    /// (from local hour, people), ordered; the last entry lasts until midnight.
    package var schedule: [(hour: Double, people: Int)]

    package init(
        volume: Double = 150, airChangesPerHour: Double = 1.0, perPerson: Double = 0.005, outdoor: Double = 420,
        schedule: [(hour: Double, people: Int)] = [(0, 0), (8, 12), (12, 4), (13, 12), (17, 0)]
    ) {
        self.volume = volume
        self.airChangesPerHour = airChangesPerHour
        self.perPerson = perPerson
        self.outdoor = outdoor
        self.schedule = schedule
    }

    package static func == (a: Self, b: Self) -> Bool {
        a.volume == b.volume && a.airChangesPerHour == b.airChangesPerHour && a.perPerson == b.perPerson
            && a.outdoor == b.outdoor && a.schedule.map(\.hour) == b.schedule.map(\.hour)
            && a.schedule.map(\.people) == b.schedule.map(\.people)
    }

    package func hash(into h: inout Hasher) { h.combine(volume) }

    /// Steady state for `people`: C_out + 10⁶·G/Q, Q the ventilation in L/s.
    package func steadyState(people: Int) -> Double {
        let q = airChangesPerHour * volume * 1000 / 3600
        return outdoor + 1e6 * Double(people) * perPerson / q
    }

    package func co2(localHour h: Double) -> Double {
        var c = outdoor
        for (i, segment) in schedule.enumerated() where segment.hour <= h {
            let end = min(h, i + 1 < schedule.count ? schedule[i + 1].hour : 24)
            let target = steadyState(people: segment.people)
            c = target + (c - target) * exp(-airChangesPerHour * (end - segment.hour))
        }
        return c
    }
}
