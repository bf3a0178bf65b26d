import SenseMQTT
import SenseSimulator
import SenseTesting
import Testing

/// Power cuts at every kind of moment: the database and its WAL as a crash leaves them, with the
/// last write torn (cut short, or its tail garbage), must open with whole commits only.
@Suite struct OutboxCrashTests {
    static func batch(_ n: Int, size: Int = 50) -> [OutboxMessage] {
        (1...size).map { i in
            let seq = UInt64(n * size + i)
            return OutboxMessage(
                seq: seq, kind: seq % 9 == 0 ? .state : .data, topic: "n/sensor/s\(seq % 5)/temperature",
                payload: Array("{\"v\":\(seq),\"seq\":\(seq)}".utf8), qos: 1, retain: false, createdMs: 1_785_000_000_000)
        }
    }

    @Test func aTornWALOpensWithWholeCommitsOnly() throws {
        let dir = TemporaryDirectory.make("sensegate-crash")
        let live = dir + "/outbox.db"
        let storage = try SQLiteOutboxStorage(path: live)
        for n in 0..<20 { try storage.commit(append: Self.batch(n), delete: []) }
        // The files as they are on disk with the writer still running: what a power cut leaves.
        try FileList.copy(live, to: dir + "/snapshot.db")
        try FileList.copy(live + "-wal", to: dir + "/snapshot.db-wal")
        let walSize = try FileList.size(dir + "/snapshot.db-wal")
        #expect(walSize > 20 * 4096)
        var seen = Set<Int>()
        var rng = SplitMix64(seed: 7)
        for trial in 0..<40 {
            let cut = trial == 0 ? walSize : Int(rng.next() % UInt64(walSize))
            let path = dir + "/trial\(trial).db"
            try FileList.copy(dir + "/snapshot.db", to: path)
            try FileList.copy(dir + "/snapshot.db-wal", to: path + "-wal")
            FileList.truncate(path + "-wal", to: cut)
            if trial % 2 == 1 {  // a torn sector: the tail holds garbage rather than nothing
                try FileList.append(String(repeating: "\u{7f}garbage", count: 600), to: path + "-wal")
            }
            let reopened = try SQLiteOutboxStorage(path: path)
            let inventory = try reopened.inventory()
            let count = inventory.values.map(\.count).reduce(0, +)
            #expect(count % 50 == 0, "trial \(trial): cut at \(cut) of \(walSize) left \(count) messages")
            let all = (try reopened.load(.data, after: 0, limit: 2000) + reopened.load(.state, after: 0, limit: 2000)).sorted { $0.seq < $1.seq }
            #expect(all.map(\.seq) == (0..<UInt64(count)).map { $0 + 1 })
            #expect(all == Array((0..<count / 50).flatMap { Self.batch($0) }))
            seen.insert(count)
        }
        #expect(seen.contains(1000))  // the intact copy has everything
        #expect(seen.count > 5)  // and the cuts landed in many different commits
    }

    @Test func acknowledgedMessagesAreGoneAfterAReopen() throws {
        let path = TemporaryDirectory.make("sensegate-crash") + "/outbox.db"
        do {
            let storage = try SQLiteOutboxStorage(path: path)
            try storage.commit(append: Self.batch(0), delete: [])
            try storage.commit(append: Self.batch(1), delete: Self.batch(0).prefix(30).map { ($0.kind, $0.seq) })
            #expect(try storage.dropOldest(.data, after: 0, count: 5).count == 5)
        }
        let reopened = try SQLiteOutboxStorage(path: path)
        let left = try reopened.load(.data, after: 0, limit: 1000) + reopened.load(.state, after: 0, limit: 1000)
        #expect(left.count == 100 - 30 - 5)
        #expect(left.allSatisfy { $0.seq > 30 })
    }
}
