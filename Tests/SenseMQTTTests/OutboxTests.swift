import Logging
import SenseCore
import SenseMQTT
import SenseSimulator
import SenseTesting
import Testing

/// The outbox against a hand-written transport and a real SQLite file: ordering, classes,
/// the window, write elision, restarts, bounds, age, and disks that fail.
@Suite struct OutboxTests {
    static let logger = Logger(label: "test")

    static func settings(_ change: (inout OutboxSettings) -> Void = { _ in }) -> OutboxSettings {
        var s = OutboxSettings()
        s.flushInterval = .milliseconds(20)
        s.window = 100
        change(&s)
        return s
    }

    /// A numbered message with its seq in the payload, as the daemon's payloads carry it.
    static func message(_ seq: UInt64, _ kind: MessageClass = .data, at clock: ManualClock, qos: Int = 1) -> OutboxMessage {
        OutboxMessage(
            seq: seq, kind: kind, topic: "n/\(kind.name)/\(seq % 7)", payload: Array("{\"v\":1,\"seq\":\(seq)}".utf8),
            qos: qos, retain: kind == .state, createdMs: clock.wallNow.nanosecondsSinceEpoch / 1_000_000)
    }

    struct Rig {
        let path: String
        let clock: ManualClock
        let outbox: Outbox
        let transport: FakeTransport

        init(path: String? = nil, settings: OutboxSettings = OutboxTests.settings(), clock: ManualClock = ManualClock()) throws {
            self.path = path ?? TemporaryDirectory.make("sensegate-outbox") + "/outbox.db"
            self.clock = clock
            outbox = try Outbox(path: self.path, settings: settings, clock: clock, logger: OutboxTests.logger)
            let link = outbox.link()
            transport = FakeTransport(observer: link)
            link.attach(transport)
        }

        /// Acknowledges as the broker would until `count` messages were handed in all. A replay
        /// deletes what was acknowledged with one fsync'd commit per flush: on a disk the parallel
        /// suite keeps busy that took seconds a commit, so the wait is generous (it ends when done).
        func deliver(until count: Int, timeout: Double = 90) async -> Bool {
            let done = await Network.eventually(timeout: timeout) {
                transport.acknowledge()
                return transport.handed.count >= count && transport.unacknowledged == 0
            }
            if !done { print("outbox stuck after \(transport.handed.count) handed: \(outbox.replayState)") }
            return done
        }

        func flushed() async -> Bool {
            await Network.eventually(timeout: 5) { outbox.counters.written + outbox.counters.elided > 0 }
        }
    }

    static func seqs(_ handed: [FakeTransport.Handed], _ kind: MessageClass? = nil) -> [UInt64] {
        handed.filter { h in kind.map { h.message.topic.hasPrefix("n/\($0.name)/") } ?? true }.compactMap(\.seq)
    }

    @Test func aLiveLinkHandsOverAtOnceAndWritesNothingToDisk() async throws {
        let rig = try Rig(settings: Self.settings { $0.flushInterval = .seconds(60) })
        rig.transport.setConnected(true)
        for i in 1...200 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        #expect(rig.transport.handed.count == 90)  // the window, less the tenth kept for alarms
        #expect(await rig.deliver(until: 200))
        #expect(Self.seqs(rig.transport.handed) == Array(1...200))
        rig.outbox.close()  // the flush: everything was acknowledged before it
        let c = rig.outbox.counters
        #expect(c.elided == 200 && c.written == 0 && c.totalDepth == 0 && c.acked == 200 && c.sent == 200)
        let stored = try SQLiteOutboxStorage(path: rig.path).inventory()
        #expect(stored.values.map(\.count).reduce(0, +) == 0)
    }

