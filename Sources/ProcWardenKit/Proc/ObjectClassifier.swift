import Glibc

/// Classifies the files a process maps executable (SPEC §2 Shared
/// objects): reads /proc/<pid>/maps and looks each object's path up under
/// the process's root, then the host's, as `ExeClassifier` does for the exe.
///
/// One per scan: an object seen on disk by one process is not looked up
/// again for another process of the same mount namespace and root. What
/// one scan read per process (`Memory`) is handed to the next.
public final class ObjectClassifier {
    /// `IgnorePaths`: objects whose path matches are left out.
    let ignorePaths: [String]
    let hostRoot: HostRoot?
    private var known: [LookupKey: ObjectRecord] = [:]
    /// Whole processes' objects by what decides them: the processes of one
    /// image in one namespace and root share one array.
    private var knownLists: [ListKey: [ObjectRecord]] = [:]
    /// What the scans read, updated in place: handed from one scan's
    /// classifier to the next.
    public private(set) var memory: Memory
    /// The non-empty /etc/ld.so.preload of each root read so far, by the
    /// root's identity (nil when the root has none).
    public private(set) var rootPreloads: [ImageKey: ByteString?] = [:]
    /// Whether the file at each object's path is opened for the hash pass.
    let opensFiles: Bool
    /// Files opened since the last `takeOpened()`; each key once per scan.
    private var opened: [OpenedObject] = []
    private var openedKeys: Set<ObjectFile.Key> = []

    /// The file at an object's path, opened for hashing.
    public struct OpenedObject {
        public var key: ObjectFile.Key
        public var file: OpenFile
        public var identity: FileIdentity
    }

    /// What a scan's classifier hands the next, per process: the
    /// executable mappings last read from maps, and `LD_PRELOAD`.
    public struct Memory: Sendable {
        var maps: [ProcessIdentity: Maps] = [:]
        /// Numbers the scans; each entry carries the last that used it.
        var generation: UInt32 = 0
        var fullScans = 0
        /// One copy of each mapping list and namespace name read, shared
        /// by the processes that show it (most run a few images).
        var interned: Set<[MappedObject]> = []
        var namespaces: Set<ByteString> = []

        /// Drops what no process's maps refer to any more.
        mutating func pruneInterned() {
            interned = Set(maps.values.lazy.map(\.mapped))
            namespaces = Set(maps.values.lazy.map(\.namespace))
        }

        public init() {}

        /// What a scan that saw every process did not use: processes gone.
        mutating func forgetUnused() {
            let gone = maps.compactMap { $0.value.generation == generation ? nil : $0.key }
            for key in gone { maps[key] = nil }
        }

        /// What was read of `pids`, which a targeted scan reads afresh: the
        /// event that asked for it may have changed them.
        public mutating func forget(pids: Set<Int32>) {
            for key in maps.keys.filter({ pids.contains($0.pid) }) { maps[key] = nil }
        }
    }

    /// A process's executable mappings as last read, and what would show
    /// that they may have changed.
    struct Maps: Sendable {
        /// /proc/<pid>/stat field 23 then: mapping or unmapping anything
        /// moves it.
        var virtualSize: UInt64
        var namespace: ByteString
        var mapped: [MappedObject]
        /// `LD_PRELOAD` from /proc/<pid>/environ, once `preloadRead`. Pid
        /// and start time survive execve(2), and so does this entry only
        /// while `exe` is the same: the environment is read again after an
        /// exec (SPEC §2).
        var preload: ByteString? = nil
        var exe: ImageKey?
        var preloadRead = false
        /// Scans since the maps were read.
        var age: UInt8
        var generation: UInt32
    }

    /// Reading maps is most of a warm scan's cost (the kernel formats
    /// every mapping). A process whose exe and virtual size are unchanged
    /// reuses the mappings it showed last time, and reads them again at
    /// least every this many scans: a library swapped for one of exactly
    /// the same size by munmap and mmap inside the process goes unseen at
    /// most that long. Classification (deleted, replaced) is redone every
    /// scan either way.
    public static let mapsRereadEvery = 10

