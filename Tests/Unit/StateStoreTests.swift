import Foundation
import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

@Suite struct StateStoreTests {
    static func sampleState() -> MonitorState {
        var state = MonitorState()
        state.baselines.record(
            BaselineKey(path: ByteString([0x2f, 0x62, 0x0a, 0xff])), sha256: "aa", ssdeep: "3:x:y", at: 5)
        state.baselines.record(
            BaselineKey(root: ImageKey(device: 3, inode: 4), path: "/bin/sh"), sha256: "bb", ssdeep: nil, at: 6)
        _ = state.deduplicator.admit(AlertDeliveryTests.alert(1), now: 7)
        state.queue.burst = 1
        _ = state.queue.enqueue([AlertDeliveryTests.alert(1), AlertDeliveryTests.alert(2)], now: 8)
        let release = state.queue.release(now: 8)
        _ = state.queue.settle(release, delivered: 1, now: 8)
        return state
    }

    @Test func roundTripsEverything() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let state = Self.sampleState()
        try store.save(state)
        let loaded = try store.load()
        #expect(loaded.warning == nil)
        #expect(loaded.state == state)
        #expect(loaded.state.queue.alerts.map(\.pid) == [2])
        #expect(loaded.migratedFrom == nil)
        let saved = try #require(loaded.savedAtMicroseconds)
        #expect(saved > 1_700_000_000_000_000, "saved_at is the realtime of the write")
        let object = try Self.jsonObject(store.path)
        #expect(object["version"] as? Int == MonitorState.formatVersion)
        #expect(MonitorState.formatVersion == 3, "a version change needs its StateMigration step and test")
    }

    static func jsonObject(_ path: String) throws -> [String: Any] {
        let bytes = try #require(try DurableFile.read(path, limit: StateStore.maxFileSize))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func missingFileIsAFreshStart() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let loaded = try StateStore(directory: scratch.path).load()
        #expect(loaded.warning == nil)
        #expect(loaded.state.baselines.count == 0)
    }

    @Test(arguments: ["garbage", "truncated", "future", "next", "v1 without baselines", "no version"])
    func corruptFilesAreMovedAside(kind: String) throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let dir = scratch.path
        let store = StateStore(directory: dir)
        try store.save(Self.sampleState())
        let good = try #require(try DurableFile.read(store.path, limit: StateStore.maxFileSize))
        let bad: [UInt8] =
            switch kind {
            case "garbage": Array("\u{0}\u{1}not json at all".utf8)
            case "truncated": Array(good.prefix(good.count / 2))
            case "future", "next":
                Array(
                    String(decoding: good, as: UTF8.self).replacingOccurrences(
                        of: "\"version\":\(MonitorState.formatVersion)",
                        with: "\"version\":\(kind == "future" ? 99 : MonitorState.formatVersion + 1)"
                    ).utf8)
            case "v1 without baselines": Array(#"{"version":1,"dedup":{},"rate_limiter":{}}"#.utf8)
            default: Array(#"{"baselines":[]}"#.utf8)
            }
        #expect(bad != good)
        try DurableFile.write(bad, to: store.path)
        let loaded = try store.load()
        let warning = try #require(loaded.warning)
        #expect(warning.contains("moved aside"))
        if kind == "future" { #expect(warning.contains("version 99")) }
        if kind == "next" { #expect(warning.contains("unsupported state version \(MonitorState.formatVersion + 1)")) }
        #expect(loaded.migratedFrom == nil)
        #expect(loaded.state.baselines.count == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        let aside = try #require(names.first { $0.hasPrefix("state.json.corrupt-") })
        #expect(try DurableFile.read("\(dir)/\(aside)") == bad)
        #expect(!names.contains("state.json"))
    }

    /// A file over 256 MiB is refused before it is read (a sparse file, so
    /// the test writes nothing), moved aside whole, with a warning.
    @Test func oversizedFileIsMovedAside() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        #expect(StateStore.maxFileSize == 256 << 20)
        try store.save(Self.sampleState())
        let fd = open(store.path, O_WRONLY)
        try #require(fd >= 0)
        try #require(ftruncate(fd, off_t(256 << 20) + 1) == 0)
        close(fd)
        let loaded = try store.load()
        let warning = try #require(loaded.warning)
        #expect(warning.contains("larger than 256 MiB"), "\(warning)")
        #expect(warning.contains("moved aside"))
        #expect(loaded.state.baselines.count == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        let aside = try #require(names.first { $0.hasPrefix("state.json.corrupt-") })
        var info = stat()
        #expect(stat("\(scratch.path)/\(aside)", &info) == 0)
        #expect(info.st_size == (256 << 20) + 1, "kept whole")
        #expect(!names.contains("state.json"))

        // Exactly the limit is still read (and here is corrupt for its zeros, not its size).
        try store.save(Self.sampleState())
        let fd2 = open(store.path, O_WRONLY)
        try #require(fd2 >= 0)
        try #require(ftruncate(fd2, off_t(256 << 20)) == 0)
        close(fd2)
        let atLimit = try #require(try store.load().warning)
        #expect(!atLimit.contains("larger than"), "\(atLimit)")
    }

    /// Migration 1 → 2 on a real version 1 file (Fixtures/state/state-v1.json,
    /// written by `procwardend --once` of the version 1 code: three
    /// baselines, two dedup keys, one queued alert): everything is kept, and
    /// the file is rewritten as version 2 at once.
    @Test func version1FileIsMigratedAndRewritten() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let v1 = try Fixture.bytes("state/state-v1.json")
        let original = try #require(try JSONSerialization.jsonObject(with: Data(v1)) as? [String: Any])
        #expect(original["version"] as? Int == 1)
        #expect(original["saved_at"] == nil)
        try DurableFile.write(v1, to: store.path)

        let loaded = try store.load()
        #expect(loaded.warning == nil, "\(loaded.warning ?? "")")
        #expect(loaded.migratedFrom == 1)
        #expect(loaded.savedAtMicroseconds == 0, "unknown for a version 1 file")
        let paths = Set(loaded.state.baselines.entries.keys.map(\.path.description))
        #expect(paths == ["/tmp/pwfix/svc1", "/tmp/pwfix/svc2", "/tmp/pwfix/svc3"])
        let svc1 = try #require(loaded.state.baselines[BaselineKey(path: "/tmp/pwfix/svc1")])
        let baselines = try #require(original["baselines"] as? [[String: Any]])
        let entry = try #require(
            baselines.first { ($0["key"] as? [String: Any])?["path"] as? String == "/tmp/pwfix/svc1" })
        let baseline = try #require(entry["baseline"] as? [String: Any])
        #expect(svc1.sha256 == baseline["sha256"] as? String)
        #expect(svc1.ssdeep == baseline["ssdeep"] as? String)
        #expect(svc1.lastSeenMicroseconds == (baseline["lastSeenMicroseconds"] as? NSNumber)?.uint64Value)
        #expect(loaded.state.deduplicator.lastAdmitted.count == 2)
        #expect(loaded.state.queue.alerts.map(\.rule) == [.diskMismatch])

        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["state.json"])
        let rewritten = try Self.jsonObject(store.path)
        #expect(rewritten["version"] as? Int == MonitorState.formatVersion)
        #expect((rewritten["saved_at"] as? NSNumber)?.uint64Value ?? 0 > 0)
        let again = try store.load()
        #expect(again.migratedFrom == nil)
        #expect(again.state == loaded.state)
    }

    /// The step function itself: every part of a version 1 state carries over.
    @Test func migrationStep1To2KeepsEverything() throws {
        let v1 = try JSONDecoder().decode(StateMigration.V1.self, from: Data(Fixture.bytes("state/state-v1.json")))
        let v2 = StateMigration.v1ToV2(v1)
        #expect(v2.baselines.map(\.key) == v1.baselines.map(\.key))
        #expect(v2.baselines.map(\.baseline) == v1.baselines.map(\.baseline))
        #expect(v2.dedup == v1.dedup)
        #expect(v2.rateLimiter.queue == v1.rateLimiter.queue && !v2.rateLimiter.queue.isEmpty)
        #expect(v2.savedAt == 0)
        #expect(throws: DecodingError.self) { try StateMigration.migrate(Data("{}".utf8), from: 0) }
    }

    /// 2 → 3: the rate limiter becomes the one queue, with the same alerts,
    /// window and counts, nothing held for journald.
    @Test func migrationStep2To3KeepsEverything() throws {
        let v2 = try JSONDecoder().decode(StateMigration.V2.self, from: Data(Fixture.bytes("state/state-v2.json")))
        let v3 = StateMigration.v2ToV3(v2)
        let queue = v3.state.queue
        #expect(Set(v3.state.baselines.entries.keys) == Set(v2.baselines.map(\.key)))
        #expect(v3.state.deduplicator == v2.dedup)
        #expect(queue.alerts.map(\.message) == v2.rateLimiter.queue.map(\.message) && !queue.alerts.isEmpty)
        for (migrated, old) in zip(queue.alerts, v2.rateLimiter.queue) {
            #expect(migrated.fields.dropLast() == old.fields[...])
            #expect(migrated[.raisedRealtime] == ByteString(String(old.raisedAtMicroseconds)))
            #expect(migrated.processStartTime == nil)
        }
        #expect(
            queue.burst == v2.rateLimiter.burst && queue.intervalMicroseconds == v2.rateLimiter.intervalMicroseconds)
        #expect(queue.windowEnd == v2.rateLimiter.windowStart.map { $0 + v2.rateLimiter.intervalMicroseconds })
        #expect(queue.droppedTotal == v2.rateLimiter.droppedTotal)
        #expect(queue.held == 0 && queue.deliveredLate == 0)
        #expect(v3.savedAtMicroseconds == v2.savedAt && v2.savedAt > 0)
    }

    /// A real version 2 file (Fixtures/state/state-v2.json, written by
    /// `procwardend --once` of the version 2 code, deda392: baselines, dedup
    /// keys, two queued alerts) is migrated and rewritten as the current
    /// version at once, its queued alerts kept.
    @Test func version2FileIsMigratedAndRewritten() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let v2 = try Fixture.bytes("state/state-v2.json")
        let original = try #require(try JSONSerialization.jsonObject(with: Data(v2)) as? [String: Any])
        #expect(original["version"] as? Int == 2)
        let limiter = try #require(original["rate_limiter"] as? [String: Any])
        let queued = try #require(limiter["queue"] as? [[String: Any]])
        try DurableFile.write(v2, to: store.path)

        let loaded = try store.load()
        #expect(loaded.warning == nil, "\(loaded.warning ?? "")")
        #expect(loaded.migratedFrom == 2)
        #expect(loaded.savedAtMicroseconds == (original["saved_at"] as? NSNumber)?.uint64Value)
        #expect(loaded.state.queue.alerts.count == queued.count && !queued.isEmpty)
        #expect(
            loaded.state.queue.alerts.map(\.raisedAtMicroseconds)
                == queued.compactMap { ($0["raisedAtMicroseconds"] as? NSNumber)?.uint64Value })
        #expect(loaded.state.baselines.count == (original["baselines"] as? [Any])?.count)
        let rewritten = try Self.jsonObject(store.path)
        #expect(rewritten["version"] as? Int == MonitorState.formatVersion)
        #expect(rewritten["rate_limiter"] == nil && rewritten["queue"] != nil)
        #expect(try store.load().state == loaded.state)
    }

    /// SIGKILL a process rewriting a big state file at arbitrary instants: the
    /// file must always decode (old or new), never be torn. A temporary file
    /// left behind proves a kill landed mid-write; loading removes it.
    @Test func sigkillDuringWritesNeverTearsTheFile() throws {
        let writer = try BuildProducts.path("pw-state-writer").description
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let dir = scratch.path
        let store = StateStore(directory: dir)
        func leftovers() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".state.json.tmp-") }.count
        }
        var killedMidWrite = 0
        let rounds = 20
        for round in 0..<rounds {
            let child = try Process.run(URL(fileURLWithPath: writer), arguments: [dir, "20000"])
            let deadline = ContinuousClock.now + .seconds(60)
            if round.isMultiple(of: 2) {
                // Kill the moment a write is seen in progress.
                while try leftovers() == 0 && ContinuousClock.now < deadline { usleep(500) }
            } else {
                // Kill at an arbitrary instant once a first file exists.
                while !FileManager.default.fileExists(atPath: store.path) && ContinuousClock.now < deadline {
                    usleep(5_000)
                }
                usleep(UInt32((round * 7_919) % 60_000))
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal)
            if try leftovers() > 0 { killedMidWrite += 1 }
            guard FileManager.default.fileExists(atPath: store.path) else { continue }
            let loaded = try store.load()
            #expect(loaded.warning == nil, "round \(round): \(loaded.warning ?? "")")
            #expect(loaded.state.baselines.count == 20000, "round \(round)")
            #expect(try leftovers() == 0, "loading removes what a killed write left")
        }
        #expect(FileManager.default.fileExists(atPath: store.path))
        #expect(killedMidWrite > 0, "no kill landed during a write, so nothing was proven")
        print("state writer killed mid-write in \(killedMidWrite) of \(rounds) rounds")
    }
}