    @Test func anOutageIsCommittedAndReplayedInOrderStateFirst() async throws {
        let rig = try Rig()
        var expected: [MessageClass: [UInt64]] = [:]
        for i in 1...600 {
            let kind: MessageClass = i % 50 == 0 ? .state : i % 75 == 0 ? .reply : .data
            expected[kind, default: []].append(UInt64(i))
            rig.outbox.send(Self.message(UInt64(i), kind, at: rig.clock))
        }
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.written == 600 })
        #expect(rig.outbox.counters.totalDepth == 600)
        #expect(rig.transport.handed.isEmpty)
        rig.transport.setConnected(true)
        #expect(await rig.deliver(until: 600))
        let handed = rig.transport.handed
        #expect(handed.count == 600)  // each exactly once
        for kind in MessageClass.durable { #expect(Self.seqs(handed, kind) == expected[kind]) }
        // Priority: every state message went out before the first data message.
        let firstData = handed.firstIndex { $0.message.topic.hasPrefix("n/data/") }!
        #expect(handed.prefix(firstData).filter { $0.message.topic.hasPrefix("n/state/") }.count == expected[.state]!.count)
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.totalDepth == 0 })
        rig.outbox.close()
        #expect(try SQLiteOutboxStorage(path: rig.path).inventory().values.map(\.count).reduce(0, +) == 0)
    }

    @Test func theWindowBoundsWhatTheClientHolds() async throws {
        let rig = try Rig()
        for i in 1...1000 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        #expect(await rig.flushed())
        rig.transport.setConnected(true)
        for _ in 0..<30 {
            #expect(await Network.eventually(timeout: 5) { rig.transport.unacknowledged == 90 })
            #expect(rig.transport.unacknowledged <= 90)
            rig.transport.acknowledge(30)
        }
        // The replay has filled the window again (the worker refills it on its own thread; an
        // alarm sent before that could be overtaken by the refill, which would prove nothing).
        #expect(await Network.eventually(timeout: 5) { rig.transport.unacknowledged == 90 })
        // A live alarm is not queued behind the replay: the window keeps room for it.
        rig.outbox.send(Self.message(5000, .state, at: rig.clock))
        #expect(rig.transport.handed.last?.seq == 5000)
        #expect(await rig.deliver(until: 1001))
        #expect(Self.seqs(rig.transport.handed, .data) == Array(1...1000))
    }

    @Test func aRestartReplaysWhatWasNotAcknowledged() async throws {
        let first = try Rig()
        for i in 1...300 { first.outbox.send(Self.message(UInt64(i), i % 10 == 0 ? .state : .data, at: first.clock)) }
        first.transport.setConnected(true)
        first.transport.acknowledge(0)  // nothing acknowledged: the broker is slow
        first.outbox.close()  // a clean stop commits what is unacknowledged
        let second = try Rig(path: first.path)
        #expect(second.outbox.counters.totalDepth == 300)
        #expect(second.outbox.counters.depth[.state] == 30)
        second.transport.setConnected(true)
        #expect(await second.deliver(until: 300))
        #expect(Self.seqs(second.transport.handed, .state) == (1...30).map { UInt64($0 * 10) })
        #expect(Self.seqs(second.transport.handed, .data) == (1...300).filter { $0 % 10 != 0 }.map(UInt64.init))
        #expect(await Network.eventually(timeout: 5) { second.outbox.counters.totalDepth == 0 })
    }

    @Test func fullOutboxDropsTheOldestDataFirstAndCounts() async throws {
        let rig = try Rig(settings: Self.settings { $0.maxMessages = 1000 })
        for i in 1...1500 {
            rig.outbox.send(Self.message(UInt64(i), i % 100 == 0 ? .state : .data, at: rig.clock))
        }
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.totalDepth == 1000 })
        let c = rig.outbox.counters
        #expect(c.dropped[.data] == 500)
        #expect(c.dropped[.state] == nil)
        #expect(c.depth[.state] == 15)
        rig.transport.setConnected(true)
        #expect(await rig.deliver(until: 1000))
        let data = Self.seqs(rig.transport.handed, .data)
        #expect(data.count == 985)
        #expect(data.first == 506 && data.last == 1499)  // the 500 oldest data gone (100…500 are states)
        #expect(Self.seqs(rig.transport.handed, .state).count == 15)
    }

    @Test func messagesOlderThanMaxAgeExpire() async throws {
        let clock = ManualClock()
        let rig = try Rig(settings: Self.settings { $0.maxAge = .seconds(3600) }, clock: clock)
        for i in 1...50 { rig.outbox.send(Self.message(UInt64(i), at: clock)) }
        clock.advance(by: .seconds(1800))
        for i in 51...80 { rig.outbox.send(Self.message(UInt64(i), at: clock)) }
        #expect(await rig.flushed())
        clock.advance(by: .seconds(1801))  // the first 50 are now older than an hour
        rig.outbox.send(Self.message(81, at: clock))
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.expired == 50 })
        rig.transport.setConnected(true)
        #expect(await rig.deliver(until: 31))
        #expect(Self.seqs(rig.transport.handed) == Array(51...81))
    }

    @Test func lostQoS0MessagesAreHandedOverAgainAfterAReconnect() async throws {
        let rig = try Rig()
        rig.transport.setConnected(true)
        for i in 1...20 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock, qos: 0)) }
        rig.transport.acknowledge(5)
        rig.transport.loseUnacknowledged()  // the connection drops with 15 unsent
        rig.transport.setConnected(false)
        for i in 21...25 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock, qos: 0)) }
        rig.transport.setConnected(true)
        #expect(await rig.deliver(until: 40))
        #expect(Self.seqs(rig.transport.handed) == Array(1...20) + Array(6...25))
    }

    /// libmosquitto resends its unacknowledged QoS 1 messages after a reconnect, but only once the
    /// connect callback has returned; a new message handed over in between would overtake them
    /// (seen on a real broker as 960–972 delivered before 955–959).
    @Test func nothingOvertakesWhatTheLibraryResendsAfterAReconnect() async throws {
        let rig = try Rig()
        rig.transport.setConnected(true)
        for i in 1...10 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        rig.transport.acknowledge(3)
        rig.transport.setConnected(false)  // 4–10 stay with the library, to be resent
        for i in 11...15 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        rig.outbox.send(Self.message(16, .state, at: rig.clock))
        rig.transport.setConnected(true)
        rig.outbox.send(Self.message(17, at: rig.clock))
        try await Task.sleep(for: .milliseconds(300))  // several flush intervals: the worker has run
        #expect(rig.transport.handed.count == 10, "handed before the resent ones were acknowledged: \(Self.seqs(rig.transport.handed).dropFirst(10))")
        rig.transport.acknowledge(6)
        try await Task.sleep(for: .milliseconds(100))
        #expect(rig.transport.handed.count == 10, "one resent message is still unacknowledged")
        #expect(await rig.deliver(until: 17))
        #expect(Self.seqs(rig.transport.handed, .data) == Array(1...15) + [17])
        #expect(Self.seqs(rig.transport.handed, .state) == [16])
    }

    @Test func aMessageTheClientRefusesIsCountedAndSkipped() async throws {
        let rig = try Rig()
        rig.transport.setConnected(true)
        rig.transport.refuse(topic: "n/data/3")
        for i in 1...9 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        #expect(await rig.deliver(until: 8))
        #expect(Self.seqs(rig.transport.handed) == [1, 2, 4, 5, 6, 7, 8, 9])
        #expect(rig.outbox.counters.failed == 1)
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.totalDepth == 0 })
    }

    @Test func anUnusablePathKeepsDeliveringFromMemory() async throws {
        let dir = TemporaryDirectory.make("sensegate-outbox")
        let rig = try Rig(path: dir, settings: Self.settings { $0.memoryLimit = 100 })  // a directory, not a file
        let error = try #require(rig.outbox.counters.storageError)
        #expect(error.contains(dir))
        #expect(!rig.outbox.counters.durable)
        for i in 1...150 { rig.outbox.send(Self.message(UInt64(i), i == 1 ? .state : .data, at: rig.clock)) }
        #expect(rig.outbox.counters.dropped[.data] == 50)
        rig.transport.setConnected(true)
        #expect(await rig.deliver(until: 100))
        #expect(Self.seqs(rig.transport.handed) == [1] + Array(52...150))
    }

    @Test func aDamagedFileIsMovedAsideAndANewOneStarted() async throws {
        let dir = TemporaryDirectory.make("sensegate-outbox")
        let path = dir + "/outbox.db"
        try FileList.write(Array(repeating: "not a database\n", count: 400).joined(), to: path)
        let rig = try Rig(path: path)
        #expect(rig.outbox.counters.storageError == nil)
        #expect(rig.outbox.counters.durable)
        #expect(try FileList.names(in: dir).contains { $0.hasPrefix("outbox.db.damaged-") })
        for i in 1...10 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.written == 10 })
    }
}

