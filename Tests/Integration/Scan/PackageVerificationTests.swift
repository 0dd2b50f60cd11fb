import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// Package verification (SPEC §2, §3 package_mismatch and restart_needed)
/// with the real dpkg on a scratch root (never this machine's database) and
/// real processes running in it as in a container: a private mount
/// namespace whose root is the scratch root (pivot_root), so the kernel
/// prints their paths as the root's own and the scan resolves them there.
/// `VerifyOtherRoots=yes` lets the scan use that root's database.
@Suite(.serialized)
struct PackageVerificationTests {
    /// A scratch root with sleep's libraries, a package `pwpkg` holding a
    /// copy of sleep and a copy of libz under `directory`, and processes
    /// started in it.
    final class Stage {
        let dpkg: DpkgScratchRoot
        /// e.g. /usr/lib/pwpkg-XXXXXX, unique per test so that no other
        /// run's processes fall under the harness's prefix.
        let directory: String
        var exe: String { directory + "/pwsleep" }
        var library: String { directory + "/libpwz.so.1" }
        var children: [ChildProcess] = []

        init(_ label: String) throws {
            dpkg = try DpkgScratchRoot(label)
            directory = "/usr/lib/" + label + "-" + String(UInt32.random(in: 0..<UInt32.max), radix: 16)
            try ChrootTree.populate(dpkg.root, with: "/bin/sleep")
            _ = try dpkg.scratch.makeDirectory("root/old")
            _ = try dpkg.scratch.makeDirectory("src")
        }

        deinit { for child in children { child.stop() } }

        /// Builds `pwpkg` at `version`: sleep and libz, each with the
        /// version appended so every version has its own digests.
        func build(_ version: String) throws -> String {
            let exe = dpkg.scratch("src/pwsleep-\(version)")
            let library = dpkg.scratch("src/libpwz-\(version)")
            try TestFile.copy("/bin/sleep", to: ByteString(exe), appending: Array("v\(version)".utf8))
            try TestFile.copy(
                "/usr/lib/x86_64-linux-gnu/libz.so.1", to: ByteString(library), appending: Array("v\(version)".utf8))
            return try dpkg.build(
                "pwpkg", version: version,
                files: [String(self.exe.dropFirst()): exe, String(self.library.dropFirst()): library])
        }

        /// `pwsleep 600` inside the root, with the library preloaded when
        /// `preload` is set; returns once it runs.
        func start(preload: Bool = false) throws -> ChildProcess {
            let root = dpkg.root
            let environment = preload ? "export LD_PRELOAD=\(library); " : ""
            let script =
                "mount --bind \(root) \(root) && cd \(root) && pivot_root . old && \(environment)exec \(exe) 600"
            let target = ByteString(exe)
            let library = self.library
            let child = try ChildProcess(["unshare", "--mount", "--propagation", "private", "sh", "-c", script]) {
                $0.exeLink == target && (!preload || SharedObjectTests.maps($0.pid).contains(library))
            }
            children.append(child)
            return child
        }

        /// Writes other bytes over the installed exe in place: the file
        /// dpkg recorded no longer matches.
        func tamper() throws {
            let path = ByteString(dpkg.root + exe)
            try TestFile.overwrite(path, with: Array("tampered".utf8))
        }

        func harness(settings: RuleSettings = RuleHarness.testSettings) -> RuleHarness {
            var limits = ScanLimits()
            limits.verifyOtherRoots = true
            return RuleHarness(watching: directory + "/", limits: limits, settings: settings)
        }
    }

    static func only(_ rule: AlertRule, _ alerts: [Alert]) -> [Alert] { alerts.filter { $0.rule == rule } }

    /// A routine upgrade of a running program: nothing while dpkg is at
    /// work (unpacked, not configured), then restart_needed (low) naming
    /// package and both versions, and the new content as binary_update;
    /// never disk_mismatch or package_mismatch.
    @Test func anUpgradeIsRestartNeededNotAMismatch() throws {
        let stage = try Stage("pwpkg-upgrade")
        try stage.dpkg.install(try stage.build("1.0"))
        let child = try stage.start()
        let harness = stage.harness()

        let (before, quiet) = try harness.cycle()
        let record = try before.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.keyRoot != nil, "resolved under the scratch root")
        #expect(record.package?.package == "pwpkg")
        #expect(record.package?.version == "1.0")
        #expect(record.package?.verified == true)
        #expect(record.digest?.md5 == (try DpkgScratchRoot.md5(stage.dpkg.root + stage.exe)))
        let json = record.json.text
        #expect(json.contains(#""package":"pwpkg","package_version":"1.0","package_verified":true"#), "\(json)")
        #expect(quiet.isEmpty, "\(quiet.map(\.message))")

