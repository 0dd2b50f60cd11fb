import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// GPL-2.0-or-later, as libfuzzy's licence requires (SPEC §17), said the same
/// way everywhere it is said, and the package version the product's.
@Suite struct LicenceTests {
    static let repository: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/Unit/LicenceTests.swift
        return parts.joined(separator: "/")
    }()

    static let spdx = "SPDX-License-Identifier: GPL-2.0-or-later"

    static func text(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let bytes = try #require(try DurableFile.read(path), "\(path) missing", sourceLocation: sourceLocation)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The full GPL version 2 text, as Debian's base-files ships it.
    @Test func licenseIsTheGPL2Text() throws {
        #expect(try Self.text(Self.repository + "/LICENSE") == Self.text("/usr/share/common-licenses/GPL-2"))
    }

    @Test func packageManifestCarriesTheSPDXLine() throws {
        let lines = try Self.text(Self.repository + "/Package.swift").split(separator: "\n")
        #expect(lines.prefix(2).contains { $0 == "// \(Self.spdx)" }, "\(lines.prefix(2))")
    }

    /// The README's licence section names the identifier and the file.
    @Test func readmeLicenceSectionCarriesTheSPDXLine() throws {
        let readme = try Self.text(Self.repository + "/README.md")
        let start = try #require(readme.range(of: "\n## Licence\n"), "README has no '## Licence' section")
        let rest = readme[start.upperBound...]
        let body = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        #expect(body.contains(Self.spdx), "\(body)")
        #expect(body.contains("LICENSE"), "\(body)")
    }

    /// Machine-readable debian/copyright: its format line, and every file
    /// of the tree under the same licence.
    @Test func debianCopyrightIsMachineReadable() throws {
        let copyright = try Self.text(Self.repository + "/debian/copyright")
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"))
        #expect(copyright.contains("\nFiles: *\nCopyright: "), "no 'Files: *' paragraph")
        #expect(copyright.contains("\nLicense: GPL-2.0-or-later\n"), "no GPL-2.0-or-later licence paragraph")
    }

    /// The package version (debian/changelog, read by dpkg's own parser) is
    /// the one the binaries report.
    @Test func changelogVersionIsTheProducts() throws {
        let run = try ToolRun.run([
            "dpkg-parsechangelog", "-l", Self.repository + "/debian/changelog", "-S", "Version",
        ])
        try #require(run.succeeded, "\(run.summary)")
        #expect(run.stdoutText == ProcWarden.version + "\n")
    }
}
