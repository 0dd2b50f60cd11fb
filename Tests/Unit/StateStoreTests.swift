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
        state.rateLimiter.burst = 1
        _ = state.rateLimiter.submit([AlertDeliveryTests.alert(1), AlertDeliveryTests.alert(2)], now: 8)
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
        #expect(loaded.state.rateLimiter.queue.map(\.pid) == [2])
    }

    @Test func missingFileIsAFreshStart() throws {
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let loaded = try StateStore(directory: scratch.path).load()
        #expect(loaded.warning == nil)
        #expect(loaded.state.baselines.count == 0)
    }

    @Test(arguments: ["garbage", "truncated", "future"])
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
            default:
                Array(
                    String(decoding: good, as: UTF8.self).replacingOccurrences(
                        of: "\"version\":1", with: "\"version\":99"
                    ).utf8)
            }
        #expect(bad != good)
        try DurableFile.write(bad, to: store.path)
        let loaded = try store.load()
        let warning = try #require(loaded.warning)
        #expect(warning.contains("moved aside"))
        if kind == "future" { #expect(warning.contains("version 99")) }
        #expect(loaded.state.baselines.count == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        let aside = try #require(names.first { $0.hasPrefix("state.json.corrupt-") })
        #expect(try DurableFile.read("\(dir)/\(aside)") == bad)
        #expect(!names.contains("state.json"))
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
