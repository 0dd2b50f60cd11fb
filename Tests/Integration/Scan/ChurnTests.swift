import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// Scans while hundreds of processes start and exit around them: the scan
/// neither crashes nor reports a process as something it was not.
@Suite(.serialized)
struct ChurnTests {
    @Test func scansDuringProcessChurn() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwstable")
        try TestFile.copy("/bin/sleep", to: exe)
        let stableSHA = try ReferenceDigest.sha256(exe)
        let stable = try ChildProcess(exe, ["pwstable", "600"])
        defer { stable.stop() }
        // Images a churn pid can show: /bin/true, or this test binary in the
        // instant between posix_spawn's clone and its exec.
        let truePath = try TestFile.realPath("/bin/true")
        let selfPath = try TestFile.realPath("/proc/self/exe")
        let expected: [ByteString: String] = [
            truePath: try ReferenceDigest.sha256(truePath),
            selfPath: try ReferenceDigest.sha256(selfPath),
        ]

        let churn = ProcessChurn()
        defer { _ = churn.stop() }
        var churnRecords = 0
        for _ in 0..<20 {
            let report = SharedScanner.scan()
            let churned = churn.pids
            check(report)
            let record = try report.require(pid: stable.pid)
            #expect(record.exeState == .onDisk)
            #expect(record.digest?.sha256 == stableSHA)
            for record in report.processes where churned.contains(record.pid) {
                churnRecords += 1
                checkChurned(record, expected: expected)
            }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while churn.count < 300 && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(churn.stop().count >= 300, "the churn thread started too few processes to mean anything")
        #expect(churnRecords > 0, "no scan saw a churning process")
    }

    /// Invariants every record of every scan must hold.
    private func check(_ report: ScanReport) {
        #expect(Set(report.processes.map(\.pid)).count == report.processes.count, "one record per pid")
        #expect(report.summary.processes == report.processes.count)
        for r in report.processes {
            let what = "pid \(r.pid) (\(r.comm?.escaped ?? "?")) \(r.exeState.rawValue)"
            #expect(r.failure == nil, "\(what): \(r.failure ?? "")")
            switch r.exeState {
            case .onDisk, .deleted, .replaced, .memfd:
                #expect(r.startTime != nil && r.comm != nil && r.exe != nil, "\(what): identity not read")
                #expect(r.image != nil, "\(what): no image identity")
                #expect(r.digest != nil || r.unhashedReason != nil, "\(what): neither hashed nor a reason why not")
            case .kernel, .zombie:
                #expect(r.startTime != nil && r.comm != nil, "\(what): identity not read")
                #expect(r.digest == nil)
            case .vanished:
                #expect(r.digest == nil && r.onDiskDigest == nil, "\(what): a vanished process has no digest")
                // Still there, same process, and not exiting: it did not vanish.
                // An exiting task loses its mm (and exe link) before it turns
                // zombie; on a loaded machine it can linger there.
                if let start = r.startTime, let live = LiveStat(pid: r.pid), live.startTime == start {
                    #expect(
                        live.state == UInt8(ascii: "Z") || live.state == UInt8(ascii: "X") || live.isExiting,
                        "\(what): reported vanished but still running")
                }
            case .inaccessible:
                #expect(r.digest == nil)
            case .hidden:
                #expect(r.hiddenBy != nil && r.digest == nil, "\(what): hidden without the mount that hides it")
            }
        }
    }

    /// A churning /bin/true is never deleted, replaced or memfd: any of those
    /// would be a false alert.
    private func checkChurned(_ r: ProcessRecord, expected: [ByteString: String]) {
        let what = "churned pid \(r.pid) \(r.exeState.rawValue) \(r.exe?.escaped ?? "-")"
        switch r.exeState {
        case .onDisk:
            let sha = r.exe.flatMap { expected[$0] }
            #expect(sha != nil, "\(what): unexpected image")
            if let digest = r.digest { #expect(digest.sha256 == sha, "\(what)") }
        case .zombie:
            #expect(r.comm == "true", "\(what)")
        case .vanished:
            break
        case .deleted, .replaced, .memfd, .kernel, .inaccessible, .hidden:
            Issue.record("\(what): misclassified")
        }
    }
}