/// A disk that fills up and later has room again.
final class FillingDisk: OutboxStorage, @unchecked Sendable {
    let inner: SQLiteOutboxStorage
    var full = false
    init(path: String) throws { inner = try SQLiteOutboxStorage(path: path) }
    func inventory() throws(OutboxStorageError) -> [MessageClass: StoredInventory] { try inner.inventory() }
    func load(_ kind: MessageClass, after: UInt64, limit: Int) throws(OutboxStorageError) -> [OutboxMessage] {
        try inner.load(kind, after: after, limit: limit)
    }
    func commit(append: [OutboxMessage], delete: [(MessageClass, UInt64)]) throws(OutboxStorageError) {
        if full { throw .sqlite(path: "/var/lib/sensegate/outbox.db", operation: "COMMIT", code: 13, message: "database or disk is full") }
        try inner.commit(append: append, delete: delete)
    }
    func dropOldest(_ kind: MessageClass, after: UInt64, count: Int) throws(OutboxStorageError) -> StoredInventory {
        try inner.dropOldest(kind, after: after, count: count)
    }
    func expire(_ kind: MessageClass, after: UInt64, createdBefore cutoffMs: Int64) throws(OutboxStorageError) -> StoredInventory {
        try inner.expire(kind, after: after, createdBefore: cutoffMs)
    }
}