        try stage.dpkg.unpack(try stage.build("2.0"))
        let (during, waiting) = try harness.cycle()
        #expect(try during.require(pid: child.pid).exeState == .deleted)
        #expect(waiting.isEmpty, "dpkg is at work: \(waiting.map(\.message))")

        try stage.dpkg.configure("pwpkg")
        let (_, alerts) = try harness.cycle()
        #expect(Self.only(.diskMismatch, alerts).isEmpty, "\(alerts.map(\.message))")
        #expect(Self.only(.packageMismatch, alerts).isEmpty, "\(alerts.map(\.message))")
        let restart = Self.only(.restartNeeded, alerts)
        try #require(restart.count == 1, "\(alerts.map(\.message))")
        #expect(restart[0].severity == .low)
        #expect(restart[0].pid == child.pid)
        #expect(restart[0][.package] == "pwpkg")
        #expect(restart[0][.packageVersion] == "2.0")
        #expect(restart[0][.packageOldVersion] == "1.0")
        #expect(restart[0][.packageVerified] == "yes")
        #expect(
            restart[0].message.description.contains(
                "still runs the previous \(stage.exe); pwpkg 2.0 replaced it (was 1.0); restart to load it"),
            "\(restart[0].message)")
        let update = Self.only(.binaryUpdate, alerts).filter { $0[.exe] == ByteString(stage.exe) }
        #expect(update.count == 1, "\(alerts.map(\.message))")
        #expect(update.first?[.packageVerified] == "yes")

        // Still running the old image next scan: still restart_needed.
        let (_, again) = try harness.cycle()
        #expect(Self.only(.restartNeeded, again).count == 1, "\(again.map(\.message))")
        #expect(Self.only(.diskMismatch, again).isEmpty, "\(again.map(\.message))")
    }

    /// The same file moved over a running binary without dpkg (no new
    /// version in status) is the attack it looks like: disk_mismatch.
    @Test func aFileMovedOverWithoutAnUpgradeIsAMismatch() throws {
        let stage = try Stage("pwpkg-moved")
        try stage.dpkg.install(try stage.build("1.0"))
        let child = try stage.start()
        let harness = stage.harness()
        _ = try harness.cycle()

        // Another copy of the very bytes dpkg installed, renamed over it.
        let installed = ByteString(stage.dpkg.root + stage.exe)
        try TestFile.install(try TestFile.read(installed), at: installed)
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: child.pid).exeState == .deleted)
        #expect(Self.only(.restartNeeded, alerts).isEmpty, "\(alerts.map(\.message))")
        let mismatch = Self.only(.diskMismatch, alerts)
        try #require(mismatch.count == 1, "\(alerts.map(\.message))")
        #expect(mismatch[0].pid == child.pid)
    }

    /// Packaged content modified outside dpkg: package_mismatch (high) for
    /// a process running it, and for the file at the path of one that runs
    /// the old image (naming no process); the old process is disk_mismatch,
    /// since no package explains what is at its path.
    @Test func tamperedPackagedFilesArePackageMismatch() throws {
        let stage = try Stage("pwpkg-tamper")
        try stage.dpkg.install(try stage.build("1.0"))
        let old = try stage.start()
        let harness = stage.harness()
        _ = try harness.cycle()

        // A rename-over with other bytes, as an attacker swaps a binary.
        let installed = ByteString(stage.dpkg.root + stage.exe)
        try TestFile.install(try TestFile.read(installed) + Array("implant".utf8), at: installed)
        let fresh = try stage.start()
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: fresh.pid).package?.verified == false)
        let mismatch = Self.only(.packageMismatch, alerts)
        try #require(mismatch.count == 1, "\(alerts.map(\.message))")
        #expect(mismatch[0].severity == .high)
        #expect(mismatch[0].pid == fresh.pid)
        #expect(mismatch[0][.packageVerified] == "no")
        #expect(mismatch[0][.package] == "pwpkg")
        #expect(mismatch[0].message.description.contains("not a security proof"), "\(mismatch[0].message)")
        let disk = Self.only(.diskMismatch, alerts)
        #expect(disk.count == 1 && disk.first?.pid == old.pid, "\(alerts.map(\.message))")
        #expect(Self.only(.restartNeeded, alerts).isEmpty, "\(alerts.map(\.message))")
        // A content change the package does not verify is judged by
        // similarity as before (a few bytes appended: an update).
        #expect(Self.only(.binaryUpdate, alerts).allSatisfy { $0[.packageVerified] == "no" })
    }

    /// A preloaded library its package upgraded: restart_needed with
    /// PROCWARDEN_OBJECT=library instead of library_mismatch.
    @Test func anUpgradedLibraryIsRestartNeeded() throws {
        let stage = try Stage("pwpkg-library")
        try stage.dpkg.install(try stage.build("1.0"))
        let child = try stage.start(preload: true)
        var settings = RuleHarness.testSettings
        settings.preloadAllow = [stage.library]
        let harness = stage.harness(settings: settings)
        let (before, quiet) = try harness.cycle()
        let object = try #require(
            try before.require(pid: child.pid).objects.first { $0.path == ByteString(stage.library) })
        let file = try #require(object.fileKey.flatMap { before.objectFiles[$0] })
        #expect(file.package?.verified == true)
        #expect(quiet.isEmpty, "\(quiet.map(\.message))")
        // ListObjects' package columns.
        let listed = ObjectInventory(before).objects.first { $0.path == ByteString(stage.library) }
        #expect(listed?.package == "pwpkg")
        #expect(listed?.packageVerified == true)

        try stage.dpkg.install(try stage.build("2.0"))
        let (_, alerts) = try harness.cycle()
        #expect(Self.only(.libraryMismatch, alerts).isEmpty, "\(alerts.map(\.message))")
        let restart = Self.only(.restartNeeded, alerts).filter { $0[.object] == "library" }
        try #require(restart.count == 1, "\(alerts.map(\.message))")
        #expect(restart[0][.library] == ByteString(stage.library))
        #expect(restart[0][.packageOldVersion] == "1.0")
        #expect(restart[0][.packageVersion] == "2.0")
        #expect(restart[0].pid == child.pid)
    }

    /// Without `VerifyOtherRoots` a container's database is not used: no
    /// verdict, and an upgrade inside it is the mismatch it looks like.
    @Test func anotherRootsDatabaseIsIgnoredByDefault() throws {
        let stage = try Stage("pwpkg-default")
        try stage.dpkg.install(try stage.build("1.0"))
        let child = try stage.start()
        let harness = RuleHarness(watching: stage.directory + "/")
        let (report, _) = try harness.cycle()
        #expect(try report.require(pid: child.pid).package == nil)
        try stage.dpkg.install(try stage.build("2.0"))
        let (_, alerts) = try harness.cycle()
        #expect(Self.only(.diskMismatch, alerts).count == 1, "\(alerts.map(\.message))")
    }
}

