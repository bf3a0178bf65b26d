import CMosquitto
import Logging
import SenseCore
import SenseOS

#if canImport(Glibc)
    import Glibc
    import SenseWire
#endif

/// What the client reports, in order, from libmosquitto's network thread.
package enum MQTTEvent: Sendable, Hashable {
    case connected
    case connectRefused(code: Int32, reason: String)
    case disconnected(code: Int32, reason: String)
}

package struct MQTTClientOptions: Sendable, Hashable {
    package struct TLS: Sendable, Hashable {
        package var caFile: String?
        package var caPath: String?
        package var certFile: String?
        package var keyFile: String?
        package init(caFile: String? = nil, caPath: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.caPath = caPath
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    package var host: String
    package var port: Int
    package var clientID: String
    package var username: String?
    package var password: String?
    package var keepalive: Int = 30
    package var tls: TLS?
    /// Published by the broker if this client vanishes without a clean disconnect.
    package var will: MQTTMessage?
    /// Published (by the network thread) every time a connection is established.
    package var birth: MQTTMessage?
    package var reconnectMinSeconds: Int = 1
    package var reconnectMaxSeconds: Int = 60
    /// QoS 1 messages sent and not yet acknowledged, at most, on the connection.
    package var sendMaximum: Int = 100
    /// MQTT 5 where the broker speaks it (falling back to 3.1.1 when it refuses), or one version.
    package var protocolChoice: MQTTProtocolChoice = .auto
    /// Incoming messages waiting to be taken from `messages`, at most; past it the oldest are
    /// dropped. The gateway's commands need few; a test subscriber may want many.
    package var inboxLimit = 256

    package init(host: String, port: Int, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }
}

/// Which MQTT version to speak.
package enum MQTTProtocolChoice: String, Sendable, Hashable, CaseIterable {
    /// MQTT 5, and 3.1.1 with a broker that refuses 5.
    case auto
    case v5 = "5"
    case v311 = "3.1.1"
}

/// What MQTT 5 adds to a message (ignored on a 3.1.1 connection).
package struct MQTTProperties: Sendable, Hashable {
    package var contentType: String?
    /// Name/value pairs, in order (`seq`, `schema`).
    package var user: [[String]] = []
    /// The broker discards the message (and a retained copy) after this many seconds.
    package var expirySeconds: Int?

    package init(contentType: String? = nil, user: [[String]] = [], expirySeconds: Int? = nil) {
        self.contentType = contentType
        self.user = user
        self.expirySeconds = expirySeconds
    }
}

package struct MQTTMessage: Sendable, Hashable {
    package var topic: String
    package var payload: [UInt8]
    package var qos: Int
    package var retain: Bool
    package var properties: MQTTProperties?

    package init(topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTProperties? = nil) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    package init(topic: String, text: String, qos: Int, retain: Bool) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }
}

package enum MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    case library(operation: String, code: Int32, message: String)

    package var description: String {
        switch self {
        case let .library(op, code, message): "\(op) failed: \(message) (mosquitto error \(code))"
        }
    }
}

/// What became of one publish.
package enum PublishOutcome: Sendable, Hashable {
    /// Written to the connection (QoS 0) or in flight awaiting PUBACK (QoS 1).
    case sent
    /// Not connected; QoS 1 is held by libmosquitto and sent after reconnecting.
    case heldByLibrary
    /// Not connected and QoS 0: dropped by libmosquitto.
    case notConnected
    case failed(MQTTError)
}

private let libraryReady: Bool = {
    mosquitto_lib_init()
    return true
}()

