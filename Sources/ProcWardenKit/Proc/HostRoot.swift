import Glibc

/// The host's root directory: the second place an exe path is looked up
/// (SPEC §2 Roots). The kernel prints /proc/<pid>/exe relative to the
/// *reader's* root, so a chrooted process shows a host path that
/// /proc/<pid>/root does not resolve. /proc/1/root when the daemon may read
/// it; else the daemon's own "/" (under the unit, `PrivateTmp=` gives the
/// daemon a /tmp of its own, so its own root is only the fallback).
public final class HostRoot: Sendable {
    let fd: Int32
    /// (st_dev, st_ino) of the directory; nil if it could not be stat'ed.
    public let identity: ImageKey?
    /// The directory opened, for messages: `/proc/1/root` or `/`.
    public let path: String

    public init(procfs: ProcFS = ProcFS()) {
        let initRoot = "\(procfs.root)/1/root"
        var opened = (try? SystemCall.valueOrErrno("open \(initRoot)") { Glibc.open(initRoot, Self.flags) }) ?? -1
        path = opened >= 0 ? initRoot : "/"
        if opened < 0 { opened = (try? SystemCall.valueOrErrno("open /") { Glibc.open("/", Self.flags) }) ?? -1 }
        fd = opened
        var st = Glibc.stat()
        identity = opened >= 0 && fstat(opened, &st) == 0 ? ImageKey(st) : nil
    }

    deinit { if fd >= 0 { close(fd) } }

    private static let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC

    /// fstat(2) of `path` under this root, following symlinks as stat(2)
    /// does, but inside this root (`RootedLookup`).
    public func stat(_ path: ByteString) throws(SystemError) -> Glibc.stat {
        guard fd >= 0 else { throw SystemError("open \(self.path)", errno: EBADF) }
        return try RootedLookup.stat(fd, path, name: "stat \(self.path)\(path.escaped)")
    }

    /// Opens `path` under this root for reading, without blocking on a
    /// FIFO; `followLast` says whether a symlink as the last component is
    /// followed (an image path never is; an allowlisted path may be one).
    /// Symlinks and ".." resolve inside this root (`RootedLookup`).
    public func open(_ path: ByteString, followLast: Bool = false) throws(SystemError) -> Int32 {
        guard fd >= 0 else { throw SystemError("open \(self.path)", errno: EBADF) }
        return try RootedLookup.open(
            fd, path, flags: O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followLast ? 0 : O_NOFOLLOW),
            name: "open \(self.path)\(path.escaped)")
    }
}
