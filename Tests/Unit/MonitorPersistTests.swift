import Foundation
import Glibc
import Logging
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// When the monitor writes state.json (SPEC §6): at once when a baseline,
/// the dedup memory or the queue changed; last-seen times alone at most
/// every 10 minutes, and at shutdown. Times are passed in, so nothing waits.
@Suite struct MonitorPersistTests {
    static let digestA = ImageDigest(sha256: RulesEngineTests.shaA, ssdeep: RulesEngineTests.fuzzyX)
    static let digestB = ImageDigest(sha256: RulesEngineTests.shaB, ssdeep: RulesEngineTests.fuzzyY)

    static func scan(_ digest: ImageDigest, at now: UInt64) -> ScanReport {
        var summary = ScanSummary()
        summary.startedAtMicroseconds = now
        return ScanReport(summary: summary, processes: [RulesEngineTests.record(digest: digest)])
    }

    /// The state file's inode: every write renames a new file into place.
    static func inode(_ path: String) -> ino_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_ino : nil
    }

    static func lastSeen(_ store: StateStore) throws -> UInt64? {
        let bytes = try #require(try DurableFile.read(store.path, limit: StateStore.maxFileSize))
        let state = try JSONDecoder().decode(MonitorState.self, from: Data(bytes))
        return state.baselines[BaselineKey(path: "/usr/bin/tool")]?.lastSeenMicroseconds
    }

    func makeMonitor(_ store: StateStore) -> Monitor {
        let logger = Logger(label: "test.persist")
        return Monitor(
            scanner: Scanner(logger: logger), rules: RulesEngine(), store: store,
            alertSettings: AlertLimits(), logger: logger)
    }

    @Test func lastSeenAloneWaitsTenMinutesOrShutdown() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let monitor = makeMonitor(store)
        let t0 = WallClock.microseconds()
        let minute: UInt64 = 60_000_000

        // The first sighting seeds a baseline: written at once.
        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0))
        monitor.persist(now: t0)
        let first = try #require(Self.inode(store.path), "the seeded baseline was not written")
        #expect(try Self.lastSeen(store) == t0)

        // Nothing changed but the last-seen time: no write for 10 minutes.
        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0 + minute))
        for elapsed in [1, 5, 9] as [UInt64] {
            #expect(!monitor.needsWrite(now: t0 + elapsed * minute))
            monitor.persist(now: t0 + elapsed * minute)
            #expect(Self.inode(store.path) == first, "rewritten after \(elapsed) min")
        }
        monitor.persist(now: t0 + 10 * minute - 1)
        #expect(Self.inode(store.path) == first)

        // Ten minutes after the last write, the last-seen time is flushed.
        monitor.persist(now: t0 + 10 * minute)
        let second = try #require(Self.inode(store.path))
        #expect(second != first, "last-seen times were not flushed after 10 minutes")
        #expect(try Self.lastSeen(store) == t0 + minute)

        // And nothing more to write until something changes.
        monitor.persist(now: t0 + 30 * minute)
        #expect(Self.inode(store.path) == second)

        // A last-seen change 5 minutes after that write waits, but is
        // written at shutdown.
        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0 + 15 * minute))
        monitor.persist(now: t0 + 15 * minute)
        #expect(Self.inode(store.path) == second)
        _ = monitor.shutdown(now: t0 + 16 * minute)
        #expect(Self.inode(store.path) != second, "shutdown did not flush the last-seen time")
        #expect(try Self.lastSeen(store) == t0 + 15 * minute)
    }

    @Test func baselineChangeIsWrittenAtOnce() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let monitor = makeMonitor(store)
        let t0 = WallClock.microseconds()
        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0))
        monitor.persist(now: t0)
        let first = try #require(Self.inode(store.path))

        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0 + 1))
        monitor.persist(now: t0 + 1)
        #expect(Self.inode(store.path) == first)

        // New content at the path: the baseline changes (and an alert is admitted).
        let result = monitor.evaluate(Self.scan(Self.digestB, at: t0 + 2))
        #expect(result.raised.map(\.rule) == [.binaryChange])
        #expect(monitor.needsWrite(now: t0 + 2))
        let release = monitor.release(now: t0 + 2)
        #expect(monitor.settle(release, delivered: release.batch.count) == nil)
        monitor.persist(now: t0 + 2)
        #expect(Self.inode(store.path) != first, "a baseline change was not written")

        // Nothing at all changed at shutdown: no write.
        let third = try #require(Self.inode(store.path))
        _ = monitor.shutdown()
        #expect(Self.inode(store.path) == third)
    }

    @Test func resetAndSettingsChangesAreWritten() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let store = StateStore(directory: scratch.path)
        let monitor = makeMonitor(store)
        let t0 = WallClock.microseconds()
        _ = monitor.evaluate(Self.scan(Self.digestA, at: t0))
        monitor.persist(now: t0)
        let first = try #require(Self.inode(store.path))

        var limits = AlertLimits()
        limits.rateLimitBurst += 1
        monitor.apply(limits)
        monitor.persist(now: t0 + 1)
        let second = try #require(Self.inode(store.path))
        #expect(second != first, "a settings change was not written")

        monitor.apply(limits)
        monitor.persist(now: t0 + 2)
        #expect(Self.inode(store.path) == second, "the same settings again are no change")

        #expect(monitor.resetBaseline(path: "/usr/bin/tool"))
        monitor.persist(now: t0 + 3)
        #expect(Self.inode(store.path) != second, "a reset baseline was not written")
    }
}
