import Foundation

/// Validates JSON payloads against the JSON Schemas in docs/schemas/ with Debian's
/// python3-jsonschema (an implementation independent of the code that wrote the payloads).
package enum SchemaValidator {
    /// Returns the validation errors, one line each (empty when every payload is valid).
    package static func errors(schema: String, payloads: [String]) throws -> [String] {
        let dir = TemporaryDirectory.make("sensegate-schema")
        try payloads.joined(separator: "\n").write(toFile: dir + "/payloads.jsonl", atomically: true, encoding: .utf8)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            for n, line in enumerate(open(sys.argv[2]), 1):
                for e in v.iter_errors(json.loads(line)):
                    print(f"payload {n}: {e.message}")
            """
        try script.write(toFile: dir + "/validate.py", atomically: true, encoding: .utf8)
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let p = try ChildProcess(python, [dir + "/validate.py", RepositoryPaths.root + "/docs/schemas/\(schema)", dir + "/payloads.jsonl"])
        let status = p.waitForExit(timeout: 60)
        usleep(50_000)
        guard status == 0 else { return ["validator failed (\(status.map(String.init) ?? "timeout")): \(p.stderr)"] }
        return p.stdout.split(separator: "\n").map(String.init)
    }
}
