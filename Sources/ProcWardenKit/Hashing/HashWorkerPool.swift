import Glibc
import Synchronization

/// Long-lived hashing threads. A pass hands them jobs and waits until they
/// finish, a job outlives `HashTimeoutSec`, or the pass outlives
/// `HashBudgetSec`, whichever comes first.
///
/// Plain threads rather than tasks: a read(2) on a hung FUSE or NFS file never
/// returns, and must tie up one dedicated thread rather than a slot of the
/// cooperative pool. A job whose worker is stuck is abandoned: its pass
/// records `timeout` and moves on, and the image is not queued again while
/// that worker is still inside it.
public final class HashWorkerPool: @unchecked Sendable {
    /// One image to hash.
    public struct Request: Sendable {
        public var file: OpenFile
        public var identity: FileIdentity
        /// False for a file over `MaxFileSize`: SHA-256 only.
        public var ssdeep: Bool
        /// True for a file a package owns: MD5 as well.
        public var md5: Bool

        public init(file: OpenFile, identity: FileIdentity, ssdeep: Bool = true, md5: Bool = false) {
            self.file = file
            self.identity = identity
            self.ssdeep = ssdeep
            self.md5 = md5
        }
    }

    private final class Job: Sendable {
        let index: Int
        let generation: UInt64
        let request: Request
        let stop = Atomic<Bool>(false)

        init(index: Int, generation: UInt64, request: Request) {
            self.index = index
            self.generation = generation
            self.request = request
        }
    }

    /// All mutable state, guarded by `condition`. Worker threads retain the
    /// state, not the pool, so dropping the pool stops them.
    private final class State: @unchecked Sendable {
        let condition = ConditionLock()
        var queue: [Job] = []
        var running: [ObjectIdentifier: (job: Job, startedAt: ContinuousClock.Instant)] = [:]
        var results: [Int: ImageDigester.Outcome] = [:]
        var generation: UInt64 = 0
        var shuttingDown = false
    }

    public let workerCount: Int
    private let state = State()
    private let digester: ImageDigester

    public init(workers: Int, digester: ImageDigester) {
        self.workerCount = max(1, workers)
        self.digester = digester
        for n in 0..<workerCount {
            OSThread.start(name: "pw-hash-\(n)", stackSize: 512 * 1024) { [state, digester] in
                Self.work(state, digester)
            }
        }
    }

    deinit {
        state.condition.lock()
        state.shuttingDown = true
        for job in state.queue { job.stop.store(true, ordering: .relaxed) }
        state.queue.removeAll()
        for entry in state.running.values { entry.job.stop.store(true, ordering: .relaxed) }
        state.condition.broadcast()
        state.condition.unlock()
    }

    /// Hashes `requests` in order of the array (put pending images first) and
    /// returns one outcome per request, in the same order.
    public func run(_ requests: [Request], budget: Duration, timeout: Duration) -> [ImageDigester.Outcome] {
        guard !requests.isEmpty else { return [] }
        let s = state
        s.condition.lock()
        defer { s.condition.unlock() }
        s.generation &+= 1
        let generation = s.generation
        s.results.removeAll(keepingCapacity: true)
        let stuck = Set(s.running.values.map { $0.job.request.identity.key })
        var mine: [Job] = []
        for (index, request) in requests.enumerated() {
            if stuck.contains(request.identity.key) {
                s.results[index] = .unhashed(.timeout, bytesRead: 0)
            } else {
                mine.append(Job(index: index, generation: generation, request: request))
            }
        }
        s.queue.append(contentsOf: mine)
        s.condition.broadcast()

        let budgetDeadline = ContinuousClock.now + budget
        while s.results.count < requests.count {
            let now = ContinuousClock.now
            var nextWake = budgetDeadline
            for entry in s.running.values where entry.job.generation == generation && s.results[entry.job.index] == nil
            {
                let jobDeadline = entry.startedAt + timeout
                if now >= jobDeadline {
                    // The worker checks its own deadline between reads; if it
                    // has not answered by now, its read is hung.
                    entry.job.stop.store(true, ordering: .relaxed)
                    s.results[entry.job.index] = .unhashed(.timeout, bytesRead: 0)
                } else {
                    nextWake = min(nextWake, jobDeadline)
                }
            }
            if now >= budgetDeadline {
                for job in mine where s.results[job.index] == nil {
                    job.stop.store(true, ordering: .relaxed)
                    s.results[job.index] = .unhashed(.pending, bytesRead: 0)
                }
                s.queue.removeAll { $0.generation == generation }
                break
            }
            if s.results.count >= requests.count { break }
            s.condition.wait(timeout: nextWake - now + .milliseconds(1))
        }
        return (0..<requests.count).map { s.results[$0] ?? .unhashed(.pending, bytesRead: 0) }
    }

    private static func work(_ s: State, _ digester: ImageDigester) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: digester.chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        var touched = false
        while true {
            s.condition.lock()
            if s.queue.isEmpty && touched {
                // Idle until the next scan's cold files: the buffer's pages
                // go back to the kernel instead of staying resident.
                s.condition.unlock()
                _ = madvise(buffer.baseAddress, buffer.count, MADV_DONTNEED)
                touched = false
                continue
            }
            while s.queue.isEmpty && !s.shuttingDown { s.condition.wait() }
            if s.shuttingDown {
                s.condition.unlock()
                return
            }
            let job = s.queue.removeFirst()
            let startedAt = ContinuousClock.now
            s.running[ObjectIdentifier(job)] = (job, startedAt)
            s.condition.unlock()

            touched = true
            let outcome = digester.digest(
                fd: job.request.file.fd, size: job.request.identity.size, buffer: buffer,
                ssdeep: job.request.ssdeep, md5: job.request.md5, deadline: nil,
                shouldStop: { job.stop.load(ordering: .relaxed) })

            s.condition.lock()
            s.running[ObjectIdentifier(job)] = nil
            if job.generation == s.generation && s.results[job.index] == nil {
                s.results[job.index] = outcome
            }
            s.condition.broadcast()
            s.condition.unlock()
        }
    }
}
