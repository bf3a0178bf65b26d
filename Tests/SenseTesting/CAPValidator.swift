import Foundation

/// Validates CAP 1.2 messages with Debian's python3-lxml against docs/schemas/cap-1.2-sensegate.xsd,
/// and checks the rules of the standard an XML Schema cannot state: a polygon is closed and has at
/// least four pairs; an Update or Cancel references earlier messages; `sent` is UTC as `-00:00`.
package enum CAPValidator {
    /// The problems found, one line each (empty when every message is valid).
    package static func errors(_ messages: [String]) throws -> [String] {
        let dir = TemporaryDirectory.make("sensegate-cap")
        for (i, m) in messages.enumerated() { try m.write(toFile: dir + "/\(i).xml", atomically: true, encoding: .utf8) }
        let script = """
            import sys, glob
            from lxml import etree
            ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
            schema = etree.XMLSchema(etree.parse(sys.argv[1]))
            for path in sorted(glob.glob(sys.argv[2] + "/*.xml")):
                name = path.rsplit("/", 1)[1]
                try:
                    doc = etree.parse(path)
                except etree.XMLSyntaxError as e:
                    print(f"{name}: not XML: {e}")
                    continue
                if not schema.validate(doc):
                    for e in schema.error_log:
                        print(f"{name}: line {e.line}: {e.message}")
                    continue
                kind = doc.findtext("cap:msgType", namespaces=ns)
                if kind in ("Update", "Cancel") and not doc.findtext("cap:references", namespaces=ns):
                    print(f"{name}: a {kind} must reference the messages it updates or cancels")
                for p in doc.iterfind(".//cap:polygon", namespaces=ns):
                    pairs = p.text.split()
                    if len(pairs) < 4 or pairs[0] != pairs[-1]:
                        print(f"{name}: polygon not closed or fewer than 4 pairs: {p.text}")
                for tag in ("sent", "info/cap:effective", "info/cap:onset", "info/cap:expires"):
                    for t in doc.iterfind("cap:" + tag, namespaces=ns):
                        if t.text.endswith("Z"):
                            print(f"{name}: {tag} in UTC must end -00:00, not Z")
            """
        try script.write(toFile: dir + "/validate.py", atomically: true, encoding: .utf8)
        let p = try ChildProcess(
            "/usr/bin/python3",
            [
                dir + "/validate.py",
                RepositoryPaths.root + "/docs/schemas/cap-1.2-sensegate.xsd", dir,
            ])
        let status = p.waitForExit(timeout: 60)
        usleep(50_000)
        guard status == 0 else { return ["validator failed (\(status.map(String.init) ?? "timeout")): \(p.stderr)"] }
        return p.stdout.split(separator: "\n").map(String.init)
    }
}
