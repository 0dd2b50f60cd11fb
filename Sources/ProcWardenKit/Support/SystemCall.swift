import Glibc

/// The one place where a failed system call becomes a `SystemError`: errno
/// is read right after the call, and EINTR is retried here and nowhere else.
/// `name` is evaluated only on failure, so call sites can build messages
/// with the path or pid without paying for them on success.
public enum SystemCall {
    /// libc convention: the call returns -1 (for an unsigned result type,
    /// `(type)-1`) and sets errno. EINTR is retried when `retryOnInterrupt`;
    /// pass false for close(2), which must not be repeated on Linux.
    @discardableResult
    public static func valueOrErrno<I: FixedWidthInteger>(
        _ name: @autoclosure () -> String, retryOnInterrupt: Bool = true, _ call: () -> I
    ) throws(SystemError) -> I {
        while true {
            let result = call()
            guard result == I(truncatingIfNeeded: -1) else { return result }
            let code = Glibc.errno
            if retryOnInterrupt && code == EINTR { continue }
            throw SystemError(name(), errno: code)
        }
    }

    /// libc convention for calls that return a pointer: nil and errno set
    /// (opendir(3), fdopendir(3), cap_init(3)). EINTR is retried when
    /// `retryOnInterrupt`.
    public static func pointerOrErrno<P>(
        _ name: @autoclosure () -> String, retryOnInterrupt: Bool = true, _ call: () -> P?
    ) throws(SystemError) -> P {
        while true {
            if let result = call() { return result }
            let code = Glibc.errno
            if retryOnInterrupt && code == EINTR { continue }
            throw SystemError(name(), errno: code)
        }
    }

    /// libsystemd convention: the call returns a negative errno (`-EINVAL`)
    /// and leaves errno alone; zero or positive is success. -EINTR is retried
    /// only when `retryOnInterrupt`.
    @discardableResult
    public static func negativeErrno<I: FixedWidthInteger>(
        _ name: @autoclosure () -> String, retryOnInterrupt: Bool = false, _ call: () -> I
    ) throws(SystemError) -> I {
        while true {
            let result = call()
            guard result < 0 else { return result }
            let code = Int32(truncatingIfNeeded: 0 &- result)
            if retryOnInterrupt && code == EINTR { continue }
            throw SystemError(name(), errno: code)
        }
    }
}
