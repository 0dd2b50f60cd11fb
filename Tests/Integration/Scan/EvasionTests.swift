import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// One-command tricks that must not step around the checks (SPEC §2 Limits
/// and Hidden processes, §3 content checks and attribution), each with the
/// routine case that must stay quiet.
@Suite(.serialized)
struct EvasionTests {
    static let sleep: ByteString = "/bin/sleep"
    static let runcName = "runc_cloned:/proc/self/exe"

    /// A memfd named like runc's clone passes `MemfdAllow` only when it
    /// holds one of `MemfdAllowImages`: foreign content is a high alert,
    /// the runtime's own image is not.
    @Test func allowlistedMemfdNameNeedsAllowlistedContent() throws {
        let scratch = try ScratchDirectory("memfd")
        let runc = scratch.appending("runc")
        try TestFile.copy(Self.sleep, to: runc, appending: Array("the runtime".utf8))
        var limits = ScanLimits()
        limits.memfdAllowImages = [runc]
        let harness = RuleHarness(watching: "/memfd:runc_cloned:", limits: limits)

        let impostor = try ChildProcess(
            ByteString(try BuildProducts.memfdExec),
            ["pw-memfd-exec", ByteString(Self.runcName), Self.sleep, "x", "600"]
        ) { $0.exeLink?.hasPrefix("/memfd:") == true }
        defer { impostor.stop() }
        let genuine = try ChildProcess(
            ByteString(try BuildProducts.memfdExec), ["pw-memfd-exec", ByteString(Self.runcName), runc, "runc", "600"]
        ) { $0.exeLink?.hasPrefix("/memfd:") == true }
        defer { genuine.stop() }

        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: genuine.pid).memfdAllowImage == runc)
        #expect(try report.require(pid: impostor.pid).memfdAllowImage == nil)
        let raised = alerts.filter { $0.pid == impostor.pid }
        try #require(raised.count == 1, "\(alerts.map(\.message))")
        #expect(raised[0].rule == .memfdExec)
        #expect(raised[0].severity == .high)
        #expect(raised[0][.reason] == "allowlisted_name_unknown_content")
        #expect(raised[0][.memfdName] == ByteString(Self.runcName))
        #expect(raised[0][.sha256] == ByteString(try ReferenceDigest.sha256(Self.sleep)))
        #expect(!alerts.contains { $0.pid == genuine.pid }, "the runtime's own clone is allowed")
    }

    /// A replacement padded with a sparse tail past `MaxFileSize` is still
    /// compared by SHA-256 (binary_change, similarity_unknown) and reported
    /// as too_large; past `MaxHashSize` it is not hashed and still reported.
    @Test(arguments: [false, true])
    func paddingPastTheSizeLimitsIsNeverSilent(pastMaxHashSize: Bool) throws {
        let scratch = try ScratchDirectory("padded")
        let exe = scratch.appending("tool")
        try TestFile.copy(Self.sleep, to: exe)
        var limits = ScanLimits()
        limits.maxFileSize = 1 << 20
        limits.maxHashSize = pastMaxHashSize ? 1 << 20 : 4 << 30
        let harness = RuleHarness(watching: scratch.path + "/", limits: limits)
        do {
            let original = try ChildProcess(exe, ["tool", "600"])
            defer { original.stop() }
            let (_, seeded) = try harness.cycle()
            #expect(seeded.isEmpty, "\(seeded.map(\.message))")
        }

        // The swap: a copy with a 2 MiB apparent size (a hole, no data),
        // renamed over the path; the old process is gone.
        let staged = scratch.appending("staged")
        try TestFile.copy(Self.sleep, to: staged, appending: Array("payload".utf8))
        let truncate = try ToolRun.run(["truncate", "-s", "2M", staged.description])
        try #require(truncate.succeeded, "\(truncate.summary)")
        #expect(try TestFile.status(staged).st_blocks * 512 < 1 << 20, "precondition: sparse")
        try TestFile.rename(staged, exe)
        let swapped = try ChildProcess(exe, ["tool", "600"])
        defer { swapped.stop() }

        let (report, alerts) = try harness.cycle()
        let record = try report.require(pid: swapped.pid)
        let mine = alerts.filter { $0.pid == swapped.pid }
        let degraded = mine.filter { $0.rule == .coverageDegraded }
        try #require(degraded.count == 1, "\(alerts.map(\.message))")
        #expect(degraded[0][.reason] == "too_large")
        #expect(degraded[0][.exe] == exe)
        if pastMaxHashSize {
            #expect(record.unhashedReason == .tooLarge)
            #expect(record.digest == nil)
            #expect(degraded[0].message.description.contains("larger than MaxHashSize"))
        } else {
            let sha = try ReferenceDigest.sha256(exe)
            #expect(record.digest?.sha256 == sha)
            #expect(record.digest?.ssdeep == nil)
            let change = try #require(mine.first { $0.rule == .binaryChange }, "\(alerts.map(\.message))")
            #expect(change[.reason] == "similarity_unknown")
            #expect(change[.similarity] == nil)
            #expect(change[.sha256] == ByteString(sha))
            #expect(change[.baselineSha256] == ByteString(try ReferenceDigest.sha256(Self.sleep)))
        }
    }

    /// A bind mount over /proc/<pid> (or a file in it) of a live process:
    /// exe_state hidden, integrity.proc_hidden with the mount, never vanished.
    @Test(arguments: ["", "/cmdline"])
    func mountOverProcDirectoryIsProcHidden(inside: String) throws {
        let scratch = try ScratchDirectory("hidden")
        let exe = scratch.appending("hideme")
        try TestFile.copy(Self.sleep, to: exe)
        let child = try ChildProcess(exe, ["hideme", "600"])
        defer { child.stop() }
        let cover = inside.isEmpty ? try scratch.makeDirectory("cover") : try scratch.write("cover", "decoy\n")
        let target = "/proc/\(child.pid)\(inside)"
        let mount = try ToolRun.run(["mount", "--bind", cover, target])
        try #require(mount.succeeded, "\(mount.summary)")
        defer { _ = try? ToolRun.run(["umount", "-l", target]) }

        let harness = RuleHarness(watching: scratch.path + "/")
        let (report, alerts) = try harness.cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .hidden)
        #expect(record.hiddenBy?.mountPoint == ByteString(target))
        #expect(record.digest == nil && record.exe == nil, "nothing else is claimed")
        let hidden = alerts.filter { $0.rule == .procHidden }
        try #require(hidden.count == 1, "\(alerts.map(\.message))")
        #expect(hidden[0].pid == child.pid)
        #expect(hidden[0].severity == .high)
        #expect(hidden[0][.pid] == ByteString(String(child.pid)))
        #expect(hidden[0][.exeState] == "hidden")
        #expect(hidden[0][.mountPoint] == ByteString(target))
        #expect(hidden[0][.mountSource] == record.hiddenBy?.source)
        #expect(hidden[0].message.description.contains("mounted on \(target)"))

        // Unmounted, the same process is seen again as it is.
        #expect(try ToolRun.run(["umount", target]).succeeded)
        let (again, quiet) = try harness.cycle()
        #expect(try again.require(pid: child.pid).exeState == .onDisk)
        #expect(!quiet.contains { $0.rule == .procHidden })
    }

    /// Rename-over upgrade of a running binary: every alert naming the old
    /// pid carries the digest of the image that pid runs; the change of the
    /// file at the path names only a process that runs the new file, or none.
    @Test(arguments: [false, true])
    func renameOverUpgradeAttributesEachDigestToItsRunner(newProcess: Bool) throws {
        let scratch = try ScratchDirectory("upgrade")
        let exe = scratch.appending("daemon")
        try TestFile.copy(Self.sleep, to: exe, appending: Array("version 1".utf8))
        let oldSHA = try ReferenceDigest.sha256(exe)
        let harness = RuleHarness(watching: scratch.path + "/")
        let old = try ChildProcess(exe, ["daemon", "600"])
        defer { old.stop() }
        #expect(try harness.cycle().alerts.isEmpty)

        try TestFile.install(try TestFile.read(Self.sleep) + Array("version 2".utf8), at: exe)
        let newSHA = try ReferenceDigest.sha256(exe)
        let new = newProcess ? try ChildProcess(exe, ["daemon", "600"]) : nil
        defer { new?.stop() }

        let (_, alerts) = try harness.cycle()
        let naming = alerts.filter { $0.pid == old.pid }
        #expect(naming.map(\.rule) == [.diskMismatch], "\(alerts.map(\.message))")
        for alert in naming { #expect(alert[.sha256] == ByteString(oldSHA), "\(alert.rule)") }
        let update = try #require(alerts.first { $0.rule == .binaryUpdate }, "\(alerts.map(\.message))")
        #expect(update[.sha256] == ByteString(newSHA))
        #expect(update[.baselineSha256] == ByteString(oldSHA))
        if let new {
            #expect(update.pid == new.pid)
            #expect(update[.pid] == ByteString(String(new.pid)))
        } else {
            #expect(update.pid == 0)
            #expect(update[.pid] == nil && update[.comm] == nil)
            #expect(update[.exe] == exe)
        }
    }
}
