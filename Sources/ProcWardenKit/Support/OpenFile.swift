import Glibc

/// An owned file descriptor, closed when the last reference goes. Hash jobs
/// hold one, so an fd outlives a pass whose worker is stuck in read(2).
public final class OpenFile: Sendable {
    public let fd: Int32

    public init(adopting fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// fstat(2) of the descriptor.
    public func status() throws(SystemError) -> FileIdentity {
        var st = stat()
        try SystemCall.valueOrErrno("fstat") { fstat(fd, &st) }
        return FileIdentity(st)
    }
}