extension PackageVerificationTests {
    /// A new process started from the upgraded package raises nothing, and
    /// a library modified outside dpkg is package_mismatch for the process
    /// that maps it.
    @Test func aFreshProcessIsQuietAndATamperedLibraryIsPackageMismatch() throws {
        let stage = try Stage("pwpkg-fresh")
        try stage.dpkg.install(try stage.build("1.0"))
        _ = try stage.start(preload: true)
        var settings = RuleHarness.testSettings
        settings.preloadAllow = [stage.library]
        let harness = stage.harness(settings: settings)
        _ = try harness.cycle()
        try stage.dpkg.install(try stage.build("2.0"))
        _ = try harness.cycle()
        let fresh = try stage.start(preload: true)
        let (report, alerts) = try harness.cycle()
        #expect(try report.require(pid: fresh.pid).package?.verified == true)
        #expect(alerts.allSatisfy { $0.pid != fresh.pid }, "\(alerts.map(\.message))")

        // libz's bytes replaced in place, same size: the mapping stays on disk.
        let library = ByteString(stage.dpkg.root + stage.library)
        let bytes = try TestFile.read(library)
        try TestFile.overwrite(library, with: Array(bytes.reversed()))
        let (_, tampered) = try harness.cycle()
        let mismatch = Self.only(.packageMismatch, tampered).filter { $0[.object] == "library" }
        try #require(mismatch.count == 1, "\(tampered.map(\.message))")
        #expect(mismatch[0][.library] == ByteString(stage.library))
        #expect(mismatch[0][.packageVerified] == "no")
        #expect(mismatch[0].severity == .high)
    }

