import Foundation
import SenseConfig
import SenseParts

/// Writes a config beside a copy of the repository's boards/ and loads it.
package enum ConfigFixture {
    package static let directory: String = {
        let dir = TemporaryDirectory.make("sensegate-config")
        try! FileManager.default.copyItem(atPath: RepositoryPaths.boards, toPath: dir + "/boards")
        return dir
    }()

    package static func write(_ text: String, name: String = UUID().uuidString) -> String {
        let path = "\(directory)/\(name).yaml"
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Loads a config that must be valid.
    package static func load(_ text: String) throws -> SensegateConfig { try ConfigLoader.load(write(text), parts: .standard) }

    package static func errors(_ text: String) -> (path: String, diagnostics: [ConfigDiagnostic]) {
        let path = write(text)
        do {
            _ = try ConfigLoader.load(path, parts: .standard)
            return (path, [])
        } catch {
            return (path, error.diagnostics)
        }
    }

    package static let valid = """
        node: test-node
        board: sim
        mqtt:
          broker: mqtt://127.0.0.1:1883
        sensors:
          - name: outdoor
            driver: bme280
            bus: i2c-1
            address: 0x76
            interval: 10s
        """
}