    /// What decides an object's state, apart from time: where it is looked
    /// up (mount namespace and root) and what the maps line says.
    private struct LookupKey: Hashable {
        var namespace: ByteString
        var root: ImageKey?
        var key: ImageKey
        var printed: ByteString
    }

    private struct ListKey: Hashable {
        var namespace: ByteString
        var root: ImageKey?
        var mapped: [MappedObject]
    }

    /// `memory`: what the previous scan's classifier read, reused for
    /// processes that have not changed since. `opensFiles`: whether
    /// objects are opened for the hash pass.
    public init(ignorePaths: [String], hostRoot: HostRoot?, memory: Memory = Memory(), opensFiles: Bool = true) {
        self.ignorePaths = ignorePaths
        self.hostRoot = hostRoot
        self.opensFiles = opensFiles
        self.memory = memory
        self.memory.generation &+= 1
    }

    /// `LD_PRELOAD` from /proc/<pid>/environ, read once per process and
    /// exe (kept with its maps; read every time for a process whose maps
    /// could not be read).
    func preload(_ dir: borrowing ProcessDirectory, process: ProcessIdentity, exe: ImageKey?) -> ByteString? {
        if let maps = memory.maps[process], maps.exe == exe, maps.preloadRead { return maps.preload }
        let value = (try? dir.read("environ", limit: 1 << 20)).flatMap { Preload.value(inEnviron: $0) }
        if memory.maps[process]?.exe == exe {
            memory.maps[process]?.preload = value
            memory.maps[process]?.preloadRead = true
        }
        return value
    }

    /// Keeps maps read now, with the `LD_PRELOAD` read for the same exe.
    private func store(_ fresh: Maps, for process: ProcessIdentity) {
        var fresh = fresh
        if let old = memory.maps[process], old.exe == fresh.exe, old.preloadRead {
            fresh.preload = old.preload
            fresh.preloadRead = true
        }
        memory.maps[process] = fresh
    }

    /// The objects of the process behind `dir`, whose root is `root`; empty
    /// when maps cannot be read (the process vanished, or it is denied).
    /// A mapping of the exe itself is included; the rules tell it apart.
    /// `exe` is the exe's path: when it names a dynamic loader, the mapping
    /// of the program it runs is marked `loadedProgram`.
    /// `exeKey` is the exe's identity: its own mapping is not opened again.
    /// `virtualSize` is stat's field 23 now (see `mapsRereadEvery`).
    func classify(
        _ dir: borrowing ProcessDirectory, exe: ByteString?, exeKey: ImageKey?, root processRoot: ImageKey?,
        startTime: UInt64, virtualSize: UInt64
    ) -> [ObjectRecord] {
        let process = ProcessIdentity(pid: dir.pid, startTime: startTime)
        let root = processRoot == hostRoot?.identity ? nil : processRoot
        var objects: [ObjectRecord]
        var unsettled: Bool
        if var last = memory.maps[process], last.exe == exeKey, last.virtualSize == virtualSize, virtualSize != 0,
            Int(last.age) + 1 < Self.mapsRereadEvery
        {
            last.age += 1
            last.generation = memory.generation
            memory.maps[process] = last
            (objects, unsettled) = classify(last, dir, root: root, exeKey: exeKey)
            // The kernel's " (deleted)" mark tells deleted from replaced:
            // a finding is decided on maps read now.
            if unsettled {
                guard let fresh = readMaps(dir, exeKey: exeKey, virtualSize: virtualSize, age: 0) else { return [] }
                store(fresh, for: process)
                (objects, unsettled) = classify(fresh, dir, root: root, exeKey: exeKey)
            }
        } else {
            // Spread over the scans, so that not every process is reread in the same one.
            let age = memory.maps[process] == nil ? UInt8(Int(dir.pid) % Self.mapsRereadEvery) : 0
            guard let fresh = readMaps(dir, exeKey: exeKey, virtualSize: virtualSize, age: age) else { return [] }
            store(fresh, for: process)
            (objects, unsettled) = classify(fresh, dir, root: root, exeKey: exeKey)
        }
        // A lookup through /proc/<pid>/root fails once the process exits;
        // only a process still alive has objects that are really gone.
        if unsettled, !isAlive(dir, startTime: startTime) { return [] }
        if let exe, LoadedProgram.isLoader(exe), let program = loadedProgram(dir),
            let n = objects.firstIndex(where: { $0.path == program && $0.state != .memfd })
        {
            objects[n].kind = .loadedProgram
        }
        return objects
    }

