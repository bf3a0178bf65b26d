import Foundation
import SenseMQTT

/// Records a client's events so a test can wait for one.
public final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [MQTTEvent] = []
    private var task: Task<Void, Never>?

    public init(_ client: MQTTClient) {
        let stream = client.events
        task = Task { [weak self] in
            for await e in stream { self?.append(e) }
        }
    }

    deinit { task?.cancel() }

    private func append(_ e: MQTTEvent) { lock.withLock { events.append(e) } }

    public var all: [MQTTEvent] { lock.withLock { events } }

    /// Waits until `count` recorded events match.
    @discardableResult
    public func wait(count: Int = 1, timeout: Double = 10, _ match: @escaping (MQTTEvent) -> Bool) async -> Bool {
        await Network.eventually(timeout: timeout) { all.filter(match).count >= count }
    }

    public func connects() -> Int { all.filter { $0 == .connected }.count }
}
