/// The daemon's settings: every key of `/etc/procwarden/procwarden.conf`
/// (SPEC §5), initialised to the spec's defaults. Time spans are whole
/// seconds. `ConfigLoader` fills it from the files; `SettingsOverrides`
/// layers D-Bus changes over it.
public struct Configuration: Sendable, Equatable {
    // [Scan]
    /// `IntervalSec`: time between the starts of two scheduled scans.
    public var interval: Duration = .seconds(30)
    /// `EnumerationTimeoutSec`: deadline for walking /proc.
    public var enumerationTimeout: Duration = .seconds(5)
    /// `IgnorePaths`: fnmatch(3) globs over executable paths (`*` also matches
    /// `/`); matching executables are neither hashed nor alerted on.
    public var ignorePaths: [String] = []
    /// `SharedObjects`: read /proc/<pid>/maps and check the mapped code
    /// (libraries, a loader-run program, preloads) as well as the exe.
    public var sharedObjects: Bool = true
    /// `NewProcessIntervalSec`: how often /proc is listed for processes
    /// not seen before (SPEC §15); zero turns the pass off.
    public var newProcessInterval: Duration = .milliseconds(500)
    /// `Watch`: inotify on the directories of running images and objects.
    public var watch: Bool = true

    // [Packages]
    /// `Verify`: look images and objects up in the root's dpkg database
    /// and compare them with the MD5 their package recorded.
    public var verifyPackages: Bool = true
    /// `VerifyOtherRoots`: use a container's or chroot's own database too
    /// (as writable as the container; off by default).
    public var verifyOtherRoots: Bool = false

    // [Hashing]
    /// `Ssdeep`: compute ssdeep digests next to SHA-256.
    public var ssdeep: Bool = true
    /// `SsdeepEngine`: what generates the ssdeep digests; both give the same.
    public var ssdeepEngine: SsdeepEngine = .native
    /// `HashBudgetSec`: time the hash pass of one scan may take.
    public var hashBudget: Duration = .seconds(30)
    /// `HashTimeoutSec`: time one file may take before it is abandoned.
    public var hashTimeout: Duration = .seconds(10)
    /// `MaxFileSize`: larger images get SHA-256 but no ssdeep, in bytes.
    public var maxFileSize: UInt64 = 512 << 20
    /// `MaxHashSize`: larger images are not hashed at all (`too_large`), in
    /// bytes; at least `MaxFileSize`.
    public var maxHashSize: UInt64 = 4 << 30
    /// `HashWorkers`: hashing threads; nil (`auto`) means one per CPU.
    public var hashWorkers: Int? = nil

    // [Alerts]
    /// `SimilarityThreshold`: ssdeep similarity (0–100) below which a content
    /// change is `integrity.binary_change` rather than `integrity.binary_update`.
    public var similarityThreshold: Int = 80
    /// `DedupWindowSec`: the same dedup key alerts once per window; 0 turns
    /// deduplication off.
    public var dedupWindow: Duration = .seconds(300)
    /// `RateLimitIntervalSec`: the token bucket's refill interval.
    public var rateLimitInterval: Duration = .seconds(60)
    /// `RateLimitBurst`: alerts allowed per `RateLimitIntervalSec`.
    public var rateLimitBurst: Int = 100
    /// `MemfdAllow`: fnmatch(3) globs over memfd names that may execute
    /// without `integrity.memfd_exec`.
    public var memfdAllow: [String] = ["runc_cloned:*"]
    /// `MemfdAllowImages`: a memfd with an allowlisted name passes only when
    /// its SHA-256 is that of the current file at one of these paths (runc
    /// and crun clone their own binary into the memfd).
    public var memfdAllowImages: [String] = ["/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun", "/usr/sbin/crun"]
    /// `MaxBaselines`: baselines kept; the least recently seen go first.
    public var maxBaselines: Int = 65_536
    /// `ScanSummaryEverySec`: a scan summary entry is logged when something
    /// changed, and otherwise at most this often; 0 means only on change.
    public var scanSummaryEvery: Duration = .seconds(3600)
    /// `UntrustedCodePaths`: fnmatch(3) globs over paths from which no code
    /// should run; an executable or executable mapping there raises
    /// `integrity.untrusted_code`.
    public var untrustedCodePaths: [String] = ["/tmp/*", "/var/tmp/*", "/dev/shm/*", "/run/user/*"]
    /// `UntrustedCodeAllow`: exceptions to `UntrustedCodePaths`.
    public var untrustedCodeAllow: [String] = []
    /// `PreloadAllow`: fnmatch(3) globs over `LD_PRELOAD` objects that raise
    /// no `integrity.preload`.
    public var preloadAllow: [String] = []
    /// `MemfdMapAllow`: fnmatch(3) globs over the names of memfds that may
    /// be mapped executable (the .NET runtime's JIT double mapping).
    public var memfdMapAllow: [String] = ["doublemapper*"]

    public init() {}

    /// The spec's defaults, written only here: the engine's settings types
    /// (`ScanLimits`, `RuleSettings`, `AlertLimits`, …) start from these.
    public static let defaults = Configuration()
}
