import SenseCore
import SenseDrivers
import SenseSimulationRig
import SenseSimulator

#if canImport(Glibc)
    import Glibc
#endif

/// The voltages on an emulated ADS1115's inputs, from the simulated world.
enum ADS1115WorldVoltages {
    /// AIN0…AIN3 for the configured inputs: each input's transfer inverted at the world's value
    /// of its quantity (by name: o3, no2, co, co2, pm2_5, temperature, humidity, pressure; the
    /// river's water_pressure, water_pressure_abs, water_temperature, water_depth), or a
    /// slow swing across the middle of its range for a quantity the world does not model.
    static func voltages(_ inputs: [ADS1115.Channel], context: EmulationContext) -> ADS1115Emulator.Inputs {
        let air = context.air
        return { wall in
            let a = air.conditions(at: wall)
            var ain = [0.0, 0.0, 0.0, 0.0]
            for c in inputs {
                let p = a.pollution
                // Gases in the unit the input is configured in (the world keeps O3/NO2 in ppb, CO in ppm).
                let ppb = { (v: Double) in c.unit == .ppm ? v / 1000 : v }
                let ppm = { (v: Double) in c.unit == .ppb ? v * 1000 : v }
                let known: Double? =
                    switch c.quantity {
                    case "o3": ppb(p.o3)
                    case "no2": ppb(p.no2)
                    case "co": ppm(p.co)
                    case "co2": p.co2
                    case "pm2_5": p.pm2_5
                    case "temperature": a.temperature
                    case "humidity": a.humidity
                    case "pressure": a.pressure
                    default: context.water(c.quantity, at: wall)
                    }
                let swing = 0.5 + 0.3 * sin(wall.secondsSinceEpoch / 3600)
                let v: Double =
                    switch c.transfer {
                    case let .linear(_, _, y0, y1): c.transfer.volts(for: known ?? (y0 + (y1 - y0) * swing)) ?? 0
                    case let .currentLoop(_, y0, y1): c.transfer.volts(for: known ?? (y0 + (y1 - y0) * swing)) ?? 0
                    case .polynomial: known.flatMap { c.transfer.volts(for: $0) } ?? (1 + swing)
                    }
                // A differential pair gets the voltage on its positive pin, its negative pin at 0 V.
                let pin =
                    switch c.input {
                    case .ain0, .ain0AIN1, .ain0AIN3: 0
                    case .ain1, .ain1AIN3: 1
                    case .ain2, .ain2AIN3: 2
                    case .ain3: 3
                    }
                ain[pin] = v
            }
            return ain
        }
    }
}