extension OutboxTests {
    @Test func aFullDiskKeepsMessagesInMemoryAndReportsIt() async throws {
        let disk = try FillingDisk(path: TemporaryDirectory.make("sensegate-outbox") + "/outbox.db")
        disk.full = true
        let clock = ManualClock()
        let outbox = try Outbox(storage: disk, settings: Self.settings { $0.memoryLimit = 500 }, clock: clock, logger: Self.logger)
        let link = outbox.link()
        let transport = FakeTransport(observer: link)
        link.attach(transport)
        for i in 1...300 { outbox.send(Self.message(UInt64(i), at: clock)) }
        #expect(await Network.eventually(timeout: 5) { outbox.counters.storageError?.contains("disk is full") == true })
        #expect(!outbox.counters.durable)
        #expect(outbox.counters.totalDepth == 300)  // nothing lost while the disk refuses
        disk.full = false  // room again: the retry commits them
        #expect(await Network.eventually(timeout: 15) { outbox.counters.written == 300 })
        #expect(outbox.counters.storageError == nil)
        transport.setConnected(true)
        // Generous: on a loaded two-core CI machine the outbox's thread may wait its turn.
        #expect(
            await Network.eventually(timeout: 30) {
                transport.acknowledge()
                return transport.handed.count == 300 && transport.unacknowledged == 0
            })
        #expect(Self.seqs(transport.handed) == Array(1...300))
        outbox.close()
    }
}

extension OutboxTests {
    @Test func theHighestStoredSeqIsKnownAndNeverOverwritten() async throws {
        let first = try Rig()
        for i in [5, 6, 900] { first.outbox.send(Self.message(UInt64(i), i == 900 ? .state : .data, at: first.clock)) }
        first.outbox.close()
        let second = try Rig(path: first.path)
        #expect(second.outbox.highestStoredSeq == 900)
        second.outbox.close()
        // A stored message is never silently replaced by another with the same number.
        let storage = try SQLiteOutboxStorage(path: first.path)
        #expect(throws: OutboxStorageError.self) { try storage.commit(append: [Self.message(5, at: first.clock)], delete: []) }
    }
}

/// Outbox files no sensegate wrote (issue 17): impossible rows removed with the rest kept; another
/// program's database, or another version's, moved aside rather than trusted.
extension OutboxTests {
    /// Writes an SQLite file with Python's sqlite3 module (an independent writer).
    static func sqlite(_ path: String, _ statements: [String]) throws {
        let script = "import sqlite3,sys\ndb=sqlite3.connect(sys.argv[1])\nfor s in sys.argv[2:]: db.execute(s)\ndb.commit()\n"
        let p = try ChildProcess("/usr/bin/python3", ["-c", script, path] + statements)
        #expect(p.waitForExit(timeout: 30) == 0, "\(p.stderr)")
    }

    static let table =
        "(seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL, schema TEXT)"

