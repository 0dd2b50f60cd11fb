import Glibc

/// Decides each process's `exe_state` (SPEC §2) and opens the files the hash
/// pass will read.
public struct ExeClassifier: Sendable {
    /// The kernel's marker on the exe link of an unlinked image.
    static let deletedSuffix: ByteString = " (deleted)"
    static let memfdPrefix: ByteString = "/memfd:"

    public var procfs: ProcFS

    public init(procfs: ProcFS) { self.procfs = procfs }

    /// One classified process and the open files behind it.
    public struct Classification: Sendable {
        public var record: ProcessRecord
        /// The running image, opened through /proc/<pid>/exe.
        public var image: OpenFile?
        /// The file now at the path, for deleted/replaced images.
        public var onDisk: OpenFile?
        /// The exe link as read, for `ExeMemory`.
        var link: ByteString?
    }

    /// Classifies one pid. Never throws: ENOENT/ESRCH make it `vanished`,
    /// EACCES/EPERM `inaccessible`, anything else is recorded in `failure`.
    /// A path that misses under the process's root is tried under
    /// `hostRoot` (SPEC §2 Roots) before the image counts as replaced.
    /// With `objects`, a process that has an image also gets its mapped
    /// objects classified, through the same open /proc/<pid>.
    ///
    /// The image is identified by stat(2) through /proc/<pid>/exe and opened
    /// only when `wantsImage` says the hash pass needs it (not cached, not
    /// queued already): a warm scan opens nothing. An image opened is used
    /// only when fstat(2) of the fd shows the identity classified (an exec
    /// in between leaves it for the next scan).
    ///
    /// `memory` carries what the last scan read of each process (see
    /// `ExeMemory`).
    public func classify(
        pid: Int32, hostRoot: HostRoot? = nil, objects: ObjectClassifier? = nil, memory: ExeMemory? = nil,
        wantsImage: (ProcessRecord) -> Bool = { _ in true }
    ) -> Classification {
        var record = ProcessRecord(pid: pid, exeState: .vanished)
        do throws(SystemError) {
            let dir = try procfs.openProcess(pid)
            var result = try classify(dir, hostRoot: hostRoot, memory: memory, objects: objects, into: &record)
            if result.record.exeState.hasImage, let identity = result.record.image, wantsImage(result.record) {
                result.image = openImage(dir, identity)
            }
            // A process whose exe `IgnorePaths` covers is left out whole.
            if let objects, result.record.exeState.hasImage, let startTime = result.record.startTime,
                !Glob.matches(result.record.exe ?? "", anyOf: objects.ignorePaths)
            {
                result.record.objects = objects.classify(
                    dir, exe: result.record.exe, exeKey: result.record.image?.key, root: result.record.root,
                    startTime: startTime, virtualSize: result.record.virtualSize)
                if let root = result.record.root { _ = objects.rootPreload(dir, root: root) }
                result.record.preload = objects.preload(
                    dir, process: ProcessIdentity(pid: pid, startTime: startTime), exe: result.record.image?.key)
            }
            return result
        } catch {
            record.exeState = error.meansDenied ? .inaccessible : .vanished
            if !error.meansDenied && !error.meansVanished { record.failure = error.description }
            return Classification(record: record)
        }
    }

    private func classify(
        _ dir: borrowing ProcessDirectory, hostRoot: HostRoot?, memory: ExeMemory?, objects: ObjectClassifier?,
        into record: inout ProcessRecord
    ) throws(SystemError) -> Classification {
        let statBytes = try dir.read("stat", limit: 2048, oneRecord: true)
        let stat: ProcStat
        do {
            stat = try ProcStat(parsing: statBytes)
        } catch {
            record.exeState = .inaccessible
            record.failure = error.description
            return Classification(record: record)
        }
        let seen = memory?.seen(pid: dir.pid, startTime: stat.startTime)
        record.startTime = stat.startTime
        record.virtualSize = stat.virtualSize
        record.comm = seen?.comm == stat.comm ? seen?.comm : stat.comm
        record.uid = try? dir.effectiveUID()
        if stat.isKernelThread {
            record.exeState = .kernel
            return Classification(record: record)
        }
        if stat.isZombie {
            record.exeState = .zombie
            return Classification(record: record)
        }

        for _ in 0..<Self.execRetries {
            if let result = try classifyImage(
                dir, stat: stat, hostRoot: hostRoot, seen: seen, memory: memory, objects: objects, into: &record)
            {
                if let memory, let identity = result.record.image, let link = result.link {
                    memory.remember(
                        pid: dir.pid,
                        .init(
                            startTime: stat.startTime, link: link, image: identity.key,
                            ctimeNanoseconds: identity.ctimeNanoseconds, comm: result.record.comm))
                }
                return result
            }
        }
        throw SystemError("exe of /proc/\(dir.pid) changed on every read", errno: ESRCH)
    }

