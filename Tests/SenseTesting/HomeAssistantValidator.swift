import Foundation

/// Checks Home Assistant discovery configs as Home Assistant would take them, with Debian's
/// python3-jinja2 (the template engine Home Assistant uses): well-formed JSON with the keys each
/// component needs, unique ids, device classes only with units Home Assistant accepts for them,
/// and every value template rendered against the real payloads on its state topic, giving what
/// the component expects (a number or `None` for a sensor, `ON`/`OFF`/`None` for a binary
/// sensor, an option for an enum, `state_on`/`state_off` for a switch).
package enum HomeAssistantValidator {
    package struct Report: Sendable {
        package var errors: [String]
        /// Templates rendered against a real payload: a check that cannot pass by seeing nothing.
        package var rendered: Int
        /// Configs with a value template whose state topic carried no payload to render it on.
        package var unrendered: [String]
    }

    /// `configs`: discovery topic → payload; `states`: every payload seen per topic.
    package static func check(configs: [String: String], states: [String: [String]]) throws -> Report {
        let dir = TemporaryDirectory.make("sensegate-ha")
        let input = try JSONSerialization.data(withJSONObject: ["configs": configs, "states": states])
        try input.write(to: URL(fileURLWithPath: dir + "/input.json"))
        let script = #"""
            import json, sys, jinja2
            data = json.load(open(sys.argv[1]))
            env = jinja2.Environment()
            units = {
              "temperature": {"°C", "°F", "K"}, "pressure": {"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"},
              "humidity": {"%"}, "carbon_dioxide": {"ppm"}, "carbon_monoxide": {"ppm"},
              "pm1": {"\u03bcg/m³"}, "pm25": {"\u03bcg/m³"}, "pm10": {"\u03bcg/m³"}, "current": {"A", "mA"}, "voltage": {"V", "mV"},
              "precipitation": {"cm", "in", "mm"}, "precipitation_intensity": {"in/d", "in/h", "mm/d", "mm/h"},
              "distance": {"km", "m", "cm", "mm", "mi", "yd", "in", "ft"}, "water": {"L", "gal", "m³", "ft³", "CCF"},
              "volume": {"L", "mL", "gal", "fl. oz.", "m³", "ft³", "CCF"},
              "volume_flow_rate": {"m³/h", "m³/s", "ft³/min", "L/h", "L/min", "L/s", "gal/min", "mL/s"},
              "frequency": {"Hz", "kHz", "MHz", "GHz"},
              "speed": {"ft/s", "in/d", "in/h", "km/h", "kn", "m/s", "mph", "mm/d", "mm/s"},
              "duration": {"d", "h", "min", "s", "ms", "\u03bcs"}, "data_size": {"B", "kB", "KiB", "MB", "MiB", "GB", "GiB"},
              "aqi": {None}, "enum": {None},
            }
            # Home Assistant's own micro is the Greek mu (U+03BC); the micro sign (U+00B5) is another unit to it.
            # Device classes that take only totals (volume, water, gas, energy, precipitation is both).
            totals_only = {"volume", "water"}
            binary_classes = {"battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door",
                              "gas", "heat", "light", "lock", "moisture", "motion", "moving", "occupancy", "opening", "plug",
                              "power", "presence", "problem", "running", "safety", "smoke", "sound", "tamper", "update",
                              "vibration", "window", None}
            errors, ids, rendered = [], set(), 0
            def err(topic, text): errors.append(f"{topic}: {text}")
            for topic, text in sorted(data["configs"].items()):
                component = topic.split("/")[-4]
                try:
                    c = json.loads(text)
                except ValueError as e:
                    err(topic, f"not JSON: {e}"); continue
                for key in ("name", "unique_id", "availability_topic", "device"):
                    if key not in c: err(topic, f"no {key}")
                if c.get("unique_id") in ids: err(topic, f"unique_id {c.get('unique_id')} used twice")
                ids.add(c.get("unique_id"))
                if not c.get("device", {}).get("identifiers"): err(topic, "device without identifiers")
                dc, unit = c.get("device_class"), c.get("unit_of_measurement")
                if component == "sensor":
                    if dc is not None and dc not in units: err(topic, f"unknown sensor device class {dc}")
                    elif dc is not None and unit not in units[dc]: err(topic, f"device class {dc} does not take unit {unit}")
                    if dc == "enum" and (not c.get("options") or "state_class" in c): err(topic, "enum needs options and no state_class")
                    if dc != "enum" and c.get("state_class") not in ("measurement", "total", "total_increasing"):
                        err(topic, f"state_class {c.get('state_class')}")
                    if dc in totals_only and c.get("state_class") == "measurement":
                        err(topic, f"device class {dc} takes only total or total_increasing")
                    if "\u00b5" in (unit or ""): err(topic, f"unit {unit} has the micro sign U+00B5, not Home Assistant's mu U+03BC")
                if component == "binary_sensor" and dc not in binary_classes: err(topic, f"binary sensor device class {dc}")
                if component in ("sensor", "binary_sensor", "switch") and "state_topic" not in c: err(topic, "no state_topic")
                if component in ("switch", "button") and "command_topic" not in c: err(topic, "no command_topic")
                if component == "button" and "payload_press" not in c: err(topic, "no payload_press")
                for key in ("payload_on", "payload_off", "payload_press"):
                    if component in ("switch", "button") and key in c: json.loads(c[key])
                template = c.get("value_template")
                if template is not None and not any(data["states"].get(c.get("state_topic"), [])):
                    print("unrendered: " + topic)
                for payload in data["states"].get(c.get("state_topic"), []):
                    if not payload: continue
                    value_json = json.loads(payload)
                    if "json_attributes_topic" in c and not isinstance(value_json, dict): err(topic, "attributes are not an object")
                    if template is None: continue
                    try:
                        out = env.from_string(template).render(value_json=value_json, value=payload).strip()
                    except Exception as e:
                        err(topic, f"template {template!r} failed on {payload}: {e}"); continue
                    rendered += 1
                    if component == "sensor" and dc == "enum":
                        ok = out in c["options"] or out == "None"
                    elif component == "sensor":
                        try: float(out); ok = True
                        except ValueError: ok = out == "None"
                    elif component == "binary_sensor":
                        ok = out in (c.get("payload_on", "ON"), c.get("payload_off", "OFF"), "None")
                    elif component == "switch":
                        ok = out in (c.get("state_on"), c.get("state_off"))
                    else:
                        ok = True
                    if not ok: err(topic, f"template {template!r} gave {out!r} on {payload}")
            for e in errors: print("error: " + e)
            print(f"rendered {rendered}")
            """#
        try script.write(toFile: dir + "/check.py", atomically: true, encoding: .utf8)
        let p = try ChildProcess("/usr/bin/python3", [dir + "/check.py", dir + "/input.json"])
        let status = p.waitForExit(timeout: 60)
        usleep(50_000)
        guard status == 0 else {
            return Report(errors: ["validator failed (\(status.map(String.init) ?? "timeout")): \(p.stderr)"], rendered: 0, unrendered: [])
        }
        let lines = p.stdout.split(separator: "\n").map(String.init)
        return Report(
            errors: lines.filter { $0.hasPrefix("error: ") }.map { String($0.dropFirst(7)) },
            rendered: lines.last.flatMap { $0.hasPrefix("rendered ") ? Int($0.dropFirst(9)) : nil } ?? 0,
            unrendered: lines.filter { $0.hasPrefix("unrendered: ") }.map { String($0.dropFirst(12)) })
    }
}
