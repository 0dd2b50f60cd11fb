import Glibc

/// A procfs mount. Every reader takes the mount's root, so parsers and the
/// classifier can run on fixture trees as well as on the live /proc.
public struct ProcFS: Sendable {
    public var root: String

    public init(root: String = "/proc") { self.root = root }

    /// readlink(2) of /proc/<pid>/exe in one call, without opening the
    /// process's directory; nil when it cannot be read (gone, a kernel
    /// thread, denied).
    public func exeLink(_ pid: Int32) -> ByteString? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { raw in
            readlink("\(root)/\(pid)/exe", raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        return n < 0 ? nil : ByteString(buffer[..<n])
    }

    /// The last pid the kernel handed out in the reader's pid namespace
    /// (threads included): the fifth field of /proc/loadavg. It moves with
    /// every fork or clone, in containers' namespaces too, since their pids
    /// are also pids here. nil when it cannot be read.
    public func lastPID() -> Int32? {
        let fd = open("\(root)/loadavg", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0, let slash = buffer[..<n].lastIndex(of: UInt8(ascii: " ")) else { return nil }
        return Int32(decimal: buffer[(slash + 1)..<n].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }

    /// The numeric entries of the root directory (readdir(3) on /proc).
    public func listPIDs() throws(SystemError) -> [Int32] {
        let dir = try SystemCall.pointerOrErrno("opendir \(root)") { opendir(root) }
        defer { closedir(dir) }
        var pids: [Int32] = []
        pids.reserveCapacity(512)
        while let entry = readdir(dir) {
            let pid: Int32? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let name = raw.prefix(while: { $0 != 0 })
                return Int32(decimal: name)
            }
            if let pid, pid > 0 { pids.append(pid) }
        }
        return pids
    }

    /// Opens /proc/<pid> as a directory, so every later read names the same
    /// process even if the pid is reused meanwhile (the old directory then
    /// answers ESRCH/ENOENT).
    public func openProcess(_ pid: Int32) throws(SystemError) -> ProcessDirectory {
        let fd = try SystemCall.valueOrErrno("open /proc/\(pid)") {
            open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        return ProcessDirectory(pid: pid, fd: fd)
    }

    /// Opens /proc/self: the daemon's own process directory.
    public func openSelf() throws(SystemError) -> ProcessDirectory {
        let fd = try SystemCall.valueOrErrno("open \(root)/self") {
            open("\(root)/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        return ProcessDirectory(pid: getpid(), fd: fd)
    }

    /// Mounts over /proc/<pid> directories or paths inside them, by pid,
    /// from the daemon's own /proc/self/mountinfo (SPEC §2 Hidden
    /// processes). Such a mount shows a reader of /proc/<pid> something
    /// other than the process; empty when mountinfo cannot be read.
    public func hiddenProcesses() -> [Int32: MountInfo.Mount] {
        guard let dir = try? openSelf(), let bytes = try? dir.read("mountinfo", limit: 16 << 20) else { return [:] }
        return MountInfo(parsing: bytes).mountsOverProcesses(in: ByteString(root))
    }
}
