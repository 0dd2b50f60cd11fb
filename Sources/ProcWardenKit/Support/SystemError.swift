import Glibc

/// An errno value from a failed system call, with the call that failed.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    /// ENOENT/ESRCH: the process (or file) went away underneath us.
    public var meansVanished: Bool { errno == ENOENT || errno == ESRCH }
    /// EACCES/EPERM: we lack the rights.
    public var meansDenied: Bool { errno == EACCES || errno == EPERM }
    /// EINTR: a signal arrived before the call had anything to report.
    public var meansInterrupted: Bool { errno == EINTR }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
