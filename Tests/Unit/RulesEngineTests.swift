import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// Unit tests of the rules on hand-built records; the end-to-end rule tests
/// with real processes and a real journald live in IntegrationTests (Tests/Integration/Journal).
@Suite struct RulesEngineTests {
    static let shaA = String(repeating: "a", count: 64)
    static let shaB = String(repeating: "b", count: 64)

    static func record(
        pid: Int32 = 100, state: ExeState = .onDisk, path: ByteString = "/usr/bin/tool",
        digest: ImageDigest?, onDisk: ImageDigest? = nil, root: ImageKey? = nil
    ) -> ProcessRecord {
        var r = ProcessRecord(pid: pid, exeState: state)
        r.startTime = 42
        r.uid = 0
        r.comm = "tool"
        r.exe = path
        r.digest = digest
        r.onDiskDigest = onDisk
        r.keyRoot = root
        return r
    }

    // Two real, unrelated ssdeep digests (incomparable ⇒ similarity 0) and
    // a pair that are near-identical.
    static let fuzzyX =
        "96:kKZ2DuCyb2PJ0Xx4gJG0uXvGsaDnvRl1o2Ln3q8oSVoq9p1M7W8HqS5X0ykBe1:kKZ2CCySP2R4gJ0XvsgvRl1o2Lnq8oSl"
    static let fuzzyY = "6:Fo7WmPkHTcOeGq4QfDl3Gqt9RLnm:Fo7WYQfzGq4Qt2Gqt7Lm"

