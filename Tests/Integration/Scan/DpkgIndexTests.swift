import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// The dpkg database reader against databases the real dpkg wrote, in
/// scratch roots (never the host's database): ownership, version, state,
/// recorded MD5s, merged /usr, diversions, conffiles, upgrades and damage.
@Suite(.serialized) struct DpkgIndexTests {
    static let binary = "/usr/bin/sleep"
    static let library = "/usr/lib/x86_64-linux-gnu/libz.so.1"

    @Test func ownerVersionAndRecordedDigestOfInstalledFiles() throws {
        let root = try DpkgScratchRoot()
        try root.install(
            try root.build(
                "pwtest", version: "1.0",
                files: [
                    "usr/bin/pwtest": Self.binary, "usr/lib/x86_64-linux-gnu/libpwtest.so.1": Self.library,
                    "bin/pwlegacy": Self.binary, "etc/pwtest.conf": "/etc/hostname",
                ], conffiles: ["/etc/pwtest.conf"]))
        let index = DpkgIndex(root: root.root)
        let md5 = try DpkgScratchRoot.md5(Self.binary)

        let binary = try #require(index.owner(of: "/usr/bin/pwtest"))
        #expect(binary == .init(package: "pwtest", version: "1.0", installed: true, md5: md5, isConffile: false))
        #expect(index.owner(of: "/bin/pwtest") == binary, "merged /usr: one file")
        let library = try #require(index.owner(of: "/usr/lib/x86_64-linux-gnu/libpwtest.so.1"))
        let libraryMD5 = try DpkgScratchRoot.md5(Self.library)
        #expect(library.md5 == libraryMD5)
        // Listed by dpkg as /bin/pwlegacy, printed by the kernel as /usr/bin/pwlegacy.
        #expect(index.owner(of: "/usr/bin/pwlegacy")?.md5 == md5)
        let conffile = try #require(index.owner(of: "/etc/pwtest.conf"))
        #expect(conffile.isConffile && conffile.md5 == nil, "a conffile is the admin's: no verdict")
        #expect(index.owner(of: "/usr/bin/unowned") == nil)
        #expect(index.problems.isEmpty, "\(index.problems)")
    }

    @Test func anUpgradeIsSeenWhenStatusChanges() throws {
        let root = try DpkgScratchRoot()
        try root.install(try root.build("pwtest", version: "1.0", files: ["usr/bin/pwtest": Self.binary]))
        let index = DpkgIndex(root: root.root)
        #expect(index.owner(of: "/usr/bin/pwtest")?.version == "1.0")
        try root.install(try root.build("pwtest", version: "2.0", files: ["usr/bin/pwtest": "/usr/bin/true"]))
        let upgraded = try #require(index.owner(of: "/usr/bin/pwtest"))
        #expect(upgraded.version == "2.0" && upgraded.installed)
        let trueMD5 = try DpkgScratchRoot.md5("/usr/bin/true")
        #expect(upgraded.md5 == trueMD5)
    }

    /// dpkg-divert: the file at the diverted path belongs to the diverting
    /// package; the original, moved aside, to its own package.
    @Test func divertedFilesBelongAsDpkgSays() throws {
        let root = try DpkgScratchRoot()
        try root.install(try root.build("pworig", version: "1.0", files: ["usr/bin/pwtool": Self.binary]))
        try root.divert("/usr/bin/pwtool", to: "/usr/bin/pwtool.orig", package: "pwdivert")
        try root.install(try root.build("pwdivert", version: "3.0", files: ["usr/bin/pwtool": "/usr/bin/true"]))
        let index = DpkgIndex(root: root.root)
        let (trueMD5, sleepMD5) = (try DpkgScratchRoot.md5("/usr/bin/true"), try DpkgScratchRoot.md5(Self.binary))
        let diverter = try #require(index.owner(of: "/usr/bin/pwtool"))
        #expect(diverter.package == "pwdivert" && diverter.md5 == trueMD5)
        let original = try #require(index.owner(of: "/usr/bin/pwtool.orig"))
        #expect(original.package == "pworig" && original.md5 == sleepMD5)
    }

    /// Damage never crashes and never invents a digest: a truncated status
    /// keeps what it still names, garbage md5sums give no MD5, a missing
    /// list is a problem to report.
    @Test func damagedDatabasesGiveNoVerdictAndAProblem() throws {
        let root = try DpkgScratchRoot()
        try root.install(try root.build("pwa", version: "1.0", files: ["usr/bin/pwa": Self.binary]))
        try root.install(try root.build("pwb", version: "1.0", files: ["usr/bin/pwb": Self.binary]))
        let info = root.root + "/var/lib/dpkg/info/"
        unlink(info + "pwa.md5sums")
        try TestFile.write(Array("zz not an md5\n\u{0}\u{1}".utf8), to: ByteString(info + "pwa.md5sums"))
        unlink(info + "pwb.list")
        let index = DpkgIndex(root: root.root)
        let a = try #require(index.owner(of: "/usr/bin/pwa"))
        #expect(a.md5 == nil)
        #expect(index.owner(of: "/usr/bin/pwb") == nil)
        #expect(index.problems.contains { $0.contains("pwb") }, "\(index.problems)")

        let status = root.root + "/var/lib/dpkg/status"
        let bytes = try TestFile.read(ByteString(status))
        unlink(status)
        try TestFile.write(Array(bytes.prefix(bytes.count / 3)) + Array("\nGarbage\n\n".utf8), to: ByteString(status))
        _ = index.owner(of: "/usr/bin/pwa")
        #expect(index.problems.contains { $0.contains("malformed") }, "\(index.problems)")
        #expect(index.owner(of: "/usr/bin/nothing") == nil)
    }

    @Test func aRootWithoutDpkgHasNoOwners() throws {
        let scratch = try ScratchDirectory("no-dpkg")
        let index = DpkgIndex(root: scratch.path)
        #expect(!index.exists)
        #expect(index.owner(of: "/usr/bin/sleep") == nil)
        #expect(index.problems.isEmpty)
    }
}
