import Glibc
import ProcWardenKit

/// A scratch root with its own dpkg database, filled by the real dpkg
/// (`dpkg --root`), never the host's: `var/lib/dpkg/{status,info,updates,
/// triggers}`, and merged /usr (`bin`, `sbin`, `lib`, `lib64` symlinks into
/// `usr/`) as on current Debian. Packages are built with `dpkg-deb --build`
/// from files of the test's choosing, with `DEBIAN/md5sums` and no
/// maintainer scripts.
public final class DpkgScratchRoot {
    public let scratch: ScratchDirectory
    public var root: String { scratch("root") }

    public init(_ name: String = "dpkg-root") throws {
        scratch = try ScratchDirectory(name, mode: 0o755)
        for directory in ["root/var/lib/dpkg/info", "root/var/lib/dpkg/updates", "root/var/lib/dpkg/triggers"] {
            try run(["mkdir", "-p", scratch(directory)])
        }
        try run(["touch", scratch("root/var/lib/dpkg/status")])
        for name in ["bin", "sbin", "lib", "lib64"] {
            try run(["mkdir", "-p", scratch("root/usr/\(name)")])
            guard symlink("usr/\(name)", scratch("root/\(name)")) == 0 else { throw SystemError("symlink \(name)") }
        }
    }

    /// Builds `<name>_<version>.deb` holding `files` (path in the package,
    /// without the leading `/` → source file to copy), with the listed
    /// `conffiles`; returns its path.
    public func build(
        _ name: String, version: String, files: [String: String], conffiles: [String] = []
    ) throws -> String {
        let tree = scratch("build-\(name)-\(version)")
        try run(["rm", "-rf", tree])
        try run(["mkdir", "-p", tree + "/DEBIAN"])
        for (path, source) in files.sorted(by: { $0.key < $1.key }) {
            try run(["mkdir", "-p", tree + "/" + String(path.split(separator: "/").dropLast().joined(separator: "/"))])
            try run(["cp", source, tree + "/" + path])
        }
        let control = """
            Package: \(name)
            Version: \(version)
            Architecture: amd64
            Maintainer: procwarden tests <tests@procwarden.invalid>
            Description: procwarden test package

            """
        try scratch.write("build-\(name)-\(version)/DEBIAN/control", control)
        if !conffiles.isEmpty {
            try scratch.write("build-\(name)-\(version)/DEBIAN/conffiles", conffiles.map { $0 + "\n" }.joined())
        }
        let sums = try ToolRun.run(
            [
                "sh", "-c", "cd \"$1\" && find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | xargs -0r md5sum",
                "-", tree,
            ])
        guard sums.succeeded else { throw TestFailure(sums.summary) }
        try scratch.write("build-\(name)-\(version)/DEBIAN/md5sums", String(decoding: sums.stdout, as: UTF8.self))
        let deb = scratch("\(name)_\(version).deb")
        try run(["dpkg-deb", "--root-owner-group", "--build", tree, deb])
        return deb
    }

    /// `dpkg --root=<root> -i deb`.
    public func install(_ deb: String) throws {
        try run(["dpkg", "--root=\(root)", "--force-not-root", "-i", deb])
    }

    /// `dpkg --root=<root> --unpack deb`: the files are replaced, the
    /// package is left `unpacked` (not yet `installed`).
    public func unpack(_ deb: String) throws {
        try run(["dpkg", "--root=\(root)", "--force-not-root", "--unpack", deb])
    }

    /// `dpkg --root=<root> --configure <package>`: `installed` again.
    public func configure(_ package: String) throws {
        try run(["dpkg", "--root=\(root)", "--force-not-root", "--configure", package])
    }

    /// `dpkg-divert --root=<root> --package <package> --rename --divert <to> <from>`.
    public func divert(_ from: String, to: String, package: String) throws {
        try run(["dpkg-divert", "--root=\(root)", "--package", package, "--rename", "--divert", to, "--add", from])
    }

    /// The MD5 of a file, by md5sum(1).
    public static func md5(_ path: String) throws -> String {
        let run = try ToolRun.run(["md5sum", path])
        let text = String(decoding: run.stdout, as: UTF8.self)
        guard run.succeeded, let digest = text.split(separator: " ").first else { throw TestFailure(run.summary) }
        return String(digest)
    }

    private func run(_ argv: [String]) throws {
        let result = try ToolRun.run(argv)
        guard result.succeeded else { throw TestFailure(result.summary) }
    }
}
