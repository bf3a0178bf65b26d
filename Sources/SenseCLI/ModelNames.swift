import SenseCore

/// The names a technician may use for a model and its inputs: the command's own (`dewpoint`,
/// `t=`, `rh=`), or as the config spells them (`dew_point`, `temperature=`, `humidity=`), in
/// the units the daemon publishes (a `pressure=` in Pa, as on the wire, is a `p=` in hPa).
extension ModelCommand {
    /// A config's `model:` name that is not the command's name with `-` for `_`.
    static let configModelNames: [String: String] = [
        "dew_point": "dewpoint", "absolute_humidity": "dewpoint", "pm25_epa": "pm25-correction", "pm25_smoke": "pm25-correction",
        "nowcast_pm": "nowcast", "nowcast_o3": "nowcast", "stage_vented": "hydrostatic-depth",
        "stage_absolute": "hydrostatic-depth", "ultrasonic_distance": "ultrasonic-stage", "discharge_rating": "rating-curve",
        "discharge_manning": "manning", "discharge_vnotch": "weir-vnotch", "discharge_weir_rect": "weir-rect",
    ]

    /// An input given by its config name: the command's key, and the factor from the daemon's
    /// unit to the command's.
    struct InputAlias {
        var key: String
        var scale: Double = 1
    }

    static let inputAliases: [String: [String: InputAlias]] = [
        "dewpoint": ["temperature": InputAlias(key: "t"), "humidity": InputAlias(key: "rh")],
        "heat-index": ["temperature": InputAlias(key: "t"), "humidity": InputAlias(key: "rh")],
        "sea-level-pressure": ["pressure": InputAlias(key: "p", scale: 0.01), "temperature": InputAlias(key: "t")],
        "pm25-correction": ["pm2_5": InputAlias(key: "pm25"), "humidity": InputAlias(key: "rh")],
        "ultrasonic-stage": ["echo_time": InputAlias(key: "echo"), "air_temperature": InputAlias(key: "t")],
    ]

    /// Outputs the daemon publishes in another unit than the command's: asked for by the
    /// config's name, the model answers in the daemon's unit.
    static let daemonOutputUnits: [String: [String: (unit: String, scale: Double)]] = [
        "sea-level-pressure": ["sea_level_pressure": ("Pa", 100)]
    ]

    /// `dewpoint`, `dew_point`, `Dew-Point`, `absolute_humidity` → the model `dewpoint`.
    static func model(named name: String) -> Model? {
        if let m = models.first(where: { $0.name == name }) { return m }
        let folded = fold(name)
        if let m = models.first(where: { fold($0.name) == folded }) { return m }
        return configModelNames[name.lowercased()].flatMap { canonical in models.first { $0.name == canonical } }
    }

    private static func fold(_ name: String) -> String { String(name.lowercased().filter { $0 != "-" && $0 != "_" }) }

    /// `key=value` in the command's terms: an alias's value converted to the command's unit.
    static func canonical(_ key: String, _ value: String, model: String) -> (key: String, value: String) {
        guard let alias = inputAliases[model]?[key] else { return (key, value) }
        guard alias.scale != 1, let v = NumberText.decimal(value) else { return (alias.key, value) }
        return (alias.key, "\(v * alias.scale)")
    }
}
