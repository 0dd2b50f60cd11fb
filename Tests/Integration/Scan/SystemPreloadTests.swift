import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// /etc/ld.so.preload in a process's root (SPEC §2 Preload, §3
/// integrity.preload), in a real chroot whose loader really preloads it:
/// alerted once, again on every change, whatever `PreloadAllow` says (it
/// is for `LD_PRELOAD`).
@Suite(.serialized)
struct SystemPreloadTests {
    static let libz: ByteString = "/usr/lib/x86_64-linux-gnu/libz.so.1"
    static let inRoot = "/opt/pw/libpwz.so.1"

    /// A chroot tree with sleep, a copy of libz at `inRoot` and
    /// /etc/ld.so.preload naming it; `sleep 600` started in it.
    struct Stage {
        let scratch: ScratchDirectory
        let child: ChildProcess
        var preloadFile: ByteString { scratch.appending("etc/ld.so.preload") }

        init(_ label: String) throws {
            scratch = try ScratchDirectory(label)
            try ChrootTree.populate(scratch.path, with: "/bin/sleep")
            for directory in ["etc", "opt", "opt/pw"] { _ = try scratch.makeDirectory(directory) }
            try TestFile.copy(
                SystemPreloadTests.libz, to: ByteString(scratch.path + SystemPreloadTests.inRoot))
            try TestFile.write(
                Array("\(SystemPreloadTests.inRoot)\n".utf8), to: scratch.appending("etc/ld.so.preload"), mode: 0o644)
            let library = scratch.path + SystemPreloadTests.inRoot
            child = try ChildProcess(["chroot", scratch.path, "/bin/sleep", "600"]) {
                SharedObjectTests.maps($0.pid).contains(library)
            }
        }

        func rewrite(_ content: String) throws {
            try TestFile.unlink(preloadFile)
            try TestFile.write(Array(content.utf8), to: preloadFile, mode: 0o644)
        }
    }

    static func preloadAlerts(_ alerts: [Alert]) -> [Alert] { alerts.filter { $0.rule == .preload } }

    @Test func alertedOnceThenOnEveryChange() throws {
        let stage = try Stage("ld-so-preload")
        defer { stage.child.stop() }
        let harness = RuleHarness(watching: stage.scratch.path + "/")

        let (report, first) = try harness.cycle()
        #expect(report.rootPreloads.count == 1)
        let alerts = Self.preloadAlerts(first)
        try #require(alerts.count == 1, "\(first.map(\.message))")
        let alert = alerts[0]
        #expect(alert.severity == .medium)
        #expect(alert.pid == stage.child.pid)
        #expect(alert[.preload] == ByteString("\(Self.inRoot)\n"))
        #expect(alert[.processCount] == "1")
        #expect(alert[.root] == ByteString(stage.scratch.path))
        #expect(alert.message.description.contains("/etc/ld.so.preload"), "\(alert.message)")
        #expect(alert.message.description.contains(Self.inRoot), "\(alert.message)")

        let (_, unchanged) = try harness.cycle()
        #expect(Self.preloadAlerts(unchanged).isEmpty, "\(unchanged.map(\.message))")

        try stage.rewrite("\(Self.inRoot) /opt/pw/libother.so\n")
        let (_, changed) = try harness.cycle()
        let again = Self.preloadAlerts(changed)
        try #require(again.count == 1, "\(changed.map(\.message))")
        #expect(again[0][.preload] == ByteString("\(Self.inRoot) /opt/pw/libother.so\n"))
        #expect(again[0].dedupKey != alert.dedupKey)

        // Emptied, then the first list back: a change again.
        try stage.rewrite("  \n")
        let (_, emptied) = try harness.cycle()
        #expect(Self.preloadAlerts(emptied).isEmpty, "\(emptied.map(\.message))")
        try stage.rewrite("\(Self.inRoot)\n")
        let (_, back) = try harness.cycle()
        #expect(Self.preloadAlerts(back).count == 1, "\(back.map(\.message))")
    }

