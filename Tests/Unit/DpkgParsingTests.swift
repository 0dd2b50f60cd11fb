import Testing

@testable import ProcWardenKit

/// dpkg's status, md5sums and diversions formats, including damage.
@Suite struct DpkgParsingTests {
    @Test func statusStanzasStatesAndConffiles() {
        let status = """
            Package: openssh-server
            Status: install ok installed
            Priority: optional
            Architecture: amd64
            Version: 1:9.2p1-2+deb12u3
            Conffiles:
             /etc/ssh/moduli 8f3b obsolete
             /etc/ssh/sshd_config 1a2b
            Description: secure shell (SSH) server
             multi-line description: Package: not-a-package

            Package: libc6
            Status: install ok unpacked
            Architecture: amd64
            Multi-Arch: same
            Version: 2.36-9

            Status: install ok installed
            Version: 1.0

            Package: gone
            Status: deinstall ok config-files
            Version: 3
            """
        let (packages, malformed) = DpkgStatus.parse(Array(status.utf8))
        #expect(packages.map(\.name) == ["openssh-server", "libc6", "gone"])
        #expect(malformed == 1, "a stanza without Package:")
        let ssh = packages[0]
        #expect(ssh.version == "1:9.2p1-2+deb12u3" && ssh.isInstalled)
        #expect(ssh.conffiles == ["/etc/ssh/moduli", "/etc/ssh/sshd_config"])
        #expect(!packages[1].isInstalled && packages[1].state == "unpacked")
        #expect(packages[1].infoStems == ["libc6:amd64", "libc6"])
        #expect(!packages[2].hasFiles)
    }

    @Test func md5sumsLines() {
        let sums = Array(
            """
            0123456789abcdef0123456789abcdef  usr/bin/tool
            ZZZ3456789abcdef0123456789abcdef  usr/bin/bad
            fedcba9876543210fedcba9876543210  /usr/lib/abs.so
            short  usr/bin/short

            """.utf8)
        #expect(DpkgInfoFiles.md5(of: "/usr/bin/tool", inMd5sums: sums) == "0123456789abcdef0123456789abcdef")
        #expect(DpkgInfoFiles.md5(of: "/usr/bin/bad", inMd5sums: sums) == nil)
        #expect(DpkgInfoFiles.md5(of: "/usr/lib/abs.so", inMd5sums: sums) == "fedcba9876543210fedcba9876543210")
        #expect(DpkgInfoFiles.md5(of: "/usr/bin/short", inMd5sums: sums) == nil)
        #expect(DpkgInfoFiles.md5(of: "/usr/bin/too", inMd5sums: sums) == nil, "no prefix matches")
    }

    @Test func diversionsInThrees() {
        let text = "/usr/bin/a\n/usr/bin/a.orig\npkg\n/usr/bin/b\n/usr/bin/b.local\n:\n/usr/bin/c\n"
        let diversions = DpkgInfoFiles.diversions(Array(text.utf8))
        #expect(diversions.map(\.from) == ["/usr/bin/a", "/usr/bin/b"])
        #expect(diversions[1].isLocal && !diversions[0].isLocal)
    }

    @Test func listedPathsInPlace() {
        var seen: [String] = []
        DpkgInfoFiles.forEachListedPath(Array("/.\n/usr\n\nrelative\n/usr/bin/x".utf8)) {
            seen.append(String(decoding: $0, as: UTF8.self))
        }
        #expect(seen == ["/.", "/usr", "/usr/bin/x"])
    }
}
