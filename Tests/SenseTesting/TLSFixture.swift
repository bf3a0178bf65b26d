import Foundation

/// A throw-away CA and a server certificate for `localhost` / 127.0.0.1, made with openssl.
package struct TLSFixture: Sendable {
    package let directory: String
    package var caFile: String { directory + "/ca.crt" }
    package var serverCert: String { directory + "/server.crt" }
    package var serverKey: String { directory + "/server.key" }
    /// A client certificate signed by the same CA, for brokers that require one.
    package var clientCert: String { directory + "/client.crt" }
    package var clientKey: String { directory + "/client.key" }

    package init(commonName: String = "localhost") throws {
        directory = TemporaryDirectory.make("sensegate-tls")
        let d = directory
        let san = "subjectAltName=DNS:\(commonName),IP:127.0.0.1"
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sensegate test CA",
            "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt",
        ])
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr",
        ])
        try "\(san)\n".write(toFile: "\(d)/ext.cnf", atomically: true, encoding: .utf8)
        defer { for f in ["ca.key", "ca.crt", "server.key", "server.crt", "client.key", "client.crt"] { chmod("\(d)/\(f)", 0o644) } }
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sensegate-test-client",
            "-keyout", "\(d)/client.key", "-out", "\(d)/client.csr",
        ])
        try Self.openssl([
            "x509", "-req", "-in", "\(d)/client.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
            "-CAcreateserial", "-days", "2", "-out", "\(d)/client.crt",
        ])
        try Self.openssl([
            "x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "\(d)/ext.cnf", "-out", "\(d)/server.crt",
        ])
    }

    static func openssl(_ args: [String]) throws {
        let p = try ChildProcess("/usr/bin/openssl", args)
        guard p.waitForExit(timeout: 60) == 0 else { throw TLSError.openssl(args.first ?? "") }
    }

    package enum TLSError: Error { case openssl(String) }
}