    private func readMaps(_ dir: borrowing ProcessDirectory, exeKey: ImageKey?, virtualSize: UInt64, age: UInt8)
        -> Maps?
    {
        guard let bytes = try? dir.read("maps", limit: 64 << 20) else { return nil }
        let namespace = (try? dir.readLink("ns/mnt")) ?? ""
        let mapped = ProcMaps.objects(in: bytes)
        return Maps(
            virtualSize: virtualSize, namespace: memory.namespaces.insert(namespace).memberAfterInsert,
            mapped: memory.interned.insert(mapped).memberAfterInsert, exe: exeKey, age: age,
            generation: memory.generation)
    }

    /// Each mapping of `maps` classified; whether any is neither on disk
    /// nor a memfd.
    private func classify(_ maps: Maps, _ dir: borrowing ProcessDirectory, root: ImageKey?, exeKey: ImageKey?)
        -> (objects: [ObjectRecord], unsettled: Bool)
    {
        let list = ListKey(namespace: maps.namespace, root: root, mapped: maps.mapped)
        if let cached = knownLists[list] { return (cached, false) }
        var objects: [ObjectRecord] = []
        objects.reserveCapacity(maps.mapped.count)
        var unsettled = false
        defer { if !unsettled { knownLists[list] = objects } }
        for mapped in maps.mapped {
            let lookup = LookupKey(namespace: maps.namespace, root: root, key: mapped.key, printed: mapped.printed)
            if let cached = known[lookup] {
                objects.append(cached)
                continue
            }
            guard let object = classify(mapped, dir, root: root) else { continue }
            // Only what holds for every process of the namespace is kept: a
            // miss may mean this process exited meanwhile.
            if object.state == .onDisk || object.state == .memfd {
                known[lookup] = object
            } else {
                unsettled = true
            }
            if opensFiles, object.key != exeKey { open(object, dir) }
            objects.append(object)
        }
        return (objects, unsettled)
    }

    /// The mount namespace (the `ns/mnt` link) that the last maps read of
    /// `process` recorded, if the process ran `exe` then; nil when unknown
    /// or unreadable.
    func namespace(of process: ProcessIdentity, exe: ImageKey) -> ByteString? {
        guard let maps = memory.maps[process], maps.exe == exe, !maps.namespace.isEmpty else { return nil }
        return maps.namespace
    }

    /// Ends the scan (`full`: one that saw every process): forgets the
    /// processes it did not see, and every `mapsRereadEvery` scans the
    /// interned lists no process shows any more.
    public func finish(full: Bool) {
        guard full else { return }
        memory.forgetUnused()
        memory.fullScans += 1
        if memory.fullScans % Self.mapsRereadEvery == 0 { memory.pruneInterned() }
    }

    /// The contents of /etc/ld.so.preload in the root of the process
    /// behind `dir` (identified by `root`), read once per root and scan;
    /// nil when it is missing, unreadable or holds only white space.
    func rootPreload(_ dir: borrowing ProcessDirectory, root: ImageKey) -> ByteString? {
        if let known = rootPreloads[root] { return known }
        // Followed like the loader follows it, but never blocking: a FIFO
        // (or anything but a regular file) there is read as nothing.
        var bytes: [UInt8] = []
        if let fd = try? dir.openInRoot(ByteString(Preload.systemFile), followLast: true) {
            let file = OpenFile(adopting: fd)
            if let identity = try? file.status(), identity.isRegularFile {
                bytes = file.read(limit: Preload.systemFileLimit)
            }
        }
        let content = Preload.objects(in: ByteString(bytes)).isEmpty ? nil : ByteString(bytes)
        rootPreloads[root] = content
        return content
    }

    /// The files opened since the last call, for the hash pass.
    public func takeOpened() -> [OpenedObject] {
        defer { opened.removeAll(keepingCapacity: true) }
        return opened
    }