/// A libmosquitto client. Its network thread (`MQTTNetworkLoop`) does I/O, keepalive and
/// reconnects with exponential backoff; callbacks copy what they need and hand it to `events`.
/// On every (re)connect the birth message is published and subscriptions are renewed.
package final class MQTTClient: MessageTransport {
    package let options: MQTTClientOptions
    package let events: AsyncStream<MQTTEvent>
    /// Messages from subscriptions. Bounded apart from `events`, so a flood can neither fill the
    /// memory nor push a `connected` out of the buffer: past `options.inboxLimit` waiting
    /// messages, the oldest are dropped and counted (`droppedMessages`).
    package let messages: AsyncStream<IncomingMessage>

    /// Larger payloads are not copied out of libmosquitto: nothing this client subscribes to is
    /// that large, and a hostile one must not be held in memory `inboxLimit` times.
    package static let payloadCopyLimit = 16 * 1024
    private let handle: MosquittoHandle
    private let sink: CallbackSink
    private let loop: MQTTNetworkLoop

    /// `observer` (the outbox) hears of acknowledgements and connection changes synchronously,
    /// on the network thread; `events` carries the same news and incoming messages to a task.
    package init(options: MQTTClientOptions, logger: Logger, observer: (any DeliveryObserver)? = nil) throws(MQTTError) {
        precondition(libraryReady)
        self.options = options
        let (stream, continuation) = AsyncStream<MQTTEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        events = stream
        let (inbox, inboxContinuation) = AsyncStream<IncomingMessage>.makeStream(bufferingPolicy: .bufferingNewest(max(1, options.inboxLimit)))
        messages = inbox
        sink = CallbackSink(options: options, continuation: continuation, inbox: inboxContinuation, logger: logger, observer: observer)
        guard let mosq = mosquitto_new(options.clientID, true, Unmanaged.passUnretained(sink).toOpaque()) else {
            throw .library(operation: "mosquitto_new", code: 1, message: "out of memory")
        }
        handle = MosquittoHandle(mosq)
        loop = MQTTNetworkLoop(
            handle: handle, sink: sink,
            backoff: ReconnectBackoff(minSeconds: options.reconnectMinSeconds, maxSeconds: options.reconnectMaxSeconds))
        try configure()
    }

    deinit {
        // The network thread may still be in `mosquitto_loop` or a backoff: it destroys the
        // handle itself when it ends (within a second), so the caller never waits here.
        sink.stopping()
        loop.stopAndDestroy()
        sink.continuation.finish()
        sink.inbox.finish()
    }

    /// Installs the callbacks. They are non-capturing closures written here, in nonisolated code:
    /// written in a @MainActor context they would trap when libmosquitto's thread calls them.
    nonisolated private func configure() throws(MQTTError) {
        let mosq = handle.pointer
        // The v5 callbacks run for 3.1.1 connections too (reason code 0, no properties).
        mosquitto_connect_v5_callback_set(mosq) { mosq, userdata, rc, _, _ in
            CallbackSink.from(userdata).onConnect(mosq, rc)
        }
        mosquitto_disconnect_v5_callback_set(mosq) { mosq, userdata, rc, _ in
            CallbackSink.from(userdata).onDisconnect(mosq, rc)
        }
        // Each packet from the broker is acknowledged at once (see `sg_mosquitto_quickack`):
        // a broker with Nagle's algorithm on would otherwise hold a command behind an
        // unacknowledged PUBACK for the delayed-ACK timer. A failure costs only that latency.
        mosquitto_publish_v5_callback_set(mosq) { mosq, userdata, mid, reason, _ in
            _ = sg_mosquitto_quickack(mosq)
            CallbackSink.from(userdata).onPublish(mid, reason: reason)
        }
        mosquitto_message_callback_set(mosq) { mosq, userdata, message in
            _ = sg_mosquitto_quickack(mosq)
            guard let m = message?.pointee else { return }
            let topic = m.topic.map { String(cString: $0) } ?? ""
            let length = max(0, Int(m.payloadlen))
            let payload: [UInt8] =
                length > 0 && length <= MQTTClient.payloadCopyLimit && m.payload != nil
                ? Array(UnsafeRawBufferPointer(start: m.payload, count: length))
                : []
            CallbackSink.from(userdata).onMessage(IncomingMessage(topic: topic, payload: payload, retained: m.retain, length: length))
        }
        try check(
            "MOSQ_OPT_PROTOCOL_VERSION",
            mosquitto_int_option(
                mosq, MOSQ_OPT_PROTOCOL_VERSION,
                options.protocolChoice == .v311 ? MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5))
        sink.setProtocol(options.protocolChoice == .v311 ? 4 : 5)
        try check("MOSQ_OPT_TCP_NODELAY", mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1))
        // Publishes come from other threads than the one running the loop (`MQTTNetworkLoop`).
        try check("mosquitto_threaded_set", mosquitto_threaded_set(mosq, true))
        // QoS 1 messages on the wire awaiting PUBACK (libmosquitto's default is 20); more wait in
        // its queue, which the outbox's window bounds.
        try check("MOSQ_OPT_SEND_MAXIMUM", mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, Int32(options.sendMaximum)))
        if let username = options.username {
            try check("mosquitto_username_pw_set", mosquitto_username_pw_set(mosq, username, options.password))
        }
        if let will = options.will {
            try check(
                "mosquitto_will_set",
                will.payload.withUnsafeBytes {
                    mosquitto_will_set(mosq, will.topic, Int32($0.count), $0.baseAddress, Int32(will.qos), will.retain)
                })
        }
        if let tls = options.tls {
            try check("mosquitto_tls_set", mosquitto_tls_set(mosq, tls.caFile, tls.caPath, tls.certFile, tls.keyFile, nil))
            // Verify the broker's certificate and host name; there is no switch to turn this off.
            try check("mosquitto_tls_opts_set", mosquitto_tls_opts_set(mosq, 1, nil, nil))
            try check("mosquitto_tls_insecure_set", mosquitto_tls_insecure_set(mosq, false))
        }
    }

    /// Starts the first connection attempt, then the network thread; later attempts are
    /// automatic. The attempt goes first: the thread only ever reconnects, and two threads must
    /// not connect at once.
    package func start() throws(MQTTError) {
        let rc = mosquitto_connect_async(handle.pointer, options.host, Int32(options.port), Int32(options.keepalive))
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            // Refused or unreachable now: the network thread keeps trying with backoff.
            sink.logger.warning("MQTT broker \(options.host):\(options.port) not reachable yet: \(Self.describe(rc)); retrying")
            sink.outageReported()
        }
        do {
            try loop.start()
        } catch {
            throw .library(operation: "start the MQTT network thread", code: MOSQ_ERR_ERRNO.rawValue, message: error.description)
        }
    }

    package var isConnected: Bool { sink.isConnected }

    /// libmosquitto's version, e.g. `2.0.11`.
    package static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// QoS 1 messages sent and not yet acknowledged.
    package var unacknowledged: Int { sink.unacknowledged }

    package func publish(_ message: MQTTMessage) -> PublishOutcome {
        publish(tracked: message).outcome
    }

    package func publish(tracked message: MQTTMessage) -> (outcome: PublishOutcome, mid: Int32) {
        var mid: Int32 = 0
        let properties = sink.protocolVersion == 5 ? message.properties : nil
        let rc = sink.trackingPublish(qos: message.qos) {
            var list: OpaquePointer? = nil
            defer { mosquitto_property_free_all(&list) }
            if let p = properties { Self.add(p, to: &list) }
            return message.payload.withUnsafeBytes {
                mosquitto_publish_v5(
                    handle.pointer, &mid, message.topic, Int32($0.count), $0.baseAddress,
                    Int32(message.qos), message.retain, list)
            }
        } mid: {
            mid
        }
        switch rc {
        case MOSQ_ERR_SUCCESS.rawValue: return (.sent, mid)
        case MOSQ_ERR_NO_CONN.rawValue: return (message.qos > 0 ? .heldByLibrary : .notConnected, mid)
        default: return (.failed(.library(operation: "mosquitto_publish", code: rc, message: Self.describe(rc))), mid)
        }
    }

    /// The MQTT version of the current (or next) connection: 5 or 4 (3.1.1).
    package var protocolVersion: Int { sink.protocolVersion }

    /// PUBACKs whose reason code said the broker did not accept the message (MQTT 5).
    package var refusedByBroker: Int { sink.refused }

    private static func add(_ p: MQTTProperties, to list: inout OpaquePointer?) {
        if let type = p.contentType { mosquitto_property_add_string(&list, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), type) }
        for pair in p.user where pair.count == 2 {
            mosquitto_property_add_string_pair(&list, Int32(MQTT_PROP_USER_PROPERTY.rawValue), pair[0], pair[1])
        }
        if let e = p.expirySeconds {
            mosquitto_property_add_int32(&list, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), UInt32(clamping: e))
        }
    }

    /// Subscribes now (if connected) and again after every reconnect. On MQTT 5 the broker keeps
    /// the retain flag as published (so a retained command is recognised even when it arrives
    /// live) and does not send this client's own messages back.
    package func subscribe(_ topic: String, qos: Int) throws(MQTTError) {
        sink.addSubscription(topic, qos: qos)
        let rc = CallbackSink.subscribe(handle.pointer, topic, qos: qos, v5: sink.protocolVersion == 5)
        guard rc == MOSQ_ERR_SUCCESS.rawValue || rc == MOSQ_ERR_NO_CONN.rawValue else {
            throw .library(operation: "mosquitto_subscribe", code: rc, message: Self.describe(rc))
        }
    }

    /// Messages dropped because `inboxLimit` were already waiting.
    package var droppedMessages: Int { sink.droppedMessages }

    /// Publishes `last` (if connected), waits up to `timeout` for outstanding acknowledgements,
    /// disconnects cleanly (so the broker does not send the will) and stops the network thread.
    package func shutdown(last: MQTTMessage?, timeout: Duration) async {
        if let last, isConnected { _ = publish(last) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isConnected, unacknowledged > 0, clock.now < deadline {
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                break  // cancelled: stop waiting for acknowledgements, still disconnect cleanly
            }
        }
        sink.stopping()
        // The network thread writes the DISCONNECT, sees the socket close and ends; without a
        // connection there is nothing to write and it is told to end at once.
        if mosquitto_disconnect(handle.pointer) != MOSQ_ERR_SUCCESS.rawValue { loop.requestStop() }
        let ended = clock.now + .seconds(2)
        while !loop.hasFinished, clock.now < ended {
            if clock.now > ended - .seconds(1) { loop.requestStop() }  // a DISCONNECT that cannot be written
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                break  // cancelled: the thread still ends by itself after the request below
            }
        }
        loop.requestStop()
        sink.continuation.finish()
        sink.inbox.finish()
    }

    private func check(_ operation: String, _ rc: Int32) throws(MQTTError) {
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            throw .library(operation: operation, code: rc, message: Self.describe(rc))
        }
    }

    static func describe(_ rc: Int32) -> String {
        String(cString: mosquitto_strerror(rc))
    }
}

