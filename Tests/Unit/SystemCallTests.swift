import Glibc
import ProcWardenKit
import Synchronization
import Testing

// Serialized: the interrupt tests install a process-wide SIGUSR2 handler.
@Suite(.serialized) struct SystemCallTests {
    // MARK: - libc convention

    @Test func failureCarriesTheCallAndItsErrno() {
        #expect(throws: SystemError("open /nonexistent/x", errno: ENOENT)) {
            try SystemCall.valueOrErrno("open /nonexistent/x") { open("/nonexistent/x", O_RDONLY | O_CLOEXEC) }
        }
        #expect(throws: SystemError("close", errno: EBADF)) {
            try SystemCall.valueOrErrno("close", retryOnInterrupt: false) { close(-1) }
        }
    }

    @Test func successReturnsTheValueWithoutBuildingTheName() throws {
        var named = 0
        func name() -> String {
            named += 1
            return "dup"
        }
        let fd = try SystemCall.valueOrErrno(name()) { dup(STDIN_FILENO) }
        defer { close(fd) }
        #expect(fd >= 0)
        #expect(try SystemCall.valueOrErrno(name()) { Int64(0) } == 0)
        #expect(named == 0)
    }

    @Test func onlyMinusOneIsAFailure() throws {
        #expect(try SystemCall.valueOrErrno("x") { Int32(-2) } == -2)
        #expect(throws: SystemError("x", errno: EINVAL)) {
            try SystemCall.valueOrErrno("x") { () -> UInt32 in
                Glibc.errno = EINVAL
                return UInt32.max
            }
        }
    }

    @Test func pointerVariantReadsErrnoOnNil() throws {
        #expect(throws: SystemError("opendir /nonexistent", errno: ENOENT)) {
            try SystemCall.pointerOrErrno("opendir /nonexistent") { opendir("/nonexistent") }
        }
        let dir = try SystemCall.pointerOrErrno("opendir /") { opendir("/") }
        closedir(dir)
    }

    @Test func vanishedAndDeniedStayTellable() {
        do {
            try SystemCall.valueOrErrno("open /proc/0/stat") { open("/proc/0/stat", O_RDONLY | O_CLOEXEC) }
            Issue.record("open of /proc/0/stat succeeded")
        } catch {
            #expect(error.meansVanished)
            #expect(!error.meansDenied)
            #expect(error.description == "open /proc/0/stat: No such file or directory")
        }
    }

    // MARK: - libsystemd convention

    @Test func negativeReturnIsTheErrno() throws {
        #expect(throws: SystemError("sd_x", errno: ENOENT)) { try SystemCall.negativeErrno("sd_x") { -ENOENT } }
        #expect(throws: SystemError("sd_x", errno: ECONNREFUSED)) {
            try SystemCall.negativeErrno("sd_x") { Int(-ECONNREFUSED) }
        }
        #expect(try SystemCall.negativeErrno("sd_x") { Int32(0) } == 0)
        #expect(try SystemCall.negativeErrno("sd_x") { Int32(3) } == 3)
    }

    @Test func negativeEINTRIsRetriedOnlyWhenAsked() throws {
        var calls = 0
        #expect(throws: SystemError("sd_x", errno: EINTR)) {
            try SystemCall.negativeErrno("sd_x") { () -> Int32 in
                calls += 1
                return -EINTR
            }
        }
        #expect(calls == 1)
        calls = 0
        let value = try SystemCall.negativeErrno("sd_x", retryOnInterrupt: true) { () -> Int32 in
            calls += 1
            return calls < 3 ? -EINTR : 7
        }
        #expect(value == 7)
        #expect(calls == 3)
    }

    // MARK: - A real EINTR

    /// A read(2) on an empty pipe in another thread, interrupted by SIGUSR2
    /// whose handler is installed without SA_RESTART, so the kernel returns
    /// EINTR instead of restarting the read.
    @Test func interruptedReadIsRetriedAndGetsTheDataWrittenLater() throws {
        let run = try InterruptedRead(retryOnInterrupt: true)
        defer { run.finish() }
        try run.interruptUntil(timeoutSeconds: 10) { run.attempts.load(ordering: .acquiring) >= 2 }
        let payload: [UInt8] = Array("after the signal".utf8)
        #expect(payload.withUnsafeBytes { write(run.writeEnd, $0.baseAddress, $0.count) } == payload.count)
        run.join()
        #expect(run.outcome.withLock { $0 } == .success(payload))
        #expect(run.attempts.load(ordering: .acquiring) >= 2)
    }

    @Test func interruptedReadThrowsEINTRWithoutRetry() throws {
        let run = try InterruptedRead(retryOnInterrupt: false)
        defer { run.finish() }
        try run.interruptUntil(timeoutSeconds: 10) { run.outcome.withLock { $0 } != nil }
        run.join()
        #expect(run.outcome.withLock { $0 } == .failure(SystemError("read pipe", errno: EINTR)))
        #expect(run.attempts.load(ordering: .acquiring) == 1)
    }
}

/// One thread blocked in `SystemCall.valueOrErrno { read(2) }` on a pipe.
private final class InterruptedRead: Sendable {
    let readEnd: Int32
    let writeEnd: Int32
    let attempts = Atomic<Int>(0)
    let outcome = Mutex<Result<[UInt8], SystemError>?>(nil)
    private let thread: Mutex<pthread_t?> = Mutex(nil)
    private let previous: Mutex<sigaction>

    init(retryOnInterrupt: Bool) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        (readEnd, writeEnd) = (fds[0], fds[1])
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: that is what makes read(2) fail with EINTR
        var old = sigaction()
        guard sigaction(SIGUSR2, &action, &old) == 0 else { throw SystemError("sigaction") }
        previous = Mutex(old)

        let box = Unmanaged.passRetained(
            Body { [self] in
                var unblock = sigset_t()
                sigemptyset(&unblock)
                sigaddset(&unblock, SIGUSR2)
                pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
                var buffer = [UInt8](repeating: 0, count: 64)
                let result = Result { () throws(SystemError) -> [UInt8] in
                    let n = try SystemCall.valueOrErrno("read pipe", retryOnInterrupt: retryOnInterrupt) {
                        attempts.add(1, ordering: .releasing)
                        return buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    }
                    return Array(buffer[..<n])
                }
                outcome.withLock { $0 = result }
            })
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw SystemError("pthread_create", errno: rc)
        }
        thread.withLock { $0 = t }
    }

    /// Sends SIGUSR2 to the reading thread every 20 ms until `done`. A
    /// signal that lands before the thread enters read(2) interrupts
    /// nothing, hence the repetition.
    func interruptUntil(timeoutSeconds: Int, _ done: () -> Bool) throws {
        guard let t = thread.withLock({ $0 }) else { return }
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while !done() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the read was not interrupted within \(timeoutSeconds) s")
                return
            }
            if attempts.load(ordering: .acquiring) > 0 { pthread_kill(t, SIGUSR2) }
            usleep(20_000)
        }
    }

    func join() {
        guard
            let t = thread.withLock({ t in
                defer { t = nil }
                return t
            })
        else { return }
        pthread_join(t, nil)
    }

    /// Unblocks and joins the thread if a failed expectation left it in
    /// read(2), then restores the signal disposition.
    func finish() {
        close(writeEnd)
        join()
        close(readEnd)
        var old = previous.withLock { $0 }
        sigaction(SIGUSR2, &old, nil)
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
