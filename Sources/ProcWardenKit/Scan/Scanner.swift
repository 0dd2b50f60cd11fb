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
    /// The new-process passes between scans (`processChanges`).
    private var newProcesses = NewProcessPass()
    /// What the last scan read per process (`LD_PRELOAD`, maps).
    private var objectMemory = ObjectClassifier.Memory()
    /// What the last scan read of each process's image.
    private var exeMemory = ExeMemory()
    /// The dpkg databases (`[Packages] Verify=yes`); kept across scans.
    private var packages: PackageVerifier?
    /// Database problems already warned about, each once.
    public private(set) var packageProblemsWarned: Set<String> = []
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
        self.packages = Self.packageVerifier(limits, procfs: procfs)
    }

    private static func packageVerifier(_ limits: ScanLimits, procfs: ProcFS) -> PackageVerifier? {
        guard limits.verifyPackages else { return nil }
        return PackageVerifier(
            hostRoot: HostRoot(procfs: procfs).path, procRoot: procfs.root, verifyOtherRoots: limits.verifyOtherRoots)
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
        if newLimits.verifyPackages != limits.verifyPackages || newLimits.verifyOtherRoots != limits.verifyOtherRoots {
            packages = Self.packageVerifier(newLimits, procfs: procfs)
        }
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
        /// The mapped objects whose path holds the file.
        var objectFiles: [ObjectFile.Key] = []
    }

    /// What to do with a file of `identity.size` bytes: nil when it is over
    /// `MaxHashSize`, else whether ssdeep is computed (not over `MaxFileSize`).
    private func ssdeepWanted(_ identity: FileIdentity) -> Bool? {
        identity.size > limits.maxHashSize ? nil : identity.size <= limits.maxFileSize
    }

    /// The processes in /proc that no scan has seen, and those seen that
    /// are gone (`NewProcessPass.changes`).
    public func processChanges() -> (appeared: [Int32], gone: [Int32]) {
        newProcesses.changes(procfs)
    }

    /// Whether the hash pass reads the image `record` runs (`staleFilesOnly`).
    private func wantsRunningImage(_ record: ProcessRecord) -> Bool {
        !limits.staleFilesOnly || record.exeState == .deleted || record.exeState == .replaced
    }

    /// One full cycle, or with `only` a targeted scan of those pids (SPEC
    /// §15): the same classification, hashing and package lookups, while
    /// what the scans keep for everything else (the digest cache, the
    /// images left pending, other processes' maps) is left as it is.
    /// Never throws: per-process failures live in the records.
    /// `id` numbers a full scan; by default one more than the last. A
    /// targeted scan carries the last full scan's id.
    public func scan(id: UInt64? = nil, only: [Int32]? = nil) -> ScanReport {
        let clock = ContinuousClock()
        let started = clock.now
        var summary = ScanSummary()
        if only == nil { lastScanID = id ?? lastScanID + 1 }
        summary.scanID = lastScanID
        summary.startedAtMicroseconds = WallClock.microseconds()
        if only == nil { cache.beginPass() }

        let pids: [Int32]
        do {
            pids = try only ?? procfs.listPIDs()
        } catch {
            logger.error("cannot list processes; scan skipped", metadata: ["error": "\(error)"])
            summary.coverage = .partial
            return ScanReport(summary: summary, processes: [])
        }
        newProcesses.scanned(pids, full: only == nil)
        // Moved, not copied, into this scan's classifier, which updates it
        // in place. A targeted scan reads its processes afresh.
        var memory = ObjectClassifier.Memory()
        swap(&memory, &objectMemory)
        if let only { memory.forget(pids: Set(only)) }

        var records: [ProcessRecord] = []
        records.reserveCapacity(pids.count)
        var jobs: [DigestCacheKey: JobTargets] = [:]
        var cacheHits = Set<DigestCacheKey>()
        /// The cached digest of `identity` (a cache hit of the scan's
        /// processes unless `countsAsHit` is false); else nil, after queueing
        /// one job per identity and recording in it who waits for the digest.
        /// `md5`: a package owns the file, so its MD5 is wanted too (a
        /// cached digest without one is read again).
        /// `file` may be nil when the caller did not open it because it is
        /// cached or queued already; nothing is queued without one.
        func cachedOrQueued(
            _ file: OpenFile?, _ identity: FileIdentity, ssdeep: Bool, md5: Bool = false, countsAsHit: Bool = true,
            waiter: (inout JobTargets) -> Void
        ) -> ImageDigest? {
            if let digest = cache.lookup(identity.cacheKey), !md5 || digest.md5 != nil {
                if countsAsHit { cacheHits.insert(identity.cacheKey) }
                return digest
            }
            let key = identity.cacheKey
            guard let file = jobs[key]?.request.file ?? file else { return nil }
            waiter(&jobs[key, default: JobTargets(request: .init(file: file, identity: identity, ssdeep: ssdeep))])
            if md5 { jobs[key]?.request.md5 = true }
            return nil
        }
        /// What the package database says of `path` under `root`, and
        /// whether the file's MD5 is wanted.
        func packageOwner(_ path: ByteString?, root: ImageKey?, pid: Int32) -> (DpkgIndex.Ownership?, Bool) {
            guard let packages, let path else { return (nil, false) }
            let owner = packages.owner(of: path, root: root, pid: pid)
            return (owner, owner?.md5 != nil && owner?.isConffile == false)
        }
        packages?.beginScan()
        let deadline = clock.now + limits.enumerationTimeout

        let hostRoot = HostRoot(procfs: procfs)
        let hidden = procfs.hiddenProcesses()
        var allowDigests: [String: ByteString] = [:]
        var memfdRecords: [Int] = []
        var objectFiles: [ObjectFile.Key: ObjectFile] = [:]
        var rootPreloads: [ImageKey: RootPreload] = [:]
        exeMemory.beginScan()
        let objects =
            limits.sharedObjects
            ? ObjectClassifier(ignorePaths: limits.ignorePaths, hostRoot: hostRoot, memory: consume memory) : nil

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
            // The image is opened only when the hash pass needs it. What the
            // decision looks up (IgnorePaths, the package) is kept for below.
            var ignored: Bool?
            var lookup: (DpkgIndex.Ownership?, Bool)?
            let c = classifier.classify(pid: pid, hostRoot: hostRoot, objects: objects, memory: exeMemory) { record in
                let isIgnored = Glob.matches(record.exe ?? "", anyOf: limits.ignorePaths)
                ignored = isIgnored
                guard let identity = record.image, !isIgnored, ssdeepWanted(identity) != nil,
                    wantsRunningImage(record)
                else { return false }
                let owner =
                    record.exeState.runsFile ? packageOwner(record.exe, root: record.keyRoot, pid: pid) : (nil, false)
                lookup = owner
                if let digest = cache.lookup(identity.cacheKey), !owner.1 || digest.md5 != nil { return false }
                return jobs[identity.cacheKey] == nil
            }
            var record = c.record
            let index = records.count
            if ignored ?? record.exe.map({ Glob.matches($0, anyOf: limits.ignorePaths) }) ?? false {
                record.unhashedReason = .ignored
                records.append(record)
                continue
            }
            if record.exeState == .memfd { memfdRecords.append(index) }
            let (owner, md5) =
                lookup
                ?? (record.exeState.runsFile ? packageOwner(record.exe, root: record.keyRoot, pid: pid) : (nil, false))
            record.package = owner.map { PackageVerdict($0, digest: nil) }
            if let identity = record.image, wantsRunningImage(record) {
                if let ssdeep = ssdeepWanted(identity) {
                    record.digest = cachedOrQueued(c.image, identity, ssdeep: ssdeep, md5: md5) {
                        $0.imageOf.append(index)
                    }
                } else {
                    record.unhashedReason = .tooLarge
                }
            }
            if let file = c.onDisk, let identity = record.onDiskImage, let ssdeep = ssdeepWanted(identity) {
                record.onDiskDigest = cachedOrQueued(file, identity, ssdeep: ssdeep, md5: md5) {
                    $0.onDiskOf.append(index)
                }
            }
            if let root = record.root, let content = objects?.rootPreloads[root] {
                rootPreloads[
                    root,
                    default: RootPreload(
                        root: root == hostRoot.identity ? nil : root, content: content, firstRecord: index)
                ].processCount += 1
            }
            for opened in objects?.takeOpened() ?? [] {
                let mapped = record.objects.contains { $0.fileKey == opened.key && $0.state == .onDisk }
                var entry = ObjectFile(
                    identity: opened.identity, isMapped: mapped && opened.identity.key == opened.key.mapped,
                    firstRecord: index)
                let (owner, md5) = packageOwner(opened.key.path, root: opened.key.root, pid: pid)
                entry.package = owner.map { PackageVerdict($0, digest: nil) }
                if limits.staleFilesOnly && entry.isMapped {
                    // The object as it runs: not what a restart check reads.
                } else if let ssdeep = ssdeepWanted(opened.identity) {
                    entry.digest = cachedOrQueued(
                        opened.file, opened.identity, ssdeep: ssdeep, md5: md5, countsAsHit: false
                    ) { $0.objectFiles.append(opened.key) }
                } else {
                    entry.unhashedReason = .tooLarge
                }
                objectFiles[opened.key] = entry
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

        if only == nil { exeMemory.endScan() }
        objects?.finish(full: only == nil)
        objectMemory = objects?.memory ?? ObjectClassifier.Memory()

        // Images left pending last time go first.
        let ordered = jobs.sorted { a, b in
            let pa = pending.contains(a.key)
            let pb = pending.contains(b.key)
            return pa != pb ? pa : a.value.request.identity.size < b.value.request.identity.size
        }
        let outcomes = pool.run(ordered.map(\.value.request), budget: limits.hashBudget, timeout: limits.hashTimeout)
        if only == nil { pending.removeAll(keepingCapacity: true) }
        for ((key, targets), outcome) in zip(ordered, outcomes) {
            // A file that is only some process's mapped object counts as an
            // object, reported apart from executables.
            let onlyObjects = targets.imageOf.isEmpty && targets.onDiskOf.isEmpty && targets.allowImages.isEmpty
            if onlyObjects {
                summary.objectBytesHashed += outcome.bytesRead
            } else {
                summary.bytesHashed += outcome.bytesRead
            }
            switch outcome {
            case .digest(let digest, _):
                pending.remove(key)
                cache.store(digest, for: key)
                if onlyObjects { summary.objectsHashed += 1 } else { summary.hashed += 1 }
                if digest.degraded { summary.ssdeepFailures += 1 }
                for i in targets.imageOf { records[i].digest = digest }
                for i in targets.onDiskOf { records[i].onDiskDigest = digest }
                for path in targets.allowImages { allowDigests[digest.sha256] = allowDigests[digest.sha256] ?? path }
                for object in targets.objectFiles { objectFiles[object]?.digest = digest }
            case .unhashed(let reason, _):
                if reason != .timeout { pending.insert(key) }
                for i in targets.imageOf { records[i].unhashedReason = reason }
                for object in targets.objectFiles { objectFiles[object]?.unhashedReason = reason }
            }
        }
        if only == nil { cache.endPass() }
        // Package verdicts, now that the digests (and their MD5s) are known.
        for i in records.indices {
            guard let verdict = records[i].package else { continue }
            records[i].package = verdict.judging(records[i].digest)
            records[i].packageOnDiskVerified = verdict.judging(records[i].onDiskDigest).verified
        }
        for (key, file) in objectFiles {
            guard let verdict = file.package else { continue }
            objectFiles[key]?.package = verdict.judging(file.digest)
        }
        for i in memfdRecords {
            if let sha256 = records[i].digest?.sha256 { records[i].memfdAllowImage = allowDigests[sha256] }
        }

        summary.processes = records.count
        summary.executables = Set(records.lazy.filter(\.exeState.hasImage).compactMap { $0.image?.key }).count
        summary.cacheHits = cacheHits.count
        summary.objects = objectFiles.count
        if summary.skippedByDeadline > 0 || records.contains(where: { $0.exeState == .inaccessible }) {
            summary.coverage = .partial
        }
        for problem in packages?.problems ?? [] where packageProblemsWarned.insert(problem).inserted {
            logger.warning("\(problem)", metadata: [WarningKind.metadataKey: "\(WarningKind.packages.rawValue)"])
        }
        summary.durationMicroseconds = (clock.now - started).microseconds
        logger.debug(
            "scan finished",
            metadata: [
                "scan_id": "\(summary.scanID)", "processes": "\(summary.processes)",
                "hashed": "\(summary.hashed)", "cache_hits": "\(summary.cacheHits)",
            ])
        var report = ScanReport(
            summary: summary, processes: records, objectFiles: objectFiles,
            rootPreloads: rootPreloads.values.sorted { $0.firstRecord < $1.firstRecord })
        report.isTargeted = only != nil
        return report
    }
}