/// The opaque `struct mosquitto *`; libmosquitto serialises access internally (threaded build).
struct MosquittoHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// Receives libmosquitto's callbacks (passed as userdata, unretained: the client owns it).
final class CallbackSink: Sendable {
    struct State {
        var connected = false
        var stopping = false
        /// Whether the current outage has been reported (one warning per outage, not per retry).
        var outageReported = false
        var subscriptions: [(String, Int)] = []
        var inFlight: Set<Int32> = []
        var ackedEarly: Set<Int32> = []
        var protocolVersion = 5
        var refused = 0
        var refusalsLogged: Set<Int32> = []
        var droppedMessages = 0
    }

    let options: MQTTClientOptions
    let continuation: AsyncStream<MQTTEvent>.Continuation
    let inbox: AsyncStream<IncomingMessage>.Continuation
    let logger: Logger
    let observer: (any DeliveryObserver)?
    private let state = Locked(State())

    init(
        options: MQTTClientOptions, continuation: AsyncStream<MQTTEvent>.Continuation,
        inbox: AsyncStream<IncomingMessage>.Continuation, logger: Logger, observer: (any DeliveryObserver)?
    ) {
        self.options = options
        self.continuation = continuation
        self.inbox = inbox
        self.logger = logger
        self.observer = observer
    }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> CallbackSink {
        Unmanaged<CallbackSink>.fromOpaque(userdata!).takeUnretainedValue()
    }

