import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal test runner for the guest: no toolchain and no Foundation there, only this binary
/// and its libraries. Each test gets a `Checks` to record failures; `require` stops a test.
struct KernelTest: Sendable {
    var name: String
    var body: @Sendable (Checks) async throws -> Void
}

/// Thrown by a test that does not apply here (TAP's `# SKIP`), e.g. a libgpiod v2 feature on v1.
struct Skip: Error {
    var reason: String
}

struct RequirementFailed: Error, CustomStringConvertible {
    var description: String
}

/// What one test found wrong.
final class Checks: Sendable {
    private let failures = LockedList<String>()

    var recorded: [String] { failures.all }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line, file: String = #fileID) {
        guard !condition else { return }
        record("\(file):\(line): \(message())")
    }

    func require<T>(_ value: T?, _ message: @autoclosure () -> String, line: Int = #line, file: String = #fileID) throws -> T {
        guard let value else {
            let text = "\(file):\(line): \(message())"
            record(text)
            throw RequirementFailed(description: text)
        }
        return value
    }

    func record(_ text: String) { failures.append(text) }
}

/// A list several threads append to (failures, edges, MQTT messages).
final class LockedList<Element: Sendable>: Sendable {
    private let items = Locked<[Element]>([])
    func append(_ e: Element) { items.withLock { $0.append(e) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
    func first(where match: (Element) -> Bool) -> Element? { items.withLock { $0.first(where: match) } }
    func last(where match: (Element) -> Bool) -> Element? { items.withLock { $0.last(where: match) } }
}

enum KernelTestRunner {
    /// Runs the tests whose names contain one of `filters` (all without filters), TAP-style;
    /// returns the number that failed.
    static func run(_ tests: [KernelTest], filters: [String]) async -> Int {
        let chosen = filters.isEmpty ? tests : tests.filter { t in filters.contains { t.name.contains($0) } }
        print("1..\(chosen.count)")
        var failed = 0
        let clock = SystemClock()
        for (i, test) in chosen.enumerated() {
            let checks = Checks()
            let start = clock.monotonicNow
            var skipped: String?
            do {
                try await test.body(checks)
            } catch let s as Skip {
                skipped = s.reason
            } catch let e as RequirementFailed {
                _ = e  // already recorded
            } catch {
                checks.record("threw \(error)")
            }
            let took = Double((clock.monotonicNow - start).nanoseconds) / 1e9
            let failures = checks.recorded
            let seconds = "\(Int(took * 1000)) ms"
            if let skipped, failures.isEmpty {
                print("ok \(i + 1) - \(test.name) # SKIP \(skipped)")
            } else if failures.isEmpty {
                print("ok \(i + 1) - \(test.name) (\(seconds))")
            } else {
                failed += 1
                print("not ok \(i + 1) - \(test.name) (\(seconds))")
                for f in failures { print("#   \(f)") }
            }
            fflush(nil)  // every stream: the serial port shows progress as it happens
        }
        print("# \(chosen.count) tests, \(failed) failed")
        return failed
    }
}