    /// The image part of `classify`; nil when the process exec'd while it
    /// was being classified.
    private func classifyImage(
        _ dir: borrowing ProcessDirectory, stat: ProcStat, hostRoot: HostRoot?, seen: ExeMemory.Seen?,
        memory: ExeMemory?, objects: ObjectClassifier?, into record: inout ProcessRecord
    ) throws(SystemError) -> Classification? {
        let (target, identity) = try identifyImage(dir, seen: seen)
        // The mount namespace, as the last maps read of the same process
        // and image recorded it: a setns(2) takes effect for the image by
        // an exec, which changes the image.
        let namespace = objects?.namespace(
            of: ProcessIdentity(pid: dir.pid, startTime: stat.startTime), exe: identity.key)
        var result = try classifyImage(
            dir, target: target, identity: identity, stat: stat, hostRoot: hostRoot,
            lookups: namespace.flatMap { ns in memory.map { (ns, $0) } }, into: &record)
        result?.link = target
        return result
    }

    private func classifyImage(
        _ dir: borrowing ProcessDirectory, target: ByteString, identity: FileIdentity, stat: ProcStat,
        hostRoot: HostRoot?, lookups: (namespace: ByteString, memory: ExeMemory)?, into record: inout ProcessRecord
    ) throws(SystemError) -> Classification? {
        record.image = identity
        record.root = try? ImageKey(dir.statRoot())
        let processKeyRoot = record.root == hostRoot?.identity ? nil : record.root
        record.keyRoot = processKeyRoot

        if target.hasPrefix(Self.memfdPrefix) {
            record.exeState = .memfd
            // A memfd is never linked, so the kernel always appends the suffix.
            let path =
                target.hasSuffix(Self.deletedSuffix)
                ? ByteString(target.bytes.dropLast(Self.deletedSuffix.count)) : target
            record.exe = path
            record.memfdName = ByteString(path.bytes.dropFirst(Self.memfdPrefix.count))
            return Classification(record: record)
        }

        let stripped =
            target.hasSuffix(Self.deletedSuffix)
            ? ByteString(target.bytes.dropLast(Self.deletedSuffix.count)) : nil

        if identity.linkCount == 0 {
            record.exeState = .deleted
            record.exe = stripped ?? target
            // Opened before `record` is copied into the result, which must carry onDiskImage.
            let onDisk = openOnDisk(dir, record.exe!, hostRoot: hostRoot, into: &record)
            return Classification(record: record, onDisk: onDisk)
        }

        // Linked somewhere. The suffix alone proves nothing: the file may
        // really be called "x (deleted)", so the literal target is tried first.
        var candidates = [target]
        if let stripped { candidates.append(stripped) }
        let lookup = record.root.flatMap { root in
            lookups.map { ExeMemory.Lookup(namespace: $0.namespace, root: root, path: target, image: identity.key) }
        }
        if let lookup, lookups?.memory.wasFound(lookup) == true {
            record.exeState = .onDisk
            record.exe = target
            return Classification(record: record)
        }
        for path in candidates {
            if let st = try? dir.statInRoot(path), ImageKey(st) == identity.key {
                if let lookup, path == target { lookups?.memory.recordFound(lookup) }
                record.exeState = .onDisk
                record.exe = path
                return Classification(record: record)
            }
        }
        // A chroot, nsenter --root, a daemon that chroots itself after exec
        // (sshd's privilege separation, named, postfix) or nspawn's stub
        // init: the path is the host's. Tried only after a miss, so the
        // common case costs nothing more.
        if let hostRoot {
            for path in candidates {
                if let st = try? hostRoot.stat(path), ImageKey(st) == identity.key {
                    record.exeState = .onDisk
                    record.exe = path
                    record.keyRoot = nil
                    return Classification(record: record)
                }
            }
        }
        try ensureAlive(dir, startTime: stat.startTime)
        // An exec after openImage (same pid, same start time) can make the
        // lookups above fail while the kernel switches the task over; the
        // exe then names another image, which the next attempt classifies.
        guard try readLink(dir) == target, try dir.statExe().key == identity.key else { return nil }
        record.exeState = .replaced
        record.exe = stripped ?? target
        let onDisk = openOnDisk(dir, record.exe!, hostRoot: hostRoot, into: &record)
        return Classification(record: record, onDisk: onDisk)
    }