    var isConnected: Bool { state.withLock { $0.connected } }
    var protocolVersion: Int { state.withLock { $0.protocolVersion } }
    var refused: Int { state.withLock { $0.refused } }
    func setProtocol(_ v: Int) { state.withLock { $0.protocolVersion = v } }
    var unacknowledged: Int { state.withLock { $0.inFlight.count } }
    var droppedMessages: Int { state.withLock { $0.droppedMessages } }

    /// A subscription with MQTT 5's options where the connection speaks 5: no local (our own
    /// answers do not come back) and retain as published. A 3.1.1 broker gets the plain form,
    /// since libmosquitto would send the option bits in a byte 3.1.1 reserves.
    static func subscribe(_ mosq: OpaquePointer?, _ topic: String, qos: Int, v5: Bool) -> Int32 {
        let options = v5 ? Int32(MQTT_SUB_OPT_NO_LOCAL.rawValue | MQTT_SUB_OPT_RETAIN_AS_PUBLISHED.rawValue) : 0
        return mosquitto_subscribe_v5(mosq, nil, topic, Int32(qos), options, nil)
    }

    func addSubscription(_ topic: String, qos: Int) {
        state.withLock { s in
            if !s.subscriptions.contains(where: { $0.0 == topic }) { s.subscriptions.append((topic, qos)) }
        }
    }

    func stopping() { state.withLock { $0.stopping = true } }

    /// Runs a publish and records its message id for PUBACK tracking. The PUBACK can arrive on the
    /// network thread before mosquitto_publish returns; `ackedEarly` covers that race.
    func trackingPublish(qos: Int, _ publish: () -> Int32, mid: () -> Int32) -> Int32 {
        let rc = publish()
        guard qos > 0, rc == MOSQ_ERR_SUCCESS.rawValue || rc == MOSQ_ERR_NO_CONN.rawValue else { return rc }
        let id = mid()
        state.withLock { s in
            if s.ackedEarly.remove(id) == nil { s.inFlight.insert(id) }
        }
        return rc
    }

