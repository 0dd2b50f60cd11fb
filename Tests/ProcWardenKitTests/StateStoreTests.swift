import Foundation
import Glibc
import ProcWardenTestSupport
import Testing
@testable import ProcWardenKit

@Suite struct StateStoreTests {
    static func sampleState() -> MonitorState {
        var state = MonitorState()
        state.baselines.record(BaselineKey(path: ByteString([0x2f, 0x62, 0x0a, 0xff])), sha256: "aa", ssdeep: "3:x:y", at: 5)
        state.baselines.record(BaselineKey(root: ImageKey(device: 3, inode: 4), path: "/bin/sh"), sha256: "bb", ssdeep: nil, at: 6)
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
        let bad: [UInt8] = switch kind {
        case "garbage": Array("\u{0}\u{1}not json at all".utf8)
        case "truncated": Array(good.prefix(good.count / 2))
        default: Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":99").utf8)
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
    /// file must always decode (old or new), never be torn.
    @Test func sigkillDuringWritesNeverTearsTheFile() throws {
        let writer = try BuildProducts.path("pw-state-writer").description
        let scratch = try ScratchDirectory("state", mode: 0o700)
        let dir = scratch.path
        let store = StateStore(directory: dir)
        var kills = 0
        for round in 0..<25 {
            let child = try Process.run(URL(fileURLWithPath: writer), arguments: [dir, "3000"])
            usleep(UInt32(20_000 + (round * 7_919) % 60_000))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal)
            kills += 1
            guard FileManager.default.fileExists(atPath: store.path) else { continue }
            let loaded = try store.load()
            #expect(loaded.warning == nil, "round \(round): \(loaded.warning ?? "")")
            #expect(loaded.state.baselines.count == 3000)
        }
        #expect(kills == 25)
        #expect(FileManager.default.fileExists(atPath: store.path))
    }
}
