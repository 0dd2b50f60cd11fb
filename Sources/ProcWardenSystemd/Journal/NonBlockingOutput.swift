import Glibc
import ProcWardenKit
import Synchronization

/// A descriptor (stderr) written without blocking: a copy that does not fit
/// now is cut or skipped, never waited for. stderr may be a pipe nobody
/// drains or a terminal on hold, and the daemon's event loop writes to it.
///
/// How depends on what the descriptor is (fstat(2)): a regular file is
/// written as is; a socket with send(2) and MSG_DONTWAIT; a terminal or
/// other character device through its own non-blocking open of
/// /proc/self/fd/N (O_NONBLOCK on the shared descriptor would change it for
/// every process that shares it); a pipe or FIFO in pieces of at most
/// PIPE_BUF bytes, each after poll(2) says there is room, since a write of
/// at most PIPE_BUF to a pipe with room does not wait. SIGPIPE is blocked
/// around each write, so a closed reader is an error, not death.
public final class NonBlockingOutput: Sendable {
    /// The process's stderr.
    public static let standardError = NonBlockingOutput(descriptor: STDERR_FILENO)

    enum Method: Equatable {
        case write
        case send
        case polled(chunk: Int)
    }

    public let descriptor: Int32
    /// The descriptor written to: `descriptor`, or a non-blocking reopening of it.
    private let target: Int32
    private let ownsTarget: Bool
    private let method: Method
    /// Serialises writers, so copies from different threads never interleave.
    private let lock = Mutex(())

    /// The descriptor is not closed; a reopening of it is, at deinit.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
        var st = stat()
        guard fstat(descriptor, &st) == 0 else {
            (target, ownsTarget, method) = (descriptor, false, .write)
            return
        }
        switch st.st_mode & S_IFMT {
        case S_IFSOCK:
            (target, ownsTarget, method) = (descriptor, false, .send)
        case S_IFIFO:
            (target, ownsTarget, method) = (descriptor, false, .polled(chunk: Int(PIPE_BUF)))
        case S_IFCHR:
            let reopened = open("/proc/self/fd/\(descriptor)", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            if reopened >= 0 {
                (target, ownsTarget, method) = (reopened, true, .write)
            } else {
                (target, ownsTarget, method) = (descriptor, false, .polled(chunk: 256))
            }
        default:
            (target, ownsTarget, method) = (descriptor, false, .write)
        }
    }

    deinit { if ownsTarget { close(target) } }

    /// Writes `bytes`, or as much as fits now. nil when all of it went out,
    /// else why not (EAGAIN when the rest would have had to wait).
    public func write(_ bytes: [UInt8]) -> SystemError? {
        lock.withLock { _ in
            withSIGPIPEBlocked { () -> SystemError? in
                var offset = 0
                do throws(SystemError) {
                    while offset < bytes.count {
                        let n = try writeSome(bytes, from: offset)
                        // write(2) of a non-empty buffer returning 0 would loop forever.
                        guard n > 0 else { throw SystemError("write fd \(descriptor)", errno: EIO) }
                        offset += n
                    }
                    return nil
                } catch {
                    return error
                }
            }
        }
    }

    private func writeSome(_ bytes: [UInt8], from offset: Int) throws(SystemError) -> Int {
        let name = "write fd \(descriptor)"
        switch method {
        case .write:
            return try SystemCall.valueOrErrno(name) {
                bytes.withUnsafeBytes { Glibc.write(target, $0.baseAddress! + offset, $0.count - offset) }
            }
        case .send:
            return try SystemCall.valueOrErrno(name) {
                bytes.withUnsafeBytes {
                    Glibc.send(
                        target, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
                }
            }
        case .polled(let chunk):
            var poller = pollfd(fd: target, events: Int16(POLLOUT), revents: 0)
            let ready = try SystemCall.valueOrErrno("poll fd \(descriptor)") { poll(&poller, 1, 0) }
            if ready == 0 { throw SystemError(name, errno: EAGAIN) }
            return try SystemCall.valueOrErrno(name) {
                bytes.withUnsafeBytes {
                    Glibc.write(target, $0.baseAddress! + offset, min(chunk, $0.count - offset))
                }
            }
        }
    }

    /// Runs `body` with SIGPIPE blocked for this thread, consuming a SIGPIPE
    /// that body raised.
    private func withSIGPIPEBlocked<T>(_ body: () -> T) -> T {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
        var pending = sigset_t()
        sigpending(&pending)
        let wasPending = sigismember(&pending, SIGPIPE) == 1
        let result = body()
        sigpending(&pending)
        if !wasPending && sigismember(&pending, SIGPIPE) == 1 {
            var zero = timespec()
            _ = sigtimedwait(&pipeSignal, nil, &zero)
        }
        return result
    }
}
