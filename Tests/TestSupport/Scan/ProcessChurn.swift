import Foundation
import Glibc
import Synchronization

/// A background thread that keeps starting short-lived `/bin/true`
/// processes and reaping them, so scans run while processes appear, exit,
/// turn into zombies and vanish around them.
public final class ProcessChurn: Sendable {
    private let running = Atomic<Bool>(true)
    private let started = Mutex<Set<pid_t>>([])
    private let done = DispatchSemaphore(value: 0)

    public init() {
        let thread = Thread { [self] in churn() }
        thread.name = "pw-test-churn"
        thread.start()
    }

    /// The pids started so far.
    public var pids: Set<pid_t> { started.withLock { $0 } }

    public var count: Int { started.withLock { $0.count } }

    /// Stops the thread once its children are reaped; returns every pid it used.
    public func stop() -> Set<pid_t> {
        if running.exchange(false, ordering: .relaxed) { done.wait() }
        return started.withLock { $0 }
    }

    private func churn() {
        while running.load(ordering: .relaxed) {
            var batch: [pid_t] = []
            for _ in 0..<8 {
                if let pid = try? Spawn.start("/bin/true", ["true"], environment: Spawn.minimalEnvironment) {
                    batch.append(pid)
                }
            }
            started.withLock { $0.formUnion(batch) }
            // Leave them unreaped a moment, so some are zombies when scanned.
            usleep(500)
            for pid in batch { _ = Spawn.wait(pid) }
        }
        done.signal()
    }
}
