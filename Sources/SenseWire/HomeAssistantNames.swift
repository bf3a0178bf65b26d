/// Entity names as Home Assistant shows them: the config's identifiers made readable
/// (`cabinet_humid` → `Cabinet humid`, `outdoor pm2_5` → `Outdoor PM2.5`). Home Assistant puts
/// the device's name before them, so they do not repeat it.
package enum HomeAssistantNames {
    /// Words written as their field writes them.
    static let spelled: [String: String] = [
        "pm": "PM", "co": "CO", "co2": "CO2", "no2": "NO2", "o3": "O3", "so2": "SO2", "nox": "NOx", "voc": "VOC",
        "aqi": "AQI", "nowcast": "NowCast", "los": "LOS", "rh": "RH", "mqtt": "MQTT", "ph": "pH", "id": "ID",
    ]

    package static func readable(_ name: String) -> String {
        var words: [String] = []
        for part in name.split(separator: " ") {
            // `pm2_5` → `pm2.5`: a number split by `_` (topic levels have no dots) is one number.
            var tokens: [String] = []
            for token in part.split(separator: "_").map(String.init) {
                if let last = tokens.last, last.last?.isNumber == true, !token.isEmpty, token.allSatisfy(\.isNumber) {
                    tokens[tokens.count - 1] = last + "." + token
                } else {
                    tokens.append(token)
                }
            }
            words += tokens.filter { !$0.isEmpty }.map(spell)
        }
        guard let first = words.first else { return name }
        words[0] = first.prefix(1).uppercased() + first.dropFirst()
        return words.joined(separator: " ")
    }

    /// `pm2.5` → `PM2.5`, `co2` → `CO2`: a known word, or a known word followed by its number.
    private static func spell(_ word: String) -> String {
        let lower = word.lowercased()
        if let s = spelled[lower] { return s }
        let letters = String(lower.prefix { $0.isLetter })
        if let s = spelled[letters], letters.count < lower.count, lower.dropFirst(letters.count).first?.isNumber == true {
            return s + lower.dropFirst(letters.count)
        }
        return word
    }
}
