import ProcWardenKit

/// A detached pthread running `body`: for servers a test runs in-process
/// (a FUSE filesystem, a notify socket reader) that block in read(2) and
/// must not occupy a slot of Swift's cooperative pool. The daemon's own
/// `OSThread`, named so the test's threads are told apart in `ps -L`.
public enum DetachedThread {
    public static func start(_ body: @escaping @Sendable () -> Void) throws {
        OSThread.start(name: "pw-test", body)
    }
}
