import CLinux
import Glibc
import Synchronization

/// Looks paths up below a root directory as a process in that root would:
/// openat2(2) with RESOLVE_IN_ROOT, so that symlinks and ".." resolve
/// inside it. A plain openat(2) below /proc/<pid>/root (or /proc/1/root)
/// resolves an absolute symlink or a ".." against the daemon's own root,
/// so a file planted in a container (its /etc/ld.so.preload, say) could
/// make the daemon read any file of the host. Magic links (a /proc inside
/// the root) are refused. Before Linux 5.6 (ENOSYS) it falls back to
/// openat(2).
enum RootedLookup {
    /// Opens `path` below the directory `root` with `flags` (O_*).
    /// `name` describes the call for errors.
    static func open(_ root: Int32, _ path: ByteString, flags: Int32, name: @autoclosure () -> String)
        throws(SystemError) -> Int32
    {
        var relative = Array(path.bytes.drop { $0 == UInt8(ascii: "/") })
        if relative.isEmpty { relative = [UInt8(ascii: ".")] }
        relative.append(0)
        return try relative.withUnsafeBufferPointer { p throws(SystemError) in
            try p.withMemoryRebound(to: CChar.self) { c throws(SystemError) in
                try open(root, c.baseAddress!, flags: flags, name: name())
            }
        }
    }

    /// fstat(2) of `path` below `root`, the last symlink followed, as
    /// stat(2) does.
    static func stat(_ root: Int32, _ path: ByteString, name: @autoclosure () -> String) throws(SystemError)
        -> Glibc.stat
    {
        let file = try open(root, path, flags: PW_O_PATH | O_CLOEXEC, name: name())
        defer { close(file) }
        var st = Glibc.stat()
        try SystemCall.valueOrErrno(name()) { fstat(file, &st) }
        return st
    }

    private static func open(_ root: Int32, _ relative: UnsafePointer<CChar>, flags: Int32, name: String)
        throws(SystemError) -> Int32
    {
        // EAGAIN: a rename or mount elsewhere raced with a ".." lookup; the
        // kernel asks for a retry rather than risk leaving the root.
        var attempts = 0
        while resolveInRootWorks.load(ordering: .relaxed) {
            do throws(SystemError) {
                return try SystemCall.valueOrErrno(name) {
                    pw_openat2(
                        root, relative, UInt64(UInt32(bitPattern: flags)),
                        UInt64(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS))
                }
            } catch {
                attempts += 1
                if error.errno == EAGAIN && attempts < 8 { continue }
                guard error.errno == ENOSYS else { throw error }
                resolveInRootWorks.store(false, ordering: .relaxed)
            }
        }
        return try SystemCall.valueOrErrno(name) { openat(root, relative, flags) }
    }

    /// Whether openat2(2) exists (Linux 5.6 and later).
    private static let resolveInRootWorks = Atomic<Bool>(true)
}
