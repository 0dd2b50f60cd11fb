import Glibc
import ProcWardenKit

/// Runs code on a thread of its own that is in a private mount namespace.
///
/// unshare(CLONE_NEWNS) implies CLONE_FS and so moves only the calling
/// thread into the new namespace; mounts made there are invisible to the rest
/// of the test process and to the host. Path lookups of that thread,
/// including the unix-socket address of `sd_journal_sendv`'s sendmsg(2), see
/// those mounts. That is how a test makes journald unreachable for one
/// writer without disturbing journald or anyone else.
public enum PrivateMountNamespace {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let work = Work {
            outcome.result = Result {
                guard LinuxCalls.unshare(LinuxCalls.cloneNewNS) == 0 else { throw SystemError("unshare(CLONE_NEWNS)") }
                // Stop mounts from propagating back into a shared parent namespace.
                guard mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
                    throw SystemError("mount --make-rprivate /")
                }
                return try body()
            }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(work).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Work>.fromOpaque(context).release()
            throw SystemError("pthread_create", errno: rc)
        }
        pthread_join(thread, nil)
        return try outcome.result!.get()
    }

    private final class Work: Sendable {
        public let run: @Sendable () -> Void
        public init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Written by the thread, read after pthread_join, which orders the two.
    private final class Outcome<T>: @unchecked Sendable {
        public var result: Result<T, any Error>?
    }
}
