import Glibc
import Logging

/// Runs scan cycles: enumerate and classify every process under a deadline,
/// then hash each unique uncached image once on the worker pool.
///
/// Not thread-safe: one owner calls `scan()` at a time (the daemon's scan
/// loop). State carried between scans: the digest cache and the images left
/// `pending`, which go first next time.
public final class Scanner {
    public let procfs: ProcFS
    public private(set) var limits: ScanLimits
    private let classifier: ExeClassifier
    private var digester: ImageDigester
    private let fuzzyOverride: (any FuzzyHashing)?
    private var pool: HashWorkerPool
    private var cache = DigestCache()
    private var pending: Set<DigestCacheKey> = []
    private var lastScanID: UInt64 = 0
    /// `LD_PRELOAD` values read by the last scan, by process and exe.
    private var preloads: [ObjectClassifier.PreloadKey: ByteString?] = [:]
    private let logger: Logger

    /// `fuzzy` replaces the engine `limits.ssdeepEngine` names (tests use an
    /// engine that fails).
    public init(
        procfs: ProcFS = ProcFS(), limits: ScanLimits = ScanLimits(),
        fuzzy: (any FuzzyHashing)? = nil, logger: Logger
    ) {
        self.procfs = procfs
        self.limits = limits
        self.fuzzyOverride = fuzzy
        self.classifier = ExeClassifier(procfs: procfs)
        self.digester = ImageDigester(fuzzy: limits.ssdeep ? fuzzy ?? limits.ssdeepEngine.hashing : nil)
        self.pool = HashWorkerPool(workers: limits.effectiveHashWorkers, digester: digester)
        self.logger = logger
    }

    /// Applies new limits. A change of worker count, of `Ssdeep` or of
    /// `SsdeepEngine` starts a new pool (a stuck worker of the old one is left
    /// to finish on its own); a change of `Ssdeep` also empties the cache,
    /// whose entries then have the wrong shape. The engines give the same
    /// digests, so a change of engine keeps it.
    public func update(limits newLimits: ScanLimits) {
        if newLimits.ssdeep != limits.ssdeep || newLimits.ssdeepEngine != limits.ssdeepEngine
            || newLimits.effectiveHashWorkers != limits.effectiveHashWorkers
        {
            digester = ImageDigester(fuzzy: newLimits.ssdeep ? fuzzyOverride ?? newLimits.ssdeepEngine.hashing : nil)
            pool = HashWorkerPool(workers: newLimits.effectiveHashWorkers, digester: digester)
        }
        // Entries of the wrong shape: with or without ssdeep.
        if newLimits.ssdeep != limits.ssdeep || newLimits.maxFileSize != limits.maxFileSize { cache = DigestCache() }
        limits = newLimits
    }

    /// Where a job's outcome goes: the records running the image, the
    /// records whose path now names it, and the `MemfdAllowImages` paths
    /// that hold it.
    private struct JobTargets {
        var request: HashWorkerPool.Request
        var imageOf: [Int] = []
        var onDiskOf: [Int] = []
        var allowImages: [ByteString] = []
    }

    /// What to do with a file of `identity.size` bytes: nil when it is over
    /// `MaxHashSize`, else whether ssdeep is computed (not over `MaxFileSize`).
    private func ssdeepWanted(_ identity: FileIdentity) -> Bool? {
        identity.size > limits.maxHashSize ? nil : identity.size <= limits.maxFileSize
    }

