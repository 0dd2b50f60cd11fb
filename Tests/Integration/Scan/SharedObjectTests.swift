import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// Mapped shared objects (SPEC §2 Shared objects, §3 library_mismatch and
/// untrusted_code), with real libraries: copies of the system's libz,
/// preloaded into copies of sleep, or loaded from a memfd by python's
/// ctypes, in processes this test starts.
@Suite(.serialized)
struct SharedObjectTests {
    static let sleep: ByteString = "/bin/sleep"
    static let libz: ByteString = "/usr/lib/x86_64-linux-gnu/libz.so.1"

    /// A scratch directory with `sleep` and a copy of libz as `libpwz.so.1`.
    struct Stage {
        let scratch: ScratchDirectory
        let exe: ByteString
        let library: ByteString

        init(_ label: String, libraryDirectory: String? = nil) throws {
            let scratch = try ScratchDirectory(label)
            self.scratch = scratch
            exe = scratch.appending("sleep")
            try TestFile.copy(SharedObjectTests.sleep, to: exe)
            let directory = try libraryDirectory.map { try scratch.makeDirectory($0) } ?? scratch.path
            library = ByteString(directory + "/libpwz.so.1")
            try TestFile.copy(SharedObjectTests.libz, to: library)
        }

        /// `sleep 600` with the library preloaded, once it is mapped.
        func start() throws -> ChildProcess {
            let library = self.library
            return try ChildProcess(
                exe, ["sleep", "600"], environment: Spawn.environment(["LD_PRELOAD": library.description])
            ) { child in
                SharedObjectTests.maps(child.pid).contains(library.description)
            }
        }

        /// The test settings, with the staged library in `PreloadAllow`:
        /// these tests are about the mapping, not about how it was loaded.
        var settings: RuleSettings {
            var settings = RuleHarness.testSettings
            settings.preloadAllow = [library.description]
            return settings
        }

        var harness: RuleHarness { RuleHarness(watching: scratch.path + "/", settings: settings) }
    }

