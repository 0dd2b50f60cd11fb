import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// integrity.untrusted_code (SPEC §3): code that runs from a scratch
/// directory where no installed software lives. Each test stages real
/// binaries and libraries and points `UntrustedCodePaths` where the
/// default list does (or at its own scratch directory under /tmp).
@Suite(.serialized)
struct UntrustedCodeTests {
    static let sleep: ByteString = "/bin/sleep"

    static func settings(untrusted: [String], allow: [String] = []) -> RuleSettings {
        var settings = RuleSettings()
        settings.untrustedCodePaths = untrusted
        settings.untrustedCodeAllow = allow
        return settings
    }

    /// A copy of sleep run from /dev/shm is high, named by path; the same
    /// binary with `UntrustedCodeAllow` matching it raises nothing, and
    /// neither does the installed /bin/sleep.
    @Test(arguments: [false, true])
    func executableInDevShm(allowed: Bool) throws {
        let shm = try ScratchDirectory("untrusted", in: "/dev/shm")
        let payload = shm.appending("payload")
        try TestFile.copy(Self.sleep, to: payload)
        let settings = Self.settings(
            untrusted: Configuration.defaults.untrustedCodePaths, allow: allowed ? [shm.path + "/*"] : [])
        let harness = RuleHarness(watching: shm.path + "/", settings: settings)
        let routine = RuleHarness(watching: "/usr/bin/sleep", settings: settings)
        let dropped = try ChildProcess(payload, ["payload", "600"])
        defer { dropped.stop() }
        let installed = try ChildProcess(Self.sleep, ["sleep", "600"])
        defer { installed.stop() }

        let (installedReport, installedAlerts) = try routine.cycle()
        #expect(try installedReport.require(pid: installed.pid).exe == "/usr/bin/sleep")
        #expect(installedAlerts.isEmpty, "\(installedAlerts.map(\.message))")
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: dropped.pid).exeState == .onDisk)
        let raised = alerts.filter { $0.pid == dropped.pid }
        if allowed {
            #expect(raised.isEmpty, "\(raised.map(\.message))")
            return
        }
        try #require(raised.count == 1, "\(raised.map(\.message))")
        #expect(raised[0].rule == .untrustedCode)
        #expect(raised[0].severity == .high)
        #expect(raised[0][.object] == "executable")
        #expect(raised[0][.exe] == payload)
        #expect(raised[0][.sha256] == ByteString(try ReferenceDigest.sha256(Self.sleep)))
        #expect(raised[0].message.description.contains(payload.description), "\(raised[0].message)")
    }

    /// A binary deleted after it started from an untrusted path still ran
    /// from there: both disk_mismatch and untrusted_code.
    @Test func deletedExecutableFromUntrustedPath() throws {
        let scratch = try ScratchDirectory("untrusted-deleted")
        let payload = scratch.appending("payload")
        try TestFile.copy(Self.sleep, to: payload)
        let harness = RuleHarness(
            watching: scratch.path + "/", settings: Self.settings(untrusted: [scratch.path + "/*"]))
        let child = try ChildProcess(payload, ["payload", "600"])
        defer { child.stop() }
        try TestFile.unlink(payload)

        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: child.pid).exeState == .deleted)
        let rules = Set(alerts.filter { $0.pid == child.pid }.map(\.rule))
        #expect(rules == [.diskMismatch, .untrustedCode], "\(alerts.map(\.message))")
    }
}