    /// One full cycle. Never throws: per-process failures live in the records.
    /// `id` numbers the scan; by default one more than the last.
    public func scan(id: UInt64? = nil) -> ScanReport {
        let clock = ContinuousClock()
        let started = clock.now
        var summary = ScanSummary()
        lastScanID = id ?? lastScanID + 1
        summary.scanID = lastScanID
        summary.startedAtMicroseconds = WallClock.microseconds()
        cache.beginPass()

        let pids: [Int32]
        do {
            pids = try procfs.listPIDs()
        } catch {
            logger.error("cannot list processes; scan skipped", metadata: ["error": "\(error)"])
            summary.coverage = .partial
            return ScanReport(summary: summary, processes: [])
        }

        var records: [ProcessRecord] = []
        records.reserveCapacity(pids.count)
        var jobs: [DigestCacheKey: JobTargets] = [:]
        var cacheHits = Set<DigestCacheKey>()
        /// The cached digest of `identity` (a cache hit of the scan's
        /// processes unless `countsAsHit` is false); else nil, after queueing
        /// one job per identity and recording in it who waits for the digest.
        func cachedOrQueued(
            _ file: OpenFile, _ identity: FileIdentity, ssdeep: Bool, countsAsHit: Bool = true,
            waiter: (inout JobTargets) -> Void
        ) -> ImageDigest? {
            if let digest = cache.lookup(identity.cacheKey) {
                if countsAsHit { cacheHits.insert(identity.cacheKey) }
                return digest
            }
            waiter(
                &jobs[
                    identity.cacheKey,
                    default: JobTargets(request: .init(file: file, identity: identity, ssdeep: ssdeep))])
            return nil
        }
        let deadline = started + limits.enumerationTimeout

        let hostRoot = HostRoot(procfs: procfs)
        let hidden = procfs.hiddenProcesses()
        var allowDigests: [String: ByteString] = [:]
        var memfdRecords: [Int] = []
        let objects =
            limits.sharedObjects
            ? ObjectClassifier(ignorePaths: limits.ignorePaths, hostRoot: hostRoot, preloads: preloads) : nil

        for (n, pid) in pids.enumerated() {
            if n & 31 == 0, clock.now >= deadline {
                summary.skippedByDeadline = pids.count - n
                logger.warning(
                    "enumeration deadline reached; remaining processes skipped until the next scan",
                    metadata: ["skipped": "\(pids.count - n)", "of": "\(pids.count)"])
                break
            }
            // Whatever /proc/<pid> shows under a mount over it is not the
            // process: nothing is read there (SPEC §2 Hidden processes).
            if let mount = hidden[pid] {
                var record = ProcessRecord(pid: pid, exeState: .hidden)
                record.hiddenBy = mount
                records.append(record)
                continue
            }
            let c = classifier.classify(pid: pid, hostRoot: hostRoot, objects: objects)
            var record = c.record
            let index = records.count
            if let path = record.exe, Glob.matches(path, anyOf: limits.ignorePaths) {
                record.unhashedReason = .ignored
                records.append(record)
                continue
            }
            if record.exeState == .memfd { memfdRecords.append(index) }
            if let file = c.image, let identity = record.image {
                if let ssdeep = ssdeepWanted(identity) {
                    record.digest = cachedOrQueued(file, identity, ssdeep: ssdeep) { $0.imageOf.append(index) }
                } else {
                    record.unhashedReason = .tooLarge
                }
            }
            if let file = c.onDisk, let identity = record.onDiskImage, let ssdeep = ssdeepWanted(identity) {
                record.onDiskDigest = cachedOrQueued(file, identity, ssdeep: ssdeep) { $0.onDiskOf.append(index) }
            }
            records.append(record)
        }

        // The allowlisted images a memfd may be a clone of, read only when a
        // memfd runs, and only under the host's root: a container's own
        // /usr/bin/runc is as writable as the container.
        if !memfdRecords.isEmpty {
            for path in limits.memfdAllowImages {
                guard let fd = try? hostRoot.open(path, followLast: true) else { continue }
                let file = OpenFile(adopting: fd)
                guard let identity = try? file.status(), identity.isRegularFile, let ssdeep = ssdeepWanted(identity)
                else { continue }
                let cached = cachedOrQueued(file, identity, ssdeep: ssdeep, countsAsHit: false) {
                    $0.allowImages.append(path)
                }
                if let digest = cached { allowDigests[digest.sha256] = allowDigests[digest.sha256] ?? path }
            }
        }

        preloads = objects?.preloads ?? [:]

        // Images left pending last time go first.
        let ordered = jobs.sorted { a, b in
            let pa = pending.contains(a.key)
            let pb = pending.contains(b.key)
            return pa != pb ? pa : a.value.request.identity.size < b.value.request.identity.size
        }
        let outcomes = pool.run(ordered.map(\.value.request), budget: limits.hashBudget, timeout: limits.hashTimeout)
        pending.removeAll(keepingCapacity: true)
        for ((key, targets), outcome) in zip(ordered, outcomes) {
            summary.bytesHashed += outcome.bytesRead
            switch outcome {
            case .digest(let digest, _):
                cache.store(digest, for: key)
                summary.hashed += 1
                if digest.degraded { summary.ssdeepFailures += 1 }
                for i in targets.imageOf { records[i].digest = digest }
                for i in targets.onDiskOf { records[i].onDiskDigest = digest }
                for path in targets.allowImages { allowDigests[digest.sha256] = allowDigests[digest.sha256] ?? path }
            case .unhashed(let reason, _):
                if reason != .timeout { pending.insert(key) }
                for i in targets.imageOf { records[i].unhashedReason = reason }
            }
        }
        cache.endPass()
        for i in memfdRecords {
            if let sha256 = records[i].digest?.sha256 { records[i].memfdAllowImage = allowDigests[sha256] }
        }

        summary.processes = records.count
        summary.executables = Set(records.lazy.filter(\.exeState.hasImage).compactMap { $0.image?.key }).count
        summary.cacheHits = cacheHits.count
        if summary.skippedByDeadline > 0 || records.contains(where: { $0.exeState == .inaccessible }) {
            summary.coverage = .partial
        }
        summary.durationMicroseconds = (clock.now - started).microseconds
        logger.debug(
            "scan finished",
            metadata: [
                "scan_id": "\(summary.scanID)", "processes": "\(summary.processes)",
                "hashed": "\(summary.hashed)", "cache_hits": "\(summary.cacheHits)",
            ])
        return ScanReport(summary: summary, processes: records)
    }

}