    /// Merged /usr: dpkg lists /bin/x, the kernel prints /usr/bin/x (bin is
    /// a symlink in the root): the same file, found and verified.
    @Test func mergedUsrPathsAreOneFile() throws {
        let stage = try Stage("pwpkg-usrmerge")
        let exe = stage.dpkg.scratch("src/pwusr")
        try TestFile.copy("/bin/sleep", to: ByteString(exe), appending: Array("usr".utf8))
        let name = "pwusr-" + String(UInt32.random(in: 0..<UInt32.max), radix: 16)
        try stage.dpkg.install(try stage.dpkg.build("pwusr", version: "1", files: ["bin/\(name)": exe]))
        let root = stage.dpkg.root
        let script = "mount --bind \(root) \(root) && cd \(root) && pivot_root . old && exec /usr/bin/\(name) 600"
        let target = ByteString("/usr/bin/\(name)")
        let child = try ChildProcess(["unshare", "--mount", "--propagation", "private", "sh", "-c", script]) {
            $0.exeLink == target
        }
        defer { child.stop() }
        var limits = ScanLimits()
        limits.verifyOtherRoots = true
        let harness = RuleHarness(watching: "/usr/bin/\(name)", limits: limits)
        let (report, alerts) = try harness.cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.package?.package == "pwusr")
        #expect(record.package?.verified == true)
        #expect(alerts.isEmpty, "\(alerts.map(\.message))")
    }

    /// A diverted file belongs to the diverting package's record, as dpkg
    /// has it: the diverter's file at the path verifies against the
    /// diverter, not the package it diverted away.
    @Test func aDivertedPathIsTheDivertersFile() throws {
        let stage = try Stage("pwpkg-divert")
        try stage.dpkg.install(try stage.build("1.0"))
        try stage.dpkg.divert(stage.exe, to: stage.exe + ".distrib", package: "pwdivert")
        let replacement = stage.dpkg.scratch("src/pwdivert")
        try TestFile.copy("/bin/sleep", to: ByteString(replacement), appending: Array("diverter".utf8))
        try stage.dpkg.install(
            try stage.dpkg.build("pwdivert", version: "7", files: [String(stage.exe.dropFirst()): replacement]))
        let child = try stage.start()
        let (report, alerts) = try stage.harness().cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.package?.package == "pwdivert")
        #expect(record.package?.version == "7")
        #expect(record.package?.verified == true)
        #expect(alerts.isEmpty, "\(alerts.map(\.message))")
    }

    /// A corrupt database: a truncated `status`, garbage in the package's
    /// `.md5sums`, a `.list` cut short. No crash, no false
    /// package_mismatch; what cannot be read is a null verdict.
    @Test(arguments: ["status", "md5sums", "list"])
    func aCorruptDatabaseNeverRaisesAFalseMismatch(file: String) throws {
        let stage = try Stage("pwpkg-corrupt")
        try stage.dpkg.install(try stage.build("1.0"))
        let admin = stage.dpkg.root + "/var/lib/dpkg"
        let path: String
        switch file {
        case "status": path = admin + "/status"
        case "md5sums": path = admin + "/info/pwpkg.md5sums"
        default: path = admin + "/info/pwpkg.list"
        }
        let bytes = try TestFile.read(ByteString(path))
        let damaged: [UInt8] =
            file == "md5sums"
            ? Array("zz not a digest  \(stage.exe.dropFirst())\n\u{1}\u{2}\n".utf8)
            : Array(bytes.prefix(bytes.count / 2)) + [0xff, 0x00, 0x0a]
        try TestFile.unlink(ByteString(path))
        try TestFile.write(damaged, to: ByteString(path), mode: 0o644)

        let child = try stage.start()
        let harness = stage.harness()
        let (report, alerts) = try harness.cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.package?.verified != false, "\(String(describing: record.package))")
        #expect(Self.only(.packageMismatch, alerts).isEmpty, "\(alerts.map(\.message))")
        if file == "md5sums" {
            #expect(record.package?.verified == nil, "\(String(describing: record.package))")
        }
        if file != "list" {
            // One warning (PROCWARDEN_WARNING=packages) names the damage;
            // a list cut short just lists fewer files.
            let problems = harness.monitor.scanner.packageProblemsWarned
            #expect(problems.contains { $0.contains("/var/lib/dpkg") }, "\(problems)")
        }
    }
}