    static func maps(_ pid: pid_t) -> String {
        (try? TestFile.read(ByteString("/proc/\(pid)/maps"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func objectAlerts(_ alerts: [Alert]) -> [Alert] {
        alerts.filter { $0[.object] == ByteString(ObjectKind.library.rawValue) }
    }

    /// Loaded and on disk: classified `on_disk`, no alert. Deleted: the
    /// object is `deleted`, one library_mismatch names it.
    @Test func deletedLibrary() throws {
        let stage = try Stage("lib-deleted")
        let harness = stage.harness
        let child = try stage.start()
        defer { child.stop() }

        let (before, quiet) = try harness.cycle()
        let object = try #require(try before.require(pid: child.pid).objects.first { $0.path == stage.library })
        #expect(object.state == .onDisk)
        #expect(object.key == (try TestFile.imageKey(stage.library)))
        #expect(quiet.isEmpty, "\(quiet.map(\.message))")

        try TestFile.unlink(stage.library)
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: child.pid).objects.first { $0.path == stage.library }?.state == .deleted)
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        let alert = alerts[0]
        #expect(alert.rule == .libraryMismatch)
        #expect(alert.severity == .medium)
        #expect(alert.pid == child.pid)
        #expect(alert[.library] == stage.library)
        #expect(alert[.object] == "library")
        #expect(alert[.reason] == "deleted")
        #expect(alert[.processCount] == "1")
        #expect(alert[.exe] == stage.exe)
        #expect(alert.message.description.contains(stage.library.description), "\(alert.message)")
    }

    /// An upgrade's rename over the path unlinks the mapped name (the kernel
    /// marks it deleted) even while a hard link keeps the file elsewhere:
    /// `deleted` with another file at the path.
    @Test func renamedOverWithAHardLinkKept() throws {
        let stage = try Stage("lib-renamed")
        let harness = stage.harness
        let child = try stage.start()
        defer { child.stop() }
        _ = try harness.cycle()

        try TestFile.link(stage.library, stage.scratch.appending("kept.so"))
        let staged = stage.scratch.appending("staged.so")
        try TestFile.copy(Self.libz, to: staged, appending: Array("new version".utf8))
        try TestFile.rename(staged, stage.library)

        let (report, alerts) = try harness.cycle()
        let object = try #require(try report.require(pid: child.pid).objects.first { $0.path == stage.library })
        #expect(object.state == .deleted)
        let mismatch = alerts.filter { $0.rule == .libraryMismatch }
        try #require(mismatch.count == 1, "\(alerts.map(\.message))")
        #expect(mismatch[0][.reason] == "deleted")
        try Self.expectNewFileAtPath(stage.library, mismatch: mismatch[0], alerts: alerts)
    }

    /// Beside the library_mismatch about the mapped file, the new file at
    /// the path is the path's new content: its digest is the alert's
    /// `on_disk_sha256`, and binary_update reports it without naming a
    /// process (none maps it).
    static func expectNewFileAtPath(_ path: ByteString, mismatch: Alert, alerts: [Alert]) throws {
        let now = ByteString(try ReferenceDigest.sha256(path))
        #expect(mismatch[.onDiskSha256] == now)
        let content = alerts.filter { $0.rule == .binaryUpdate || $0.rule == .binaryChange }
        try #require(content.count == 1, "\(alerts.map(\.message))")
        #expect(content[0][.library] == path)
        #expect(content[0][.object] == "library")
        #expect(content[0][.sha256] == now)
        #expect(content[0].pid == 0)
        #expect(content[0][.pid] == nil)
        #expect(alerts.count == 2, "\(alerts.map(\.message))")
    }

    /// Another file mounted over the path: the mapped name is intact (no
    /// suffix) but names another file, `replaced`.
    @Test func replacedByAMountOverThePath() throws {
        let stage = try Stage("lib-replaced")
        let harness = stage.harness
        let child = try stage.start()
        defer { child.stop() }
        _ = try harness.cycle()

        let other = stage.scratch.appending("other.so")
        try TestFile.copy(Self.libz, to: other, appending: Array("other".utf8))
        let mount = try ToolRun.run(["mount", "--bind", other.description, stage.library.description])
        try #require(mount.succeeded, "\(mount.summary)")
        defer { _ = try? ToolRun.run(["umount", stage.library.description]) }

        let (report, alerts) = try harness.cycle()
        let object = try #require(try report.require(pid: child.pid).objects.first { $0.path == stage.library })
        #expect(object.state == .replaced)
        let mismatch = alerts.filter { $0.rule == .libraryMismatch }
        try #require(mismatch.count == 1, "\(alerts.map(\.message))")
        #expect(mismatch[0][.reason] == "replaced")
        #expect(mismatch[0].message.description.contains("replaced"), "\(mismatch[0].message)")
        try Self.expectNewFileAtPath(stage.library, mismatch: mismatch[0], alerts: alerts)
    }

    /// 50 processes mapping one deleted library: one alert, with the count
    /// and the lowest pid.
    @Test func manyProcessesOneDeletedLibraryOneAlert() throws {
        let stage = try Stage("lib-many")
        let harness = stage.harness
        var children: [ChildProcess] = []
        defer { for child in children { child.stop() } }
        for _ in 0..<50 { children.append(try stage.start()) }
        _ = try harness.cycle()

        try TestFile.unlink(stage.library)
        let (_, alerts) = try harness.cycle()
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        #expect(alerts[0].rule == .libraryMismatch)
        #expect(alerts[0][.processCount] == "50")
        #expect(alerts[0].pid == children.map(\.pid).min())
        #expect(alerts[0].message.description.contains("and 49 other processes"), "\(alerts[0].message)")
    }

    /// A library from a directory under `UntrustedCodePaths` is high,
    /// as `untrusted_code` naming the library; `UntrustedCodeAllow` lets it be.
    @Test(arguments: [false, true])
    func libraryFromUntrustedPath(allowed: Bool) throws {
        let stage = try Stage("lib-untrusted", libraryDirectory: "drop")
        var settings = stage.settings
        settings.untrustedCodePaths = [stage.scratch.path + "/drop/*"]
        settings.untrustedCodeAllow = allowed ? [stage.library.description] : []
        let harness = RuleHarness(watching: stage.scratch.path + "/", settings: settings)
        let child = try stage.start()
        defer { child.stop() }

        let (_, alerts) = try harness.cycle()
        if allowed {
            #expect(alerts.isEmpty, "\(alerts.map(\.message))")
            return
        }
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        #expect(alerts[0].rule == .untrustedCode)
        #expect(alerts[0].severity == .high)
        #expect(alerts[0][.object] == "library")
        #expect(alerts[0][.library] == stage.library)
        #expect(alerts[0].pid == child.pid)
    }

    /// A library loaded from a memfd (python's ctypes over /proc/self/fd) is
    /// untrusted code; a memfd name matching `MemfdMapAllow` is not.
    @Test(arguments: [false, true])
    func libraryFromMemfd(allowed: Bool) throws {
        let scratch = try ScratchDirectory("lib-memfd")
        let python = scratch.appending("python3")
        try TestFile.copy("/usr/bin/python3", to: python)
        let script = """
            import ctypes, os, sys, time
            fd = os.memfd_create("pwlib-test")
            os.write(fd, open(sys.argv[1], "rb").read())
            ctypes.CDLL("/proc/self/fd/%d" % fd)
            print("loaded", flush=True)
            time.sleep(600)
            """
        var settings = RuleHarness.testSettings
        settings.memfdMapAllow = allowed ? ["pwlib-*"] : ["doublemapper*"]
        let harness = RuleHarness(watching: scratch.path + "/", settings: settings)
        let child = try ChildProcess(python, ["python3", "-c", ByteString(script), Self.libz]) {
            $0.stdout.contains("loaded")
        }
        defer { child.stop() }

        let (report, alerts) = try harness.cycle()
        let object = try #require(try report.require(pid: child.pid).objects.first { $0.state == .memfd })
        #expect(object.memfdName == "pwlib-test")
        let mine = alerts.filter { $0.pid == child.pid }
        if allowed {
            #expect(mine.isEmpty, "\(mine.map(\.message))")
            return
        }
        try #require(mine.count == 1, "\(alerts.map(\.message))")
        #expect(mine[0].rule == .untrustedCode)
        #expect(mine[0][.memfdName] == "pwlib-test")
        #expect(mine[0][.library] == "/memfd:pwlib-test")
    }

    /// Every process on this machine, with the default settings: no
    /// library alert for any process this test did not start. The only
    /// exclusions are processes running code staged by procwarden's own
    /// tests (another run's ScratchDirectory, /tmp/procwarden-*).
    @Test func ordinaryProcessesRaiseNoLibraryAlert() throws {
        var limits = ScanLimits()
        // Object rules need no digests; nothing on the machine is hashed.
        limits.maxFileSize = 1 << 10
        limits.maxHashSize = 1 << 10
        let scanner = Scanner.forTests(limits)
        let report = scanner.scan()
        var store = BaselineStore()
        let alerts = RulesEngine(settings: RuleSettings()).evaluate(report.processes, baselines: &store, now: 0)
        let byPid = Dictionary(report.processes.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        let staged = Array("/tmp/procwarden-".utf8)
        let library = Self.objectAlerts(alerts).filter { alert in
            guard let record = byPid[alert.pid] else { return true }
            let paths = [record.exe].compactMap { $0 } + record.objects.map(\.path)
            return !paths.contains { $0.bytes.starts(with: staged) }
        }
        #expect(report.processes.contains { !$0.objects.isEmpty }, "no process had objects")
        #expect(library.isEmpty, "\(library.map(\.message))")
    }

    /// `ld-linux-x86-64.so.2 ./payload`: the exe is the loader, intact; the
    /// payload is the loaded program, and deleting it is disk_mismatch
    /// (high) with PROCWARDEN_OBJECT=loaded_program, not a library finding.
    @Test func programRunThroughTheLoaderThenDeleted() throws {
        let scratch = try ScratchDirectory("loader")
        let loader = scratch.appending("ld-linux-x86-64.so.2")
        try TestFile.copy("/lib64/ld-linux-x86-64.so.2", to: loader)
        let payload = scratch.appending("payload")
        try TestFile.copy(Self.sleep, to: payload)
        let harness = RuleHarness(watching: scratch.path + "/")
        let child = try ChildProcess(loader, ["ld-linux-x86-64.so.2", payload, "600"]) {
            SharedObjectTests.maps($0.pid).contains(payload.description)
        }
        defer { child.stop() }

        let (before, quiet) = try harness.cycle()
        let record = try before.require(pid: child.pid)
        #expect(record.exe == loader)
        #expect(record.loadedProgram?.path == payload)
        #expect(record.loadedProgram?.state == .onDisk)
        #expect(quiet.isEmpty, "\(quiet.map(\.message))")

        try TestFile.unlink(payload)
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: child.pid).loadedProgram?.state == .deleted)
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        #expect(alerts[0].rule == .diskMismatch)
        #expect(alerts[0].severity == .high)
        #expect(alerts[0][.object] == "loaded_program")
        #expect(alerts[0][.library] == payload)
        #expect(alerts[0][.exe] == loader)
        #expect(alerts[0][.reason] == "deleted")
        #expect(alerts[0].message.description.contains(payload.description), "\(alerts[0].message)")
    }

    /// `LD_PRELOAD` (SPEC §3 integrity.preload): an object under
    /// `UntrustedCodePaths` is high (and its mapping untrusted_code), a
    /// system library medium, one matching `PreloadAllow` nothing.
    @Test(arguments: ["untrusted", "system", "allowed"])
    func preloadFromTheEnvironment(kind: String) throws {
        let stage = try Stage("preload", libraryDirectory: "drop")
        let preloaded = kind == "system" ? Self.libz : stage.library
        var settings = RuleHarness.testSettings
        settings.untrustedCodePaths = [stage.scratch.path + "/drop/*"]
        settings.preloadAllow = kind == "allowed" ? ["/tmp/procwarden-preload.*/drop/libpwz.so*"] : []
        let harness = RuleHarness(watching: stage.scratch.path + "/", settings: settings)
        let child = try ChildProcess(
            stage.exe, ["sleep", "600"], environment: Spawn.environment(["LD_PRELOAD": preloaded.description])
        ) { SharedObjectTests.maps($0.pid).contains(preloaded.description) }
        defer { child.stop() }

        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: child.pid).preload == preloaded)
        let preload = alerts.filter { $0.rule == .preload }
        if kind == "allowed" {
            #expect(preload.isEmpty, "\(alerts.map(\.message))")
            return
        }
        try #require(preload.count == 1, "\(alerts.map(\.message))")
        #expect(preload[0].pid == child.pid)
        #expect(preload[0][.preload] == preloaded)
        #expect(preload[0].severity == (kind == "untrusted" ? .high : .medium))
        #expect(preload[0][.severity] == ByteString(kind == "untrusted" ? "high" : "medium"))
        #expect(preload[0].message.description.contains(preloaded.description), "\(preload[0].message)")
        let untrusted = alerts.filter { $0.rule == .untrustedCode }
        #expect(untrusted.count == (kind == "untrusted" ? 1 : 0), "\(alerts.map(\.message))")
    }
}

