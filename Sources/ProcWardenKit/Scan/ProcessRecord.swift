/// Everything one scan learned about one process. A process that vanished
/// midway is a record too, with what was learned before it went.
public struct ProcessRecord: Sendable, Equatable {
    public var pid: Int32
    /// Field 22 of /proc/<pid>/stat; nil if the process vanished before it was read.
    public var startTime: UInt64?
    /// Field 23 of /proc/<pid>/stat (bytes); 0 when unknown.
    public var virtualSize: UInt64 = 0
    public var uid: UInt32?
    public var comm: ByteString?
    /// The executable's path, with a trailing " (deleted)" removed when the
    /// image really is unlinked. For memfd images, the link target as shown.
    public var exe: ByteString?
    public var exeState: ExeState
    /// fstat of the fd opened through /proc/<pid>/exe.
    public var image: FileIdentity?
    /// Identity of /proc/<pid>/root.
    public var root: ImageKey?
    /// Identity of the root under which `exe` resolved (or the process's
    /// root when it resolved nowhere), nil when that is the host's root.
    /// Baseline keys are qualified by it, so two containers' /usr/bin/x
    /// never compare against each other while a chroot's files, which the
    /// kernel shows by their host path, are keyed like any host file.
    public var keyRoot: ImageKey?
    /// The files mapped executable (`SharedObjects=yes`), the exe's own
    /// mapping included, once each by (dev, ino).
    public var objects: [ObjectRecord] = []
    public var digest: ImageDigest?
    /// What dpkg says of `exe` and whether the running image matches it
    /// (`[Packages] Verify`); nil when no package owns the path.
    public var package: PackageVerdict?
    public var unhashedReason: UnhashedReason?
    /// What most processes never have, boxed: a scan holds a record per
    /// process, twice while the next scan is built.
    private var rare = Self.noRare

    private struct Rare: Sendable, Equatable {
        var memfdName: ByteString?
        var onDiskImage: FileIdentity?
        var hiddenBy: MountInfo.Mount?
        var context: ProcessContext?
        var memfdAllowImage: ByteString?
        var preload: ByteString?
        var onDiskDigest: ImageDigest?
        var packageOnDiskVerified: Bool?
        var failure: String?
    }

    private static let noRare = Boxed(Rare())

    /// Boxes anew only for a new value: most records set nil over nil.
    private mutating func setRare<T: Equatable>(_ field: WritableKeyPath<Rare, T>, _ value: T) {
        guard rare.value[keyPath: field] != value else { return }
        rare.value[keyPath: field] = value
    }

    /// For memfd images: the name given to memfd_create(2).
    public var memfdName: ByteString? {
        get { rare.value.memfdName }
        set { setRare(\.memfdName, newValue) }
    }
    /// fstat of /proc/<pid>/root/<path> when it names another file.
    public var onDiskImage: FileIdentity? {
        get { rare.value.onDiskImage }
        set { setRare(\.onDiskImage, newValue) }
    }
    /// For `hidden`: the mount over /proc/<pid> (or a path in it) found in
    /// the daemon's /proc/self/mountinfo.
    public var hiddenBy: MountInfo.Mount? {
        get { rare.value.hiddenBy }
        set { setRare(\.hiddenBy, newValue) }
    }
    /// Unit, container and root, read only where needed (alerts, the JSON
    /// report); nil until then.
    public var context: ProcessContext? {
        get { rare.value.context }
        set { setRare(\.context, newValue) }
    }
    /// For a memfd image: the `MemfdAllowImages` path whose current file has
    /// the memfd's SHA-256, if any.
    public var memfdAllowImage: ByteString? {
        get { rare.value.memfdAllowImage }
        set { setRare(\.memfdAllowImage, newValue) }
    }
    /// `LD_PRELOAD` in the environment the process started with, if set.
    public var preload: ByteString? {
        get { rare.value.preload }
        set { setRare(\.preload, newValue) }
    }
    public var onDiskDigest: ImageDigest? {
        get { rare.value.onDiskDigest }
        set { setRare(\.onDiskDigest, newValue) }
    }
    /// For a deleted or replaced image: whether the file now at the path
    /// matches the package's record.
    public var packageOnDiskVerified: Bool? {
        get { rare.value.packageOnDiskVerified }
        set { setRare(\.packageOnDiskVerified, newValue) }
    }
    /// A per-item failure that did not fit an exe_state (e.g. a malformed
    /// /proc file); the scan went on.
    public var failure: String? {
        get { rare.value.failure }
        set { setRare(\.failure, newValue) }
    }

    public init(pid: Int32, exeState: ExeState) {
        self.pid = pid
        self.exeState = exeState
    }

    public var identity: ProcessIdentity? {
        startTime.map { ProcessIdentity(pid: pid, startTime: $0) }
    }

    /// The program a loader-run process really runs, if the exe is a
    /// dynamic loader and the program is one of its mappings.
    public var loadedProgram: ObjectRecord? { objects.first { $0.kind == .loadedProgram } }
}

extension ProcessRecord {
    /// One element of the report's `processes` array; unknown values are null.
    public var json: JSONValue { json(settings: RuleSettings()) }

    /// One element of the report's `processes` array, with `libraries`
    /// judged by `settings` and their package verdicts from `objectFiles`;
    /// unknown values are null.
    public func json(settings: RuleSettings, objectFiles: [ObjectFile.Key: ObjectFile] = [:]) -> JSONValue {
        typealias K = ReportKey.Process
        return .object([
            (K.pid, .int(Int64(pid))),
            (K.startTime, startTime.map { .uint($0) } ?? .null),
            (K.uid, uid.map { .uint(UInt64($0)) } ?? .null),
            (K.comm, .optional(comm)),
            (K.exe, .optional(exe)),
            (K.exeState, .string(exeState.rawValue)),
            (K.sha256, .optional(digest?.sha256)),
            (K.ssdeep, .optional(digest?.ssdeep)),
            (K.onDiskSha256, .optional(onDiskDigest?.sha256)),
            (K.degraded, digest.map { .bool($0.degraded) } ?? .null),
            (K.unhashedReason, .optional(unhashedReason?.rawValue)),
            (K.root, .optional(context?.root)),
            (K.unit, .optional(context?.unit)),
            (K.container, .optional(context?.container)),
            (K.package, .optional(package?.package)),
            (K.packageVersion, .optional(package?.version)),
            (K.packageVerified, package?.verified.map { .bool($0) } ?? .null),
            (K.loadedProgram, .optional(loadedProgram?.path)),
            (K.preload, .optional(preload)),
            (K.libraries, librariesJSON(settings: settings, objectFiles: objectFiles)),
        ])
    }
}