    /// Opens the regular file at `object`'s path under the root it resolved
    /// in, once per key and scan. A path that opens nowhere is left out.
    private func open(_ object: ObjectRecord, _ dir: borrowing ProcessDirectory) {
        guard let key = object.fileKey, object.state != .inaccessible, openedKeys.insert(key).inserted else {
            return
        }
        let fd: Int32?
        if key.root == nil, let hostRoot {
            fd = try? hostRoot.open(key.path)
        } else {
            fd = try? dir.openInRoot(key.path)
        }
        guard let fd else { return }
        let file = OpenFile(adopting: fd)
        guard let identity = try? file.status(), identity.isRegularFile else { return }
        opened.append(OpenedObject(key: key, file: file, identity: identity))
    }

    /// The program named by /proc/<pid>/cmdline when the exe is a dynamic
    /// loader. Only a path that is one of the process's executable
    /// mappings counts: a process can rewrite its cmdline.
    private func loadedProgram(_ dir: borrowing ProcessDirectory) -> ByteString? {
        guard let cmdline = try? dir.read("cmdline", limit: 1 << 20) else { return nil }
        return LoadedProgram.program(inCmdline: cmdline, cwd: try? dir.readLink("cwd"))
    }

    /// One object; nil when `IgnorePaths` covers it.
    private func classify(_ mapped: MappedObject, _ dir: borrowing ProcessDirectory, root: ImageKey?) -> ObjectRecord? {
        if let name = mapped.memfdName {
            var object = ObjectRecord(
                key: mapped.key, path: ByteString(MappedObject.memfdPrefix + name.bytes), state: .memfd)
            object.memfdName = name
            return object
        }
        let candidates = mapped.pathCandidates
        guard let likely = candidates.first else { return nil }
        if candidates.contains(where: { Glob.matches($0, anyOf: ignorePaths) }) { return nil }

        var found: (path: ByteString, st: stat, hostRoot: Bool)?
        var denied = false
        for path in candidates {
            do throws(SystemError) {
                let st = try dir.statInRoot(path)
                if ImageKey(st) == mapped.key { return onDisk(mapped, path, root: root) }
                if found == nil { found = (path, st, false) }
            } catch {
                if error.meansDenied { denied = true }
            }
        }
        if let hostRoot {
            for path in candidates {
                do throws(SystemError) {
                    let st = try hostRoot.stat(path)
                    if ImageKey(st) == mapped.key { return onDisk(mapped, path, root: nil) }
                    if found == nil { found = (path, st, true) }
                } catch {
                    if error.meansDenied { denied = true }
                }
            }
        }
        guard let found else {
            // Nothing at any candidate path.
            var object = ObjectRecord(key: mapped.key, path: likely, state: denied ? .inaccessible : .deleted)
            object.keyRoot = root
            return object
        }
        var object = ObjectRecord(key: mapped.key, path: found.path, state: .replaced)
        object.keyRoot = found.hostRoot ? nil : root
        if mapped.markedDeleted {
            object.state = .deleted
        } else if !Self.identityDecidable(mapped.key, ImageKey(found.st)) {
            object.state = .onDisk
            object.identityUnverified = true
        }
        return object
    }

    private func onDisk(_ mapped: MappedObject, _ path: ByteString, root: ImageKey?) -> ObjectRecord {
        var object = ObjectRecord(key: mapped.key, path: path, state: .onDisk)
        object.keyRoot = root
        return object
    }

    /// Whether a differing (dev, ino) proves another file (SPEC §2 identity
    /// caveat). On overlayfs, kernels before about 6.8 print the lower
    /// layer's device and inode in maps; on btrfs the device differs per
    /// subvolume. Only an inode that differs on the same device proves it;
    /// a differing device leaves the identity undecided.
    static func identityDecidable(_ mapped: ImageKey, _ atPath: ImageKey) -> Bool {
        mapped.device == atPath.device
    }

    private func isAlive(_ dir: borrowing ProcessDirectory, startTime: UInt64) -> Bool {
        guard let bytes = try? dir.read("stat", limit: 2048, oneRecord: true), let st = try? ProcStat(parsing: bytes)
        else {
            return false
        }
        return st.startTime == startTime && !st.isZombie
    }
}