extension SharedObjectTests {
    /// Library content has baselines like executables (SPEC §2): a mapped
    /// library whose file is rewritten in place between scans raises
    /// binary_change (entirely different content) or binary_update (a few
    /// bytes appended), with PROCWARDEN_OBJECT=library and the path.
    @Test(arguments: [false, true])
    func libraryContentChange(small: Bool) throws {
        let stage = try Stage("lib-content")
        let harness = stage.harness
        let child = try stage.start()
        defer { child.stop() }

        let (first, quiet) = try harness.cycle()
        let key = try #require(try first.require(pid: child.pid).objects.first { $0.path == stage.library }?.fileKey)
        let file = try #require(first.objectFiles[key])
        #expect(file.isMapped)
        #expect(file.digest?.sha256 == (try ReferenceDigest.sha256(stage.library)))
        #expect(first.summary.objectsHashed >= 1)
        #expect(quiet.isEmpty, "\(quiet.map(\.message))")

        // Written in place (a library, unlike a running exe, is not
        // protected by ETXTBSY): same inode, the mapping stays on_disk.
        let content = try TestFile.read(Self.libz)
        let rewritten =
            small ? content + Array("appended".utf8) : DeterministicBytes.make(count: content.count, seed: 7)
        try TestFile.overwrite(stage.library, with: rewritten)

        let (_, alerts) = try harness.cycle()
        let mine = Self.objectAlerts(alerts)
        try #require(mine.count == 1, "\(alerts.map(\.message))")
        #expect(mine[0].rule == (small ? .binaryUpdate : .binaryChange))
        #expect(mine[0][.library] == stage.library)
        #expect(mine[0][.object] == "library")
        #expect(mine[0].pid == child.pid)
        #expect(mine[0][.sha256] == ByteString(try ReferenceDigest.sha256(stage.library)))
        #expect(mine[0].message.description.contains("library \(stage.library)"), "\(mine[0].message)")
    }
}
