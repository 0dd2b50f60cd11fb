import CLinux
import Glibc

/// An open /proc/<pid> directory. Owns its fd; reads are relative to it.
public struct ProcessDirectory: ~Copyable {
    public let pid: Int32
    let fd: Int32

    deinit { close(fd) }

    /// Reads a /proc/<pid>/<name> file (stat, maps, mountinfo) up to `limit`
    /// bytes. The buffer starts at 8 KiB and doubles as needed, so a large
    /// limit costs nothing for the usual small file.
    /// `oneRecord`: the file is a single seq_file record smaller than a
    /// page (`stat`), which one read(2) returns whole; the warm scan saves
    /// the read that would only see the end. A seq_file read returns at
    /// most a page otherwise, so longer files (maps) are read to the end.
    public func read(_ name: String, limit: Int = 8192, oneRecord: Bool = false) throws(SystemError) -> [UInt8] {
        let file = try SystemCall.valueOrErrno("open /proc/\(pid)/\(name)") { openat(fd, name, O_RDONLY | O_CLOEXEC) }
        defer { close(file) }
        var out = [UInt8](repeating: 0, count: min(limit, 8192))
        var filled = 0
        while filled < limit {
            if filled == out.count {
                out.append(contentsOf: repeatElement(0, count: min(out.count, limit - out.count)))
            }
            let room = out.count - filled
            let n = try SystemCall.valueOrErrno("read /proc/\(pid)/\(name)") {
                out.withUnsafeMutableBytes { buf in Glibc.read(file, buf.baseAddress! + filled, room) }
            }
            if n == 0 { break }
            filled += n
            if oneRecord { break }
        }
        out.removeSubrange(filled...)
        return out
    }

    /// readlinkat(2) of /proc/<pid>/exe: the image path as the kernel shows it.
    public func readExeLink() throws(SystemError) -> ByteString { try readLink("exe") }

    /// readlinkat(2) of a link in /proc/<pid> (exe, root, ns/mnt).
    public func readLink(_ name: String) throws(SystemError) -> ByteString {
        var buf = [UInt8](repeating: 0, count: Int(PATH_MAX) + 64)
        let n = try SystemCall.valueOrErrno("readlink /proc/\(pid)/\(name)") {
            buf.withUnsafeMutableBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) {
                    readlinkat(fd, name, $0, p.count)
                }
            }
        }
        return ByteString(buf[..<n])
    }

    /// Opens the running image through the /proc/<pid>/exe magic link. This
    /// needs ptrace read access and read permission on the file, which
    /// CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH grant.
    public func openExe() throws(SystemError) -> Int32 {
        try SystemCall.valueOrErrno("open /proc/\(pid)/exe") { openat(fd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY) }
    }

    /// fstatat(2) through the /proc/<pid>/exe magic link: the image the
    /// process runs at this instant.
    public func statExe() throws(SystemError) -> FileIdentity {
        var st = stat()
        try SystemCall.valueOrErrno("stat /proc/\(pid)/exe") { fstatat(fd, "exe", &st, 0) }
        return FileIdentity(st)
    }

    /// fstat(2) of /proc/<pid>/root/<path>, the last symlink followed: the
    /// file the process's own root directory resolves the path to now
    /// (`RootedLookup`: symlinks and ".." stay inside that root).
    public func statInRoot(_ path: ByteString) throws(SystemError) -> stat {
        let root = try openRoot()
        defer { close(root) }
        return try RootedLookup.stat(root, path, name: "stat /proc/\(pid)/root\(path.escaped)")
    }

    /// Opens /proc/<pid>/root/<path> for reading without blocking on FIFOs
    /// and, unless `followLast`, without following a symlink in the last
    /// component (`RootedLookup`: symlinks and ".." stay inside that root).
    public func openInRoot(_ path: ByteString, followLast: Bool = false) throws(SystemError) -> Int32 {
        let root = try openRoot()
        defer { close(root) }
        return try RootedLookup.open(
            root, path, flags: O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followLast ? 0 : O_NOFOLLOW),
            name: "open /proc/\(pid)/root\(path.escaped)")
    }

    /// The process's root directory, through the /proc/<pid>/root magic link.
    private func openRoot() throws(SystemError) -> Int32 {
        try SystemCall.valueOrErrno("open /proc/\(pid)/root") {
            openat(fd, "root", PW_O_PATH | O_DIRECTORY | O_CLOEXEC)
        }
    }

    /// fstatat(2) of /proc/<pid>/root itself: identifies the process's root
    /// directory, so containers' baselines are kept apart.
    public func statRoot() throws(SystemError) -> stat {
        var st = stat()
        try SystemCall.valueOrErrno("stat /proc/\(pid)/root") { fstatat(fd, "root/", &st, 0) }
        return st
    }

    /// The process's effective uid: fstat(2) of the /proc/<pid> directory.
    /// The kernel makes that directory owned by the task's euid, and, unlike
    /// the files in it, keeps it so for non-dumpable tasks (task_dump_owner()),
    /// so that ps need not read /proc/<pid>/status. Same value as the second
    /// `Uid:` field there, without rendering status, the costliest file a scan
    /// would read. Kernel threads show 0 either way.
    public func effectiveUID() throws(SystemError) -> UInt32 {
        var st = stat()
        try SystemCall.valueOrErrno("stat /proc/\(pid)") { fstat(fd, &st) }
        return st.st_uid
    }
}
