import Glibc
import ProcWardenKit

/// File operations on byte-string paths for the alert tests, whose paths may
/// hold newlines and invalid UTF-8. Each throws naming the call and path.
/// Descriptors are O_CLOEXEC, so no child spawned meanwhile holds a copy
/// open for writing (which would make its exec fail with ETXTBSY).
enum AlertFiles {
    /// Calls `body` with `path` as a NUL-terminated C string.
    static func withCPath<R>(_ path: ByteString, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (path.bytes + [0]).withUnsafeBufferPointer { p in
            try p.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// `directory + "/" + name`.
    static func join(_ directory: ByteString, _ name: ByteString) -> ByteString {
        ByteString(directory.bytes + [UInt8(ascii: "/")] + name.bytes)
    }

    /// Creates `path` (which must not exist) with exactly `mode`.
    static func write(_ bytes: [UInt8], to path: ByteString, mode: mode_t = 0o755) throws {
        let fd = withCPath(path) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write", path) }
            offset += n
        }
        guard fchmod(fd, mode) == 0 else { throw failure("fchmod", path) }
    }

    static func read(_ path: ByteString) throws -> [UInt8] {
        let fd = withCPath(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure("read", path) }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }

    /// A copy of `source` with `extra` appended: an ELF still runs with
    /// bytes after its last section, and the extra bytes make its digests
    /// its own.
    static func copy(_ source: ByteString, to path: ByteString, appending extra: [UInt8] = []) throws {
        try write(read(source) + extra, to: path)
    }

    /// Writes `bytes` to a new file next to `path` and renames it over
    /// `path`, as a package manager installs an update.
    static func install(_ bytes: [UInt8], at path: ByteString) throws {
        let temporary = ByteString(path.bytes + Array(".new".utf8))
        try write(bytes, to: temporary)
        try rename(temporary, path)
    }

    static func makeDirectory(_ path: ByteString) throws {
        guard withCPath(path, { mkdir($0, 0o755) }) == 0 else { throw failure("mkdir", path) }
    }

    static func unlink(_ path: ByteString) throws {
        guard withCPath(path, { Glibc.unlink($0) }) == 0 else { throw failure("unlink", path) }
    }

    static func link(_ existing: ByteString, _ new: ByteString) throws {
        let rc = withCPath(existing) { a in withCPath(new) { b in Glibc.link(a, b) } }
        guard rc == 0 else { throw failure("link", new) }
    }

    static func rename(_ old: ByteString, _ new: ByteString) throws {
        let rc = withCPath(old) { a in withCPath(new) { b in Glibc.rename(a, b) } }
        guard rc == 0 else { throw failure("rename", new) }
    }

    static func exists(_ path: ByteString) -> Bool {
        var st = stat()
        return withCPath(path) { lstat($0, &st) } == 0
    }

    /// Names in `directory` (readdir(3)), without `.` and `..`.
    static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(_ call: String, _ path: ByteString) -> AlertTestFailure {
        AlertTestFailure("\(call) \(path.escaped): \(String(cString: strerror(errno)))")
    }
}
