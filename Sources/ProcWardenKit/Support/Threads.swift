import Glibc

/// Detached POSIX threads, for work that may block in read(2) indefinitely
/// and so must not occupy a slot of Swift's cooperative pool. Used instead
/// of Foundation's `Thread`, which pulls Foundation (and ICU) into the binary
/// and whose `name` never reached the kernel.
public enum OSThread {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts a detached thread named `name` (at most 15 bytes reach the
    /// kernel: `ps -L`, `top -H`, /proc/<pid>/task/<tid>/comm) running
    /// `body`. `stackSize` nil keeps the default (RLIMIT_STACK). A thread
    /// that cannot be created is a fatal error, as it was with `Thread`.
    public static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize {
            pthread_attr_setstacksize(&attr, max(stackSize, Int(PTHREAD_STACK_MIN)))
        }
        let box = Unmanaged.passRetained(Body(name: name, run: body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attr,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                OSThread.setCurrentName(body.name)
                body.run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            fatalError("pthread_create for \(name): \(String(cString: strerror(rc)))")
        }
    }

    /// Names the calling thread, as pthread_setname_np(3) does (which Glibc's
    /// Swift module hides behind _GNU_SOURCE): by writing its
    /// /proc/thread-self/comm. The kernel keeps 15 bytes. Best effort.
    static func setCurrentName(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// A mutex with a condition variable (pthread_mutex_t + pthread_cond_t on
/// CLOCK_MONOTONIC): the subset of `NSCondition` the scan and hash threads
/// use. Also usable as a plain lock.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        mutex.initialize(to: pthread_mutex_t())
        cond.initialize(to: pthread_cond_t())
        let rcMutex = pthread_mutex_init(mutex, nil)
        precondition(rcMutex == 0, "pthread_mutex_init: \(rcMutex)")
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        let rcCond = pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
        precondition(rcCond == 0, "pthread_cond_init: \(rcCond)")
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    public func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock: \(rc)")
    }

    public func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        precondition(rc == 0, "pthread_mutex_unlock: \(rc)")
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits for a signal; the lock must be held. Spurious wake-ups happen:
    /// callers re-check their predicate in a loop.
    public func wait() {
        pthread_cond_wait(cond, mutex)
    }

    /// Waits for a signal or until `timeout` has passed; the lock must be
    /// held. Returns false on timeout.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (s, atto) = timeout.components
        let seconds = max(0, s)
        let nanoseconds = s < 0 ? 0 : max(0, atto) / 1_000_000_000
        // Clamp: a far deadline (Duration.seconds(Int64.max)) must not wrap.
        let addSeconds = Int(clamping: min(seconds, Int64(Int32.max)))
        deadline.tv_sec += addSeconds
        deadline.tv_nsec += Int(nanoseconds)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        return pthread_cond_timedwait(cond, mutex, &deadline) != ETIMEDOUT
    }

    public func signal() { pthread_cond_signal(cond) }

    public func broadcast() { pthread_cond_broadcast(cond) }
}