    /// Reads the exe link and stats the image it names. A process that
    /// execs in between would pair one path with another image and look
    /// `replaced`. The pair is accepted only when the link reads the same
    /// before and after the stat; a process that keeps exec'ing through
    /// every attempt is reported as vanished (the image it had is gone; the
    /// next scan reads a consistent pair).
    /// The same link and image as the process showed last scan (`seen`)
    /// need no second read, and keep last scan's copy of the path.
    private func identifyImage(_ dir: borrowing ProcessDirectory, seen: ExeMemory.Seen?) throws(SystemError) -> (
        ByteString, FileIdentity
    ) {
        for _ in 0..<Self.execRetries {
            let target = try readLink(dir)
            let identity = try dir.statExe()
            if let seen, seen.matches(target, identity) { return (seen.link, identity) }
            guard try readLink(dir) == target else { continue }
            return (target, identity)
        }
        throw SystemError("exe of /proc/\(dir.pid) changed on every read", errno: ESRCH)
    }

    /// The image opened through /proc/<pid>/exe for hashing, when fstat(2)
    /// of the fd still shows `identity` (size and times included, so the
    /// cache key holds for what is read); nil otherwise.
    private func openImage(_ dir: borrowing ProcessDirectory, _ identity: FileIdentity) -> OpenFile? {
        guard let fd = try? dir.openExe() else { return nil }
        let image = OpenFile(adopting: fd)
        guard let opened = try? image.status(), opened.cacheKey == identity.cacheKey else { return nil }
        return image
    }

    static let execRetries = 8

    /// The exe link. A path of 4086–4095 bytes no longer fits once the
    /// kernel appends " (deleted)" (ENAMETOOLONG), which would hide exactly
    /// the images that matter; /proc/<pid>/maps names the same file then.
    private func readLink(_ dir: borrowing ProcessDirectory) throws(SystemError) -> ByteString {
        do {
            return try dir.readExeLink()
        } catch  where error.errno == ENAMETOOLONG {
            let identity = try dir.statExe()
            guard let path = ProcMaps.path(of: identity.key, in: try dir.read("maps", limit: 16 << 20)) else {
                throw error
            }
            return path
        }
    }

    /// The file now at the path of a deleted or replaced image, if it is a
    /// regular file: under the process's root, else under the host's (where
    /// a chrooted process's path lives). `keyRoot` follows the root used.
    private func openOnDisk(
        _ dir: borrowing ProcessDirectory, _ path: ByteString, hostRoot: HostRoot?, into record: inout ProcessRecord
    ) -> OpenFile? {
        var fd = try? dir.openInRoot(path)
        if fd == nil, let hostRoot, let opened = try? hostRoot.open(path) {
            fd = opened
            record.keyRoot = nil
        }
        guard let fd else { return nil }
        let file = OpenFile(adopting: fd)
        guard let identity = try? file.status(), identity.isRegularFile else { return nil }
        record.onDiskImage = identity
        return file
    }

    /// A failed lookup through /proc/<pid>/root may mean the process exited;
    /// re-reading stat tells that apart from a path that really changed.
    private func ensureAlive(_ dir: borrowing ProcessDirectory, startTime: UInt64) throws(SystemError) {
        let again = try dir.read("stat", limit: 2048, oneRecord: true)
        guard let st = try? ProcStat(parsing: again), st.startTime == startTime, !st.isZombie else {
            throw SystemError("stat /proc/\(dir.pid)", errno: ESRCH)
        }
    }
}