    /// High when a named object matches `UntrustedCodePaths` (as the root
    /// names it); still medium when `PreloadAllow` covers every named
    /// object, which applies to `LD_PRELOAD` only.
    @Test(arguments: ["untrusted", "allowed"])
    func judgedByTheSettings(kind: String) throws {
        let stage = try Stage("ld-so-preload-\(kind)")
        defer { stage.child.stop() }
        var settings = RuleHarness.testSettings
        if kind == "untrusted" { settings.untrustedCodePaths = ["/opt/pw/*"] }
        if kind == "allowed" { settings.preloadAllow = [Self.inRoot] }
        let harness = RuleHarness(watching: stage.scratch.path + "/", settings: settings)

        let (_, raised) = try harness.cycle()
        let alerts = Self.preloadAlerts(raised)
        try #require(alerts.count == 1, "\(raised.map(\.message))")
        if kind == "allowed" {
            #expect(alerts[0].severity == .medium)
            return
        }
        #expect(alerts[0].severity == .high)
        #expect(alerts[0].message.description.contains("untrusted"), "\(alerts[0].message)")
    }

    /// A FIFO in place of /etc/ld.so.preload (a process in the root could
    /// make one to stall a reader): read as nothing, and the scan goes on.
    @Test func aFIFOInItsPlaceNeitherBlocksNorAlerts() throws {
        let stage = try Stage("ld-so-preload-fifo")
        defer { stage.child.stop() }
        try TestFile.unlink(stage.preloadFile)
        let made = try ToolRun.run(["mkfifo", stage.preloadFile.description])
        try #require(made.succeeded, "\(made.summary)")
        let harness = RuleHarness(watching: stage.scratch.path + "/")
        let (report, alerts) = try harness.cycle()
        #expect(report.rootPreloads.allSatisfy { $0.content == nil }, "\(report.rootPreloads)")
        #expect(Self.preloadAlerts(alerts).isEmpty, "\(alerts.map(\.message))")
        #expect(try report.require(pid: stage.child.pid).exeState == .onDisk)
    }

    /// A symlink in place of /etc/ld.so.preload resolves inside the
    /// process's root, as its loader resolves it. Followed through
    /// /proc/<pid>/root alone, an absolute target or a ".." would name a
    /// file of the daemon's root, and the alert would carry that host file's
    /// contents: a root user in a container could read any file of the host
    /// out of the journal.
    @Test(arguments: ["absolute", "dotdot", "inside"])
    func aSymlinkResolvesInsideTheRoot(kind: String) throws {
        let stage = try Stage("ld-so-preload-link-\(kind)")
        defer { stage.child.stop() }
        let host = try ScratchDirectory("ld-so-preload-host")
        let hostList = try host.write("list", "/host/only/libsecret.so\n")
        var target = hostList
        if kind == "dotdot" { target = String(repeating: "../", count: 40) + hostList.dropFirst() }
        if kind == "inside" {
            // The same path in the root names the root's own list.
            try TestFile.makeDirectory(ByteString(stage.scratch.path + "/tmp"))
            try TestFile.makeDirectory(ByteString(stage.scratch.path + host.path))
            try TestFile.write(
                Array("\(Self.inRoot)\n".utf8), to: ByteString(stage.scratch.path + hostList), mode: 0o644)
        }
        try TestFile.unlink(stage.preloadFile)
        try #require(symlink(target, stage.preloadFile.description) == 0, "symlink: \(errno)")

        let harness = RuleHarness(watching: stage.scratch.path + "/")
        let (report, raised) = try harness.cycle()
        let leaked = raised.filter { $0[.preload]?.description.contains("libsecret") == true }
        #expect(leaked.isEmpty, "\(leaked.map(\.message))")
        let alerts = Self.preloadAlerts(raised)
        if kind == "inside" {
            try #require(alerts.count == 1, "\(raised.map(\.message))")
            #expect(alerts[0][.preload] == ByteString("\(Self.inRoot)\n"))
        } else {
            #expect(alerts.isEmpty, "\(alerts.map(\.message))")
            #expect(report.rootPreloads.allSatisfy { $0.content == nil }, "\(report.rootPreloads)")
        }
    }
}
