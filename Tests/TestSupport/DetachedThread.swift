import Glibc
import ProcWardenKit

/// A detached pthread running `body`: for servers a test runs in-process
/// (a FUSE filesystem, a notify socket reader) that block in read(2) and
/// must not occupy a slot of Swift's cooperative pool.
public enum DetachedThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// pthread_create(3) then pthread_detach(3).
    public static func start(_ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw SystemError("pthread_create", errno: rc)
        }
        pthread_detach(thread)
    }
}