    func onConnect(_ mosq: OpaquePointer?, _ rc: Int32) {
        if rc == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION.rawValue, options.protocolChoice == .auto, protocolVersion == 5 {
            // A 3.1.1 broker: the next attempt (the network thread retries by itself) speaks 3.1.1.
            mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311)
            setProtocol(4)
            logger.notice("MQTT broker \(options.host):\(options.port) does not speak MQTT 5; using 3.1.1")
            continuation.yield(.connectRefused(code: rc, reason: "unsupported protocol version; retrying with 3.1.1"))
            return
        }
        guard rc == 0 else {
            let reason = protocolVersion == 5 ? String(cString: mosquitto_reason_string(rc)) : String(cString: mosquitto_connack_string(rc))
            logger.error("MQTT broker refused the connection: \(reason)")
            continuation.yield(.connectRefused(code: rc, reason: reason))
            return
        }
        let subscriptions = state.withLock { s in
            s.connected = true
            s.outageReported = false
            return s.subscriptions
        }
        if let birth = options.birth {
            _ = birth.payload.withUnsafeBytes {
                mosquitto_publish(mosq, nil, birth.topic, Int32($0.count), $0.baseAddress, Int32(birth.qos), birth.retain)
            }
        }
        let v5 = protocolVersion == 5
        for (topic, qos) in subscriptions { _ = Self.subscribe(mosq, topic, qos: qos, v5: v5) }
        logger.info("MQTT connected to \(options.host):\(options.port) as \(options.clientID) (MQTT \(protocolVersion == 5 ? "5" : "3.1.1"))")
        observer?.connectionChanged(up: true)
        continuation.yield(.connected)
    }

    /// A reconnect that failed before any packet: reported like a lost connection.
    func attemptFailed(_ rc: Int32) { onDisconnect(nil, rc) }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// The outage has been logged already (by `start`): the retries only log at debug level.
    func outageReported() { state.withLock { $0.outageReported = true } }

    func onDisconnect(_ mosq: OpaquePointer?, _ rc: Int32) {
        let (wasStopping, wasConnected, reported) = state.withLock { s in
            defer {
                s.connected = false
                s.outageReported = true
            }
            return (s.stopping, s.connected, s.outageReported)
        }
        observer?.connectionChanged(up: false)
        // MQTT 5 brokers give a reason code (≥ 128) in their DISCONNECT; else rc is libmosquitto's.
        let reason =
            rc == 0
            ? "clean disconnect"
            : rc >= 128
                ? "the broker said: \(String(cString: mosquitto_reason_string(rc)))"
                : rc == MOSQ_ERR_KEEPALIVE.rawValue
                    ? "no answer within the keepalive interval (\(options.keepalive) s)" : MQTTClient.describe(rc)
        if !wasStopping {
            if !reported {
                logger.warning(
                    wasConnected
                        ? "MQTT connection lost: \(reason); reconnecting with backoff"
                        : "MQTT broker \(options.host):\(options.port) not reachable: \(reason); retrying with backoff")
            } else {
                logger.debug("MQTT: still not connected: \(reason)")
            }
        }
        continuation.yield(.disconnected(code: rc, reason: reason))
    }

    func onPublish(_ mid: Int32, reason: Int32) {
        if reason >= 128 {
            // The broker did not take the message (MQTT 5 PUBACK reason, e.g. not authorized or
            // quota exceeded). Resending would meet the same answer: it counts as refused.
            let first = state.withLock { s -> Bool in
                s.refused += 1
                return s.refusalsLogged.insert(reason).inserted
            }
            if first {
                logger.error(
                    "MQTT broker refused a message: \(String(cString: mosquitto_reason_string(reason))) (reason code \(reason)); counted on health as refused"
                )
            }
        }
        observer?.acknowledged(mid: mid)
        state.withLock { s in
            if s.inFlight.remove(mid) == nil {
                s.ackedEarly.insert(mid)
                if s.ackedEarly.count > 4096 { s.ackedEarly.removeAll() }  // QoS 0 completions
            }
        }
    }

    func onMessage(_ message: IncomingMessage) {
        if case .dropped = inbox.yield(message) {
            state.withLock { $0.droppedMessages += 1 }
        }
    }
}