    @Test func firstSightingOnlySeeds() {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        let alerts = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: Self.fuzzyX))],
            baselines: &baselines, now: 1)
        #expect(alerts.isEmpty)
        #expect(baselines[BaselineKey(path: "/usr/bin/tool")]?.sha256 == Self.shaA)
    }

    @Test func differentContentBelowThresholdIsBinaryChangeOnce() throws {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        _ = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: Self.fuzzyX))], baselines: &baselines, now: 1)
        let changed = Self.record(digest: ImageDigest(sha256: Self.shaB, ssdeep: Self.fuzzyY))
        let alerts = engine.evaluate([changed], baselines: &baselines, now: 2)
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(alert.rule == .binaryChange)
        #expect(alert[.similarity] == "0")
        #expect(alert[.threshold] == "80")
        #expect(alert[.baselineSha256] == ByteString(Self.shaA))
        #expect(alert[.baselineSsdeep] == ByteString(Self.fuzzyX))
        #expect(alert[.sha256] == ByteString(Self.shaB))
        // The new digests are the baseline now: the same content again is silent.
        #expect(engine.evaluate([changed], baselines: &baselines, now: 3).isEmpty)
    }

    @Test func similarContentIsBinaryUpdate() throws {
        var engine = RulesEngine()
        engine.settings.similarityThreshold = 50
        var baselines = BaselineStore()
        let a = "48:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123:abcdefghijklmnopqrstuvwxyzABCDEF"
        let b = "48:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0124:abcdefghijklmnopqrstuvwxyzABCDEG"
        let similarity = try #require(LibFuzzy.compare(a, b))
        #expect(similarity >= 50)
        _ = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: a))], baselines: &baselines, now: 1)
        let alerts = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaB, ssdeep: b))], baselines: &baselines, now: 2)
        #expect(alerts.map(\.rule) == [.binaryUpdate])
        #expect(alerts.first?[.similarity] == ByteString(String(similarity)))
    }

    /// The boundary: similarity equal to the threshold is an update (the
    /// rule is `similarity < threshold` → change), one below it a change.
    @Test func similarityEqualToTheThresholdIsBinaryUpdate() throws {
        // ssdeep of 64 KiB of random bytes, and of the same with 12000 bytes
        // in the middle replaced: `ssdeep -m` scores the pair 83.
        let a = "1536:bySt8hJ5+w+rwWTjWkrg08kbzUOWNWjTOLy//ItZiLqf6jMwEq1RVGdKnboDvC:18L0KsjWktsWP48kknuK"
        let b = "1536:bySt8hJ5+w+rwWTjWkr3IqYX1Ly//ItZiLqf6jMwEq1RVGdKnboDvC:18L0KsjWkbIqYXd8kknuK"
        let similarity = try #require(LibFuzzy.compare(a, b))
        try #require(similarity > 1 && similarity < 99, "a pair strictly between 0 and 100: \(similarity)")
        for (threshold, rule) in [
            (similarity, AlertRule.binaryUpdate), (similarity + 1, .binaryChange),
            (similarity - 1, .binaryUpdate),
        ] {
            var engine = RulesEngine()
            engine.settings.similarityThreshold = threshold
            var baselines = BaselineStore()
            _ = engine.evaluate(
                [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: a))], baselines: &baselines, now: 1)
            let alerts = engine.evaluate(
                [Self.record(digest: ImageDigest(sha256: Self.shaB, ssdeep: b))],
                baselines: &baselines, now: 2)
            #expect(alerts.map(\.rule) == [rule], "similarity \(similarity), threshold \(threshold)")
            #expect(alerts.first?[.similarity] == ByteString(String(similarity)))
            #expect(alerts.first?[.threshold] == ByteString(String(threshold)))
        }
    }

    /// SPEC §3: no ssdeep on one side means similarity is unknown, and the
    /// SHA-256 change is still a binary_change.
    @Test func missingSsdeepIsSimilarityUnknownNotSilence() throws {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        _ = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: nil))], baselines: &baselines, now: 1)
        let alerts = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaB, ssdeep: Self.fuzzyY))], baselines: &baselines, now: 2)
        let alert = try #require(alerts.first)
        #expect(alerts.map(\.rule) == [.binaryChange])
        #expect(alert[.reason] == "similarity_unknown")
        #expect(alert[.similarity] == nil)
        #expect(alert[.baselineSha256] == ByteString(Self.shaA))
        #expect(alert[.sha256] == ByteString(Self.shaB))
        #expect(baselines[BaselineKey(path: "/usr/bin/tool")]?.sha256 == Self.shaB)
        // The same SHA-256 without ssdeep raises nothing.
        #expect(
            engine.evaluate(
                [Self.record(digest: ImageDigest(sha256: Self.shaB, ssdeep: nil))], baselines: &baselines, now: 3
            ).isEmpty)
    }

    @Test func containerRootsKeepSeparateBaselines() {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        let host = Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: Self.fuzzyX), root: nil)
        let container = Self.record(
            pid: 200, digest: ImageDigest(sha256: Self.shaB, ssdeep: Self.fuzzyY), root: ImageKey(device: 9, inode: 9))
        let alerts = engine.evaluate([host, container], baselines: &baselines, now: 1)
        #expect(alerts.isEmpty)
        #expect(baselines.count == 2)
        #expect(baselines[BaselineKey(path: "/usr/bin/tool")]?.sha256 == Self.shaA)
        #expect(baselines[BaselineKey(root: ImageKey(device: 9, inode: 9), path: "/usr/bin/tool")]?.sha256 == Self.shaB)
    }

    @Test func diskMismatchCarriesReasonAndOnDiskDigest() throws {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        let running = ImageDigest(sha256: Self.shaA, ssdeep: Self.fuzzyX)
        let installed = ImageDigest(sha256: Self.shaB, ssdeep: Self.fuzzyY)
        for state in [ExeState.deleted, .replaced] {
            let alerts = engine.evaluate(
                [Self.record(state: state, digest: running, onDisk: installed)], baselines: &baselines, now: 1)
            let alert = try #require(alerts.first { $0.rule == .diskMismatch })
            #expect(alert[.reason] == ByteString(state.rawValue))
            #expect(alert[.onDiskSha256] == ByteString(Self.shaB))
            #expect(alert[.sha256] == ByteString(Self.shaA))
            #expect(alert.severity == .high)
        }
    }

    /// The allowlist is by name and content: a runc_cloned memfd passes only
    /// when the scanner found its SHA-256 at one of MemfdAllowImages.
    @Test func memfdAllowListIsByNameAndContent() throws {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        var evil = Self.record(
            state: .memfd, path: "/memfd:payload (deleted)", digest: ImageDigest(sha256: Self.shaA, ssdeep: nil))
        evil.memfdName = "payload"
        var impostor = evil
        impostor.pid = 101
        impostor.memfdName = "runc_cloned:/proc/self/exe"
        var runc = impostor
        runc.pid = 102
        runc.memfdAllowImage = "/usr/bin/runc"
        let alerts = engine.evaluate([evil, impostor, runc], baselines: &baselines, now: 1)
        #expect(alerts.map(\.rule) == [.memfdExec, .memfdExec])
        #expect(alerts.map(\.pid) == [100, 101])
        #expect(alerts[0][.memfdName] == "payload")
        #expect(alerts[0][.reason] == nil)
        #expect(alerts[1][.reason] == "allowlisted_name_unknown_content")
        #expect(alerts[1].severity == .high)
        #expect(baselines.count == 0)
    }

    @Test func degradedImageRaisesCoverageAlert() {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        let alerts = engine.evaluate(
            [Self.record(digest: ImageDigest(sha256: Self.shaA, ssdeep: nil, degraded: true))],
            baselines: &baselines, now: 1)
        #expect(alerts.map(\.rule) == [.coverageDegraded])
    }

    @Test func ignoredRecordsRaiseNothing() {
        let engine = RulesEngine()
        var baselines = BaselineStore()
        var r = Self.record(state: .deleted, digest: nil)
        r.unhashedReason = .ignored
        #expect(engine.evaluate([r], baselines: &baselines, now: 1).isEmpty)
    }

    @Test func dedupKeysSeparateRulesPathsAndDigests() {
        let key = BaselineKey(path: "/bin/x")
        let k1 = RulesEngine.dedupKey(rule: .diskMismatch, identity: key, sha256: Self.shaA)
        #expect(k1.count == 32)
        #expect(k1 == RulesEngine.dedupKey(rule: .diskMismatch, identity: key, sha256: Self.shaA))
        #expect(k1 != RulesEngine.dedupKey(rule: .memfdExec, identity: key, sha256: Self.shaA))
        #expect(
            k1 != RulesEngine.dedupKey(rule: .diskMismatch, identity: BaselineKey(path: "/bin/y"), sha256: Self.shaA))
        #expect(k1 != RulesEngine.dedupKey(rule: .diskMismatch, identity: key, sha256: Self.shaB))
    }
}
