import Foundation
import SenseMQTT
import SenseWire

/// Records a client's events and incoming messages so a test can wait for one.
package final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [MQTTEvent] = []
    private var received: [IncomingMessage] = []
    private var tasks: [Task<Void, Never>] = []

    package init(_ client: MQTTClient) {
        let stream = client.events
        let inbox = client.messages
        tasks = [
            Task { [weak self] in for await e in stream { self?.append(e) } },
            Task { [weak self] in for await m in inbox { self?.append(m) } },
        ]
    }

    deinit { for t in tasks { t.cancel() } }

    private func append(_ e: MQTTEvent) { lock.withLock { events.append(e) } }
    private func append(_ m: IncomingMessage) { lock.withLock { received.append(m) } }

    package var all: [MQTTEvent] { lock.withLock { events } }
    package var messages: [IncomingMessage] { lock.withLock { received } }

    /// Waits until `count` received messages match.
    @discardableResult
    package func waitMessage(count: Int = 1, timeout: Double = 30, _ match: @escaping (IncomingMessage) -> Bool) async -> Bool {
        await Network.eventually(timeout: timeout) { messages.filter(match).count >= count }
    }

    /// Waits until `count` recorded events match.
    @discardableResult
    package func wait(count: Int = 1, timeout: Double = 30, _ match: @escaping (MQTTEvent) -> Bool) async -> Bool {
        await Network.eventually(timeout: timeout) { all.filter(match).count >= count }
    }

    package func connects() -> Int { all.filter { $0 == .connected }.count }
}
