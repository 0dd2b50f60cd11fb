import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

extension RuleJournalTests {
    /// ssdeep failing at each step of the digest, through the FuzzyHashing
    /// seam of the real Scanner: SHA-256 still arrives, the image is
    /// degraded, and coverage.degraded reaches the journal.
    @Test(arguments: FailingFuzzy.Stage.allCases)
    func ssdeepFailureIsCoverageDegraded(stage: FailingFuzzy.Stage) throws {
        let scratch = try ScratchDirectory("alert")
        let exe = scratch("fuzzless")
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(exe), appending: Array("\(stage)".utf8))
        let sha = try ReferenceDigest.sha256(exe)
        let target = try ChildProcess(ByteString(exe), ["fuzzless", "600"])

        let logger = Logger(label: "test.degraded")
        var limits = ScanLimits()
        limits.ignorePaths = AlertConfig.ignoringAllBut(scratch.path + "/")
        let monitor = Monitor(
            scanner: Scanner(limits: limits, fuzzy: FailingFuzzy(stage: stage), logger: logger),
            rules: RulesEngine(settings: RuleHarness.testSettings),
            store: nil, alertSettings: AlertLimits(), logger: logger)
        let result = monitor.runCycle()
        let report = try #require(result.report)
        #expect(report.summary.ssdeepFailures == 1)
        let record = try #require(report.processes.first { $0.pid == target.pid })
        #expect(record.digest == ImageDigest(sha256: sha, ssdeep: nil, degraded: true))
        let release = monitor.release()
        #expect(release.batch.map(\.rule) == [.coverageDegraded])

        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        for alert in release.batch { #expect(writer.send(alert) == .journal) }
        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"])
        try #require(records.count == 1)
        var expected = Self.common(
            .coverageDegraded,
            message: "fuzzless[\(target.pid)]: ssdeep failed for \(exe); only SHA-256 is compared",
            pid: target.pid, comm: "fuzzless", exe: ByteString(exe), state: .onDisk, sha256: sha)
        expected["PROCWARDEN_REASON"] = "ssdeep_failed"
        AlertJournal.expectExactly(records[0], expected)
    }
}
