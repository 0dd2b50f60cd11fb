import Foundation
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// Without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, processes of other users
/// are `inaccessible` and coverage is `partial` (SPEC §7, case 3).
@Suite(.serialized)
struct InaccessibleTests {
    @Test func unprivilegedDaemonSeesRootProcessesAsInaccessible() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwowned")
        try TestFile.copy("/bin/sleep", to: exe)
        let sha256 = try ReferenceDigest.sha256(exe)
        // The copy runs from /tmp: exit 0 (no high alert) needs /tmp out of UntrustedCodePaths.
        let config = try dir.write("procwarden.conf", "[Alerts]\n\(AlertConfig.untrustedCodePathsLine)\n")
        let rootChild = try ChildProcess(exe, ["pwowned", "60"])
        defer { rootChild.stop() }
        let nobodyChild = try ChildProcess(
            "setpriv", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", exe, "60"])
        defer { nobodyChild.stop() }
        try nobodyChild.waitForExe(exe)
        // As root, the same process is fully visible: the difference below is privilege.
        #expect(SharedScanner.scan().record(pid: rootChild.pid)?.exeState == .onDisk)

        let result = try ToolRun.run(
            [
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                try BuildProducts.procwardend, "--once", "--json", "--config", config,
            ], environment: Spawn.minimalEnvironment)
        #expect(result.status == 0, "\(result.stderrText)")
        let report = try JSONBytes.object(result.stdout)
        let summary = try #require(report[ReportKey.summary] as? [String: Any])
        #expect(summary[ReportKey.Summary.coverage] as? String == "partial")
        let processes = try JSONBytes.processes(report)

        let root = try #require(processes[rootChild.pid])
        #expect(root[ReportKey.Process.exeState] as? String == "inaccessible")
        #expect(root[ReportKey.Process.sha256] is NSNull)
        #expect((root[ReportKey.Process.uid] as? NSNumber)?.intValue == 0)

        let own = try #require(processes[nobodyChild.pid])
        #expect(own[ReportKey.Process.exeState] as? String == "on_disk")
        #expect(JSONBytes.decode(own[ReportKey.Process.exe]) == exe)
        #expect(own[ReportKey.Process.sha256] as? String == sha256)

        // No root-owned process with an image can be inspected without the capabilities.
        for (pid, p) in processes where (p[ReportKey.Process.uid] as? NSNumber)?.intValue == 0 {
            let state = p[ReportKey.Process.exeState] as? String ?? "?"
            #expect(["inaccessible", "kernel", "zombie", "vanished"].contains(state), "pid \(pid) is \(state)")
        }
    }
}
