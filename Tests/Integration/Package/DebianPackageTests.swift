import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// The Debian package `make deb` built into dist/ (SPEC §17), read with the
/// real dpkg-deb: every file of SPEC §11 where systemd, dbus, man and the
/// shells look, with Debian's modes; the configuration a conffile; Depends
/// only Debian libraries; nothing from the build machine's /opt. `make test`
/// runs `make deb` first, so the package is the one this tree builds.
@Suite(.serialized) struct DebianPackageTests {
    static let repository: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // Tests/Integration/Package/DebianPackageTests.swift
        return parts.joined(separator: "/")
    }()

    /// dist/procwarden_<version>_<arch>.deb, the version being the product's.
    static func package(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let arch = try ToolRun.run(["dpkg", "--print-architecture"])
        try #require(arch.succeeded, "\(arch.summary)", sourceLocation: sourceLocation)
        let name =
            "procwarden_\(ProcWarden.version)_\(arch.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)).deb"
        let path = repository + "/dist/" + name
        try #require(access(path, R_OK) == 0, "\(path) missing; run make deb", sourceLocation: sourceLocation)
        return path
    }

    static func dpkgDeb(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try ToolRun.run(["dpkg-deb"] + arguments)
        try #require(run.succeeded, "\(run.summary)", sourceLocation: sourceLocation)
        return run.stdoutText
    }

    /// One line of `dpkg-deb -c`: mode string, owner/group and path
    /// without its leading "." (directories end in "/").
    struct Entry: Equatable {
        var mode: String
        var owner: String
        var path: String
    }

    static func contents() throws -> [String: Entry] {
        var entries: [String: Entry] = [:]
        for line in try dpkgDeb(["-c", try package()]).split(separator: "\n") {
            // -rw-r--r-- root/root  2736 2026-11-27 23:31 ./etc/procwarden/procwarden.conf
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            try #require(fields.count == 6, "unexpected dpkg-deb -c line: \(line)")
            let path = String(fields[5].dropFirst())
            entries[path] = Entry(mode: String(fields[0]), owner: String(fields[1]), path: path)
        }
        return entries
    }

    /// The man pages in man/ as the package holds them, compressed.
    static func manPages() throws -> [String] {
        let list = try ToolRun.run(["ls", repository + "/man"])
        try #require(list.succeeded, "\(list.summary)")
        return list.stdoutText.split(separator: "\n").compactMap { name in
            guard let dot = name.lastIndex(of: "."), let section = Int(name[name.index(after: dot)...]) else {
                return nil
            }
            return "/usr/share/man/man\(section)/\(name).gz"
        }
    }

    static let binaries = ["/usr/bin/procwardend", "/usr/bin/procwardenctl"]

    /// Package path → the repository file it must be byte for byte.
    static let shippedFiles = [
        "/lib/systemd/system/procwarden.service": "systemd/procwarden.service",
        "/usr/lib/sysusers.d/procwarden.conf": "systemd/procwarden.sysusers",
        "/usr/lib/systemd/catalog/procwarden.catalog": "systemd/procwarden.catalog",
        ConfigLoader.defaultPath: "etc/procwarden/procwarden.conf",
        "/usr/share/dbus-1/system.d/\(BusNames.service).conf": "etc/dbus-1/system.d/\(BusNames.service).conf",
    ]

    static let completions = [
        "/usr/share/bash-completion/completions/procwardenctl",
        "/usr/share/zsh/vendor-completions/_procwardenctl",
        "/usr/share/fish/vendor_completions.d/procwardenctl.fish",
    ]

    @Test func everyShippedFileIsThereWithDebianModes() throws {
        let entries = try Self.contents()
        let manPages = try Self.manPages()
        try #require(manPages.count == 3, "\(manPages)")
        let expected =
            Self.binaries + Array(Self.shippedFiles.keys) + manPages + Self.completions
            + ["/usr/share/doc/procwarden/copyright"]
        for path in expected {
            let entry = try #require(entries[path], "\(path) not in the package")
            let mode = Self.binaries.contains(path) ? "-rwxr-xr-x" : "-rw-r--r--"
            #expect(entry.mode == mode, "\(path): \(entry.mode), want \(mode)")
        }
        #expect(entries["/etc/procwarden/procwarden.conf.d/"]?.mode == "drwxr-xr-x", "no drop-in directory")
        for entry in entries.values {
            #expect(entry.owner == "root/root", "\(entry.path) owned by \(entry.owner)")
            #expect(!entry.path.hasPrefix("/opt/") && !entry.path.hasPrefix("/usr/local/"), "\(entry.path)")
            switch entry.mode.first {
            case "d": #expect(entry.mode == "drwxr-xr-x", "\(entry.path): \(entry.mode)")
            case "-":
                #expect(
                    entry.mode == (Self.binaries.contains(entry.path) ? "-rwxr-xr-x" : "-rw-r--r--"),
                    "\(entry.path): \(entry.mode)")
            default: Issue.record("\(entry.path) is neither a file nor a directory: \(entry.mode)")
            }
        }
    }

    @Test func onlyTheConfigurationIsAConffile() throws {
        #expect(try Self.dpkgDeb(["-I", try Self.package(), "conffiles"]) == ConfigLoader.defaultPath + "\n")
    }

    /// dpkg-shlibdeps found exactly the Debian libraries of SPEC §1; the
    /// Swift runtime is linked in, so no package of the toolchain appears.
    @Test func dependsNamesOnlyDebianLibraries() throws {
        let depends = try Self.dpkgDeb(["-f", try Self.package(), "Depends"])
        let names = Set(
            depends.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap {
                $0.split(separator: " ").first.map(String.init)
            })
        for library in ["libc6", "libstdc++6", "libgcc-s1", "libsystemd0", "libfuzzy2", "libssl3", "libcap2"] {
            #expect(names.contains(library), "Depends lacks \(library): \(depends)")
        }
        for name in names {
            let lower = name.lowercased()
            #expect(
                !["swift", "foundation", "icu", "dispatch", "blocksruntime"].contains { lower.contains($0) },
                "Depends names \(name)")
        }
        #expect(!depends.contains("/opt"), "\(depends)")
    }

    /// Extracted, the package holds the repository's own files, stripped
    /// binaries, and no byte string "/opt/" in any file, maintainer scripts
    /// included: nothing points back at the toolchain of the build machine.
    @Test func extractedFilesAreTheRepositorysAndNameNoOpt() throws {
        let scratch = try ScratchDirectory("deb", mode: 0o700)
        let root = scratch("root")
        _ = try Self.dpkgDeb(["-R", try Self.package(), root])
        for (installed, source) in Self.shippedFiles {
            let packaged = try #require(try DurableFile.read(root + installed), "\(installed) not extracted")
            let original = try #require(try DurableFile.read(Self.repository + "/" + source), "\(source) missing")
            #expect(packaged == original, "\(installed) differs from \(source)")
        }
        for binary in Self.binaries {
            let sections = try ToolRun.run(["readelf", "-S", "--wide", root + binary])
            try #require(sections.succeeded, "\(sections.summary)")
            for section in [".symtab", ".debug_info", ".debug_line"] {
                #expect(!sections.stdoutText.contains(" \(section) "), "\(binary) not stripped: has \(section)")
            }
        }
        let grep = try ToolRun.run(["grep", "-rlaF", "/opt/", root])
        #expect(grep.status == 1, "files naming /opt/: \(grep.stdoutText)\(grep.stderrText)")
        // The same search finds a planted path: the check can fail.
        try scratch.write("root/planted", "runpath /opt/swift/usr/lib\n")
        #expect(try ToolRun.run(["grep", "-rlaF", "/opt/", root]).stdoutText == root + "/planted\n")
    }

    /// The maintainer scripts do what make install leaves to the operator:
    /// sysusers, enabling and starting the unit; purge removes the state.
    @Test func maintainerScriptsCreateTheUserStartTheUnitAndPurgeTheState() throws {
        let scratch = try ScratchDirectory("deb-control", mode: 0o700)
        _ = try Self.dpkgDeb(["-e", try Self.package(), scratch.path])
        let postinst = String(decoding: try #require(try DurableFile.read(scratch("postinst"))), as: UTF8.self)
        #expect(postinst.contains("systemd-sysusers ${DPKG_ROOT:+--root=\"$DPKG_ROOT\"} procwarden.conf"))
        #expect(postinst.contains("deb-systemd-helper enable 'procwarden.service'"))
        #expect(postinst.contains("deb-systemd-invoke $_dh_action 'procwarden.service'"))
        let postrm = String(decoding: try #require(try DurableFile.read(scratch("postrm"))), as: UTF8.self)
        #expect(postrm.contains("rm -rf /var/lib/procwarden"))
        let prerm = String(decoding: try #require(try DurableFile.read(scratch("prerm"))), as: UTF8.self)
        #expect(prerm.contains("deb-systemd-invoke stop 'procwarden.service'"))
    }
}
