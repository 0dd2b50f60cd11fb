import Glibc

/// The knobs of one scan (SPEC §5 `[Scan]` and `[Hashing]`), with the
/// defaults of `Configuration`.
public struct ScanLimits: Sendable, Equatable {
    public var enumerationTimeout: Duration = Configuration.defaults.enumerationTimeout
    public var hashBudget: Duration = Configuration.defaults.hashBudget
    public var hashTimeout: Duration = Configuration.defaults.hashTimeout
    /// Larger images get SHA-256 only (no ssdeep).
    public var maxFileSize: UInt64 = Configuration.defaults.maxFileSize
    /// Larger images are not hashed (`too_large`).
    public var maxHashSize: UInt64 = Configuration.defaults.maxHashSize
    /// `MemfdAllowImages`, hashed (under the host's root) only when a memfd runs.
    public var memfdAllowImages: [ByteString] = Configuration.defaults.memfdAllowImages.map { ByteString($0) }
    /// nil means one per CPU.
    public var hashWorkers: Int? = Configuration.defaults.hashWorkers
    public var ssdeep: Bool = Configuration.defaults.ssdeep
    public var ssdeepEngine: SsdeepEngine = Configuration.defaults.ssdeepEngine
    /// `IgnorePaths`: fnmatch(3) globs; matching executables are not hashed.
    public var ignorePaths: [String] = Configuration.defaults.ignorePaths
    /// `SharedObjects`: read /proc/<pid>/maps and classify the mapped code.
    public var sharedObjects: Bool = Configuration.defaults.sharedObjects
    /// `[Packages] Verify` and `VerifyOtherRoots`.
    public var verifyPackages: Bool = Configuration.defaults.verifyPackages
    public var verifyOtherRoots: Bool = Configuration.defaults.verifyOtherRoots

    /// Hash only what `needs-restart` judges: the running images of
    /// deleted or replaced executables and the files now at the paths of
    /// deleted or replaced images and objects; nothing that is on disk as
    /// it runs. Never set from the configuration.
    public var staleFilesOnly = false

    public init() {}

    public var effectiveHashWorkers: Int {
        hashWorkers ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
