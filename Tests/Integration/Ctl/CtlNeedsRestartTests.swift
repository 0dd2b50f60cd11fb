import Foundation
import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// `procwardenctl needs-restart` and ListRestartNeeded against a real
/// procwardend (`VerifyOtherRoots=yes`) watching a process in a scratch
/// root whose package the real dpkg upgrades.
@Suite(.serialized) struct CtlNeedsRestartTests {
    @Test func anUpgradedProgramIsListedAndTheExitStatusSaysSo() throws {
        let stage = try PackageVerificationTests.Stage("pwpkg-ctl")
        try stage.dpkg.install(try stage.build("1.0"))
        let child = try stage.start()
        let configuration = "[Scan]\nIntervalSec=3600\n[Packages]\nVerifyOtherRoots=yes"
        try withDaemonOnBus(policy: .permissive, configuration: configuration, wait: false) { daemon, bus in
            let d = try CtlDaemonTests.RunningDaemon(daemon, on: bus)
            #expect(try d.ctl(["rescan"]).succeeded)
            let none = try d.ctl(["needs-restart"])
            #expect(none.status == 0, "\(none.summary)")
            #expect(none.stdoutText == "No process needs a restart.\n")

            try stage.dpkg.install(try stage.build("2.0"))
            #expect(try d.ctl(["rescan"]).succeeded)
            let json = try d.ctl(["needs-restart", "--json"])
            #expect(json.status == 1, "\(json.summary)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]], "\(json.summary)")
            let mine = try #require(rows.first { ($0["pid"] as? Int) == Int(child.pid) }, "\(json.stdoutText)")
            #expect(mine["path"] as? String == stage.exe)
            #expect(mine["package"] as? String == "pwpkg")
            #expect(mine["comm"] as? String == "pwsleep")
            #expect(Set(mine.keys) == ["unit", "pid", "comm", "path", "package", "package_version"])
            // The package is the scratch root's, not this host's: no version from here.
            #expect(mine["package_version"] is NSNull)

            let table = try d.ctl(["needs-restart"])
            #expect(table.status == 1)
            #expect(table.stdoutText.contains("  pwsleep[\(child.pid)] \(stage.exe) (pwpkg)"), "\(table.stdoutText)")

            // Restarted (here: gone), nothing is left to list.
            child.stop()
            #expect(try d.ctl(["rescan"]).succeeded)
            let after = try d.ctl(["needs-restart"])
            #expect(after.status == 0, "\(after.summary)")
        }
    }

    /// No daemon on the bus: a local scan with the same engine, said so
    /// on stderr (stdout stays JSON).
    @Test func withoutADaemonItScansLocallyAndSaysSo() throws {
        let run = try ToolRun.product(
            "procwardenctl", ["needs-restart", "--json"],
            environment: ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/pw-no-bus"])
        #expect([0, 1].contains(run.status), "\(run.summary)")
        #expect(run.stderrText.hasPrefix("procwardenctl: no procwardend answered; scanned "), "\(run.stderrText)")
        #expect(run.stderrText.split(separator: "\n").count == 1, "\(run.stderrText)")
        #expect((try? JSONSerialization.jsonObject(with: Data(run.stdout))) is [Any], "\(run.stdoutText)")
    }
}
