import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// SPEC §2 Roots on real chroots and mount namespaces: the kernel prints
/// /proc/<pid>/exe relative to the reader's root, so routine chroots must
/// be on_disk (no alert), and a real replacement inside one must still alert.
@Suite(.serialized)
struct RootClassificationTests {
    /// debootstrap/sbuild/schroot style: a tree of copies, a process exec'd
    /// in it by chroot(8), and another entered with `nsenter --root`. Both
    /// are on_disk, alert-free, and their baseline is the host path.
    @Test func processInAChrootIsOnDiskThenAReplacementAlerts() throws {
        let scratch = try ScratchDirectory("chroot")
        let exe = try ChrootTree.populate(scratch.path, with: "/bin/sleep")
        let harness = RuleHarness(watching: scratch.path + "/")
        let chrooted = try ChildProcess(["chroot", scratch.path, "/bin/sleep", "600"]) { $0.exeLink == exe }
        defer { chrooted.stop() }
        let entered = try ChildProcess(["nsenter", "-t", String(chrooted.pid), "--root", "/bin/sleep", "600"]) {
            $0.exeLink == exe
        }
        defer { entered.stop() }
        #expect(ChrootTree.rootLink(of: chrooted.pid) == ByteString(scratch.path), "precondition: chrooted")

        let (report, alerts) = try harness.cycle()
        for child in [chrooted, entered] {
            let record = try report.require(pid: child.pid)
            #expect(record.exeState == .onDisk)
            #expect(record.exe == exe)
            #expect(record.keyRoot == nil, "resolved under the host's root, keyed by its host path")
            #expect(record.digest?.sha256 == (try ReferenceDigest.sha256(exe)))
            // Its libraries are the tree's copies, found as the exe is.
            let libraries = record.objects.filter { $0.path.bytes.starts(with: Array(scratch.path.utf8)) }
            #expect(libraries.count >= 2, "\(record.objects.map(\.path))")
            #expect(libraries.allSatisfy { $0.state == .onDisk && $0.keyRoot == nil }, "\(libraries)")
        }
        #expect(alerts.isEmpty, "\(alerts.map(\.message))")
        #expect(harness.monitor.state.baselines[BaselineKey(path: exe)]?.sha256 == (try ReferenceDigest.sha256(exe)))
        // The exe and the tree's libraries, each keyed by its host path.
        let keys = harness.monitor.state.baselines.entries.keys
        #expect(keys.allSatisfy { $0.root == nil && $0.path.bytes.starts(with: Array(scratch.path.utf8)) }, "\(keys)")
        let libraries = try report.require(pid: chrooted.pid).objects.filter {
            $0.path.bytes.starts(with: Array(scratch.path.utf8)) && $0.path != exe
        }
        #expect(keys.count == 1 + Set(libraries.map(\.path)).count, "\(keys)")
        let context = ProcessContextReader().read(try report.require(pid: chrooted.pid))
        #expect(context?.root == ByteString(scratch.path))

        // Really replaced inside the chroot (the old image kept by a hard
        // link, the new one renamed over it): disk_mismatch, naming the root.
        try TestFile.makeDirectory(ByteString(scratch("keep")))
        try TestFile.link(exe, ByteString(scratch("keep/sleep")))
        try TestFile.install(DeterministicBytes.make(count: 40_000, seed: 19), at: exe)
        let (after, raised) = try harness.cycle()
        #expect(try after.require(pid: chrooted.pid).exeState == .replaced)
        let mismatch = raised.filter { $0.rule == .diskMismatch && $0.pid == chrooted.pid }
        try #require(mismatch.count == 1, "\(raised.map(\.message))")
        #expect(mismatch[0][.reason] == "replaced")
        #expect(mismatch[0][.exe] == exe)
        #expect(mismatch[0][.root] == ByteString(scratch.path))
        #expect(mismatch[0][.onDiskSha256] == ByteString(try ReferenceDigest.sha256(exe)))
        #expect(
            mismatch[0].message
                == ByteString(
                    "sleep[\(chrooted.pid)]: running executable \(exe) was replaced on disk (root \(scratch.path))"))
        #expect(raised.contains { $0.rule == .diskMismatch && $0.pid == entered.pid })
    }

    /// A daemon that chroots itself after exec (sshd's privilege separation
    /// child, named, postfix, vsftpd) into an empty directory, and one that
    /// does so in a mount namespace of its own (`unshare -m`): on_disk, no
    /// alert. perl stands in for the daemon: it is in every Debian base system.
    @Test(arguments: [false, true])
    func processThatChrootsItselfIsOnDisk(unshare: Bool) throws {
        let scratch = try ScratchDirectory("selfchroot")
        let empty = try scratch.makeDirectory("empty")
        let perl: ByteString = "/usr/bin/perl"
        try #require(TestFile.exists(perl), "perl-base is missing")
        let script = "chroot($ARGV[0]) or die \"chroot: $!\"; chdir \"/\"; sleep 600"
        let argv = (unshare ? ["unshare", "-m"] : []) + ["perl", "-e", script, empty]
        let child = try ChildProcess(argv) { ChrootTree.rootLink(of: $0.pid) == ByteString(empty) }
        defer { child.stop() }
        #expect(child.exeLink == perl, "precondition: the kernel shows the host path")

        let harness = RuleHarness(watching: "/usr/bin/perl")
        let (report, alerts) = try harness.cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.exe == perl)
        #expect(record.keyRoot == nil)
        #expect(!alerts.contains { $0.pid == child.pid }, "\(alerts.map(\.message))")
        let context = try #require(ProcessContextReader().read(record))
        #expect(context.root != nil, "a chroot says where")
        if !unshare { #expect(context.root == ByteString(empty)) }
    }

    /// A mount namespace of its own on the host's root mount (what a
    /// service's PrivateTmp= gives it) says nothing about its root: no
    /// PROCWARDEN_ROOT. A container's root mount would (see the e2e test).
    @Test func ownMountNamespaceOnTheHostRootHasNoRoot() throws {
        let scratch = try ScratchDirectory("ownns")
        let exe = scratch.appending("pwns")
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(["unshare", "-m", "--propagation", "private", exe.description, "600"]) {
            $0.exeLink == exe
        }
        defer { child.stop() }
        #expect(ChildProcess.namespace("mnt", of: child.pid) != ChildProcess.namespace("mnt", of: getpid()))

        let (report, alerts) = try RuleHarness(watching: scratch.path + "/").cycle()
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(alerts.isEmpty, "\(alerts.map(\.message))")
        let context = try #require(ProcessContextReader().read(record))
        #expect(context.root == nil)
    }
}
