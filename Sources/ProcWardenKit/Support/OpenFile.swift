import Glibc

/// An owned file descriptor, closed when the last reference goes. Hash jobs
/// hold one, so an fd outlives a pass whose worker is stuck in read(2).
public final class OpenFile: Sendable {
    public let fd: Int32

    public init(adopting fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Up to `limit` bytes from the start, by pread(2); what was read
    /// before an error.
    public func read(limit: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let n = out.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + filled, limit - filled, off_t(filled))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }

    /// fstat(2) of the descriptor.
    public func status() throws(SystemError) -> FileIdentity {
        var st = stat()
        try SystemCall.valueOrErrno("fstat") { fstat(fd, &st) }
        return FileIdentity(st)
    }
}
