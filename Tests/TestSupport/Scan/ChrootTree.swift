import Glibc
import ProcWardenKit

/// A minimal root directory for chroot(2): copies of one binary and of the
/// shared objects `ldd` lists for it, at the same paths, as debootstrap,
/// sbuild or schroot trees hold them.
public enum ChrootTree {
    /// Copies `binary` to `root` + `binary` with its libraries and the
    /// dynamic loader; returns the binary's path inside the tree as the host
    /// sees it.
    @discardableResult
    public static func populate(_ root: String, with binary: String) throws -> ByteString {
        let ldd = try ToolRun.run(["ldd", binary])
        guard ldd.succeeded else { throw TestFailure("ldd \(binary): \(ldd.summary)") }
        var files = [binary]
        for line in ldd.stdoutText.split(separator: "\n") {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let path = words.first(where: { $0.hasPrefix("/") }) { files.append(String(path)) }
        }
        for file in files {
            let target = root + file
            let parent = String(target[..<target.lastIndex(of: "/")!])
            let mkdir = try ToolRun.run(["mkdir", "-p", parent])
            guard mkdir.succeeded else { throw TestFailure(mkdir.summary) }
            try TestFile.copy(ByteString(file), to: ByteString(target))
        }
        return ByteString(root + binary)
    }

    /// readlink(2) of /proc/<pid>/root, as this process sees it.
    public static func rootLink(of pid: pid_t) -> ByteString? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
        let n = readlink("/proc/\(pid)/root", &buf, buf.count)
        return n < 0 ? nil : ByteString(buf[..<n].map { UInt8(bitPattern: $0) })
    }
}

extension ChildProcess {
    /// readlink(2) of /proc/<pid>/ns/<kind>, e.g. `mnt:[4026531841]`.
    public static func namespace(_ kind: String, of pid: pid_t) -> ByteString? {
        var buf = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/\(pid)/ns/\(kind)", &buf, buf.count)
        return n < 0 ? nil : ByteString(buf[..<n].map { UInt8(bitPattern: $0) })
    }
}