    @Test func impossibleRowsAreRemovedAndTheRestDelivered() async throws {
        let path = TemporaryDirectory.make("sensegate-outbox") + "/outbox.db"
        try Self.sqlite(
            path,
            [
                "CREATE TABLE state\(Self.table)", "CREATE TABLE reply\(Self.table)", "CREATE TABLE data\(Self.table)",
                "PRAGMA user_version=1",
            ]
                + (1...5).map { "INSERT INTO data VALUES(\($0), 1795406839000, 1, 0, 'n/sensor/a/t', x'7b7d', 'reading')" }
                + [
                    "INSERT INTO data VALUES(-1, 1795406839000, 1, 0, 't', x'00', NULL)",  // reads as 2^64 - 1
                    "INSERT INTO data VALUES(9007199254740993, 1795406839000, 1, 0, 't', x'00', NULL)",  // beyond 2^53 - 1
                    "INSERT INTO data VALUES(6, 1795406839000, 7, 0, 't', x'00', NULL)",  // QoS 7
                    "INSERT INTO state VALUES(7, -5, 1, 1, 't', x'00', NULL)",
                ])  // before 1970
        let log = LogRecorder()
        let outbox = try Outbox(path: path, settings: Self.settings(), clock: ManualClock(), logger: log.logger)
        #expect(outbox.highestStoredSeq == 5)
        #expect(outbox.counters.totalDepth == 5)
        #expect(log.lines.contains { $0.message.contains("removed 4 stored row(s) no sensegate writes") }, "\(log.lines.map(\.message))")
        outbox.close()
    }

    @Test(arguments: [
        ["CREATE TABLE readings(x)"], ["PRAGMA user_version=2"],
        ["CREATE TABLE state(seq)", "CREATE TABLE reply(seq)", "CREATE TABLE data(seq)", "PRAGMA user_version=1"],
    ])
    func aForeignDatabaseIsMovedAsideNotTrusted(statements: [String]) async throws {
        let dir = TemporaryDirectory.make("sensegate-outbox")
        try Self.sqlite(dir + "/outbox.db", statements)
        let rig = try Rig(path: dir + "/outbox.db")
        #expect(rig.outbox.counters.durable)
        #expect(try FileList.names(in: dir).contains { $0.hasPrefix("outbox.db.damaged-") })
        for i in 1...3 { rig.outbox.send(Self.message(UInt64(i), at: rig.clock)) }
        #expect(await Network.eventually(timeout: 5) { rig.outbox.counters.written == 3 })
    }
}

/// Found by fuzzing (the outbox target): a damaged b-tree that SQLite reads without complaint —
/// rows out of order, a NULL key, text where the QoS was. Now its structural check refuses the
/// file at open; the file is moved aside (with its WAL) and what can be read and could be real
/// is salvaged into the new one.
extension OutboxTests {
    @Test func aDamagedBTreeIsSetAsideAndItsReadableRowsSalvaged() async throws {
        let dir = TemporaryDirectory.make("sensegate-outbox")
        try FileList.copy(RepositoryPaths.root + "/Fuzz/Corpus/outbox/regression-btree-out-of-order", to: dir + "/outbox.db")
        let log = LogRecorder()
        let clock = ManualClock()
        let outbox = try Outbox(path: dir + "/outbox.db", settings: Self.settings(), clock: clock, logger: log.logger)
        #expect(try FileList.names(in: dir).contains { $0.hasPrefix("outbox.db.damaged-") })
        let messages = log.lines.map(\.message)
        #expect(messages.contains { $0.contains("damaged: ") }, "\(messages)")
        #expect(messages.contains { $0.contains("message(s) salvaged from") }, "\(messages)")
        let link = outbox.link()
        let transport = FakeTransport(observer: link)
        link.attach(transport)
        transport.setConnected(true)
        let stored = outbox.counters.totalDepth
        #expect(stored > 0)
        #expect(
            await Network.eventually(timeout: 10) {
                transport.acknowledge()
                return transport.handed.count == stored && transport.unacknowledged == 0
            })
        let seqs = Self.seqs(transport.handed)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count && seqs.allSatisfy { $0 >= 1 && $0 <= 20 }, "\(seqs)")
        outbox.close()
    }
}

extension OutboxTests {
    /// A stop with neither disk nor broker loses what waits in memory; the log says how much.
    @Test func aStopWithNeitherDiskNorBrokerSaysWhatIsLost() async throws {
        let disk = try FillingDisk(path: TemporaryDirectory.make("sensegate-outbox") + "/outbox.db")
        disk.full = true
        let log = LogRecorder()
        let clock = ManualClock()
        let outbox = try Outbox(storage: disk, settings: Self.settings(), clock: clock, logger: log.logger)
        for i in 1...40 { outbox.send(Self.message(UInt64(i), at: clock)) }
        #expect(await Network.eventually(timeout: 5) { outbox.counters.storageError != nil })
        outbox.close()
        #expect(
            log.lines.contains { $0.level == .error && $0.message.contains("outbox: 40 message(s) neither acknowledged by the broker nor on disk") },
            "\(log.lines)")
    }
}
