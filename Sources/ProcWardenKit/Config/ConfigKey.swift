/// A key of `/etc/procwarden/procwarden.conf` (SPEC §5), with its section and
/// valid values. The spelling is fixed by the spec; keys are case-sensitive,
/// as in every systemd configuration file.
public enum ConfigKey: String, Sendable, CaseIterable {
    case intervalSec = "IntervalSec"
    case enumerationTimeoutSec = "EnumerationTimeoutSec"
    case ignorePaths = "IgnorePaths"
    case sharedObjects = "SharedObjects"
    case newProcessIntervalSec = "NewProcessIntervalSec"
    case watch = "Watch"
    case ssdeep = "Ssdeep"
    case ssdeepEngine = "SsdeepEngine"
    case hashBudgetSec = "HashBudgetSec"
    case hashTimeoutSec = "HashTimeoutSec"
    case maxFileSize = "MaxFileSize"
    case maxHashSize = "MaxHashSize"
    case hashWorkers = "HashWorkers"
    case similarityThreshold = "SimilarityThreshold"
    case dedupWindowSec = "DedupWindowSec"
    case rateLimitIntervalSec = "RateLimitIntervalSec"
    case rateLimitBurst = "RateLimitBurst"
    case memfdAllow = "MemfdAllow"
    case memfdAllowImages = "MemfdAllowImages"
    case maxBaselines = "MaxBaselines"
    case scanSummaryEverySec = "ScanSummaryEverySec"
    case untrustedCodePaths = "UntrustedCodePaths"
    case untrustedCodeAllow = "UntrustedCodeAllow"
    case preloadAllow = "PreloadAllow"
    case memfdMapAllow = "MemfdMapAllow"
    case verify = "Verify"
    case verifyOtherRoots = "VerifyOtherRoots"

    public var name: String { rawValue }

    public var section: ConfigSection {
        switch self {
        case .intervalSec, .enumerationTimeoutSec, .ignorePaths, .sharedObjects, .newProcessIntervalSec, .watch: .scan
        case .ssdeep, .ssdeepEngine, .hashBudgetSec, .hashTimeoutSec, .maxFileSize, .maxHashSize, .hashWorkers: .hashing
        case .similarityThreshold, .dedupWindowSec, .rateLimitIntervalSec, .rateLimitBurst,
            .memfdAllow, .memfdAllowImages, .maxBaselines, .scanSummaryEverySec, .untrustedCodePaths,
            .untrustedCodeAllow, .preloadAllow, .memfdMapAllow:
            .alerts
        case .verify, .verifyOtherRoots: .packages
        }
    }

    /// List keys follow systemd's rule for list settings: the first
    /// assignment replaces the built-in default, later ones append, and an
    /// empty assignment empties the list. Other keys take the last value.
    public var isList: Bool {
        switch self {
        case .ignorePaths, .memfdAllow, .memfdAllowImages, .untrustedCodePaths, .untrustedCodeAllow, .preloadAllow,
            .memfdMapAllow:
            true
        default: false
        }
    }

    /// Whether the value is a time span in whole seconds (`30`, `30s`, `5min`).
    public var isTimeSpan: Bool {
        switch self {
        case .intervalSec, .enumerationTimeoutSec, .hashBudgetSec, .hashTimeoutSec,
            .dedupWindowSec, .rateLimitIntervalSec, .scanSummaryEverySec:
            true
        default: false
        }
    }

    /// The accepted numeric range (seconds, bytes or a count); nil for
    /// booleans and lists.
    public var range: ClosedRange<Int>? {
        switch self {
        case .intervalSec: 1...86_400
        case .enumerationTimeoutSec: 1...600
        case .hashBudgetSec: 1...3600
        case .hashTimeoutSec: 1...3600
        case .maxFileSize: 1 << 10...64 << 30
        case .maxHashSize: 1 << 10...64 << 30
        case .hashWorkers: 1...64
        case .similarityThreshold: SimilarityThreshold.range
        case .dedupWindowSec: 0...86_400
        case .rateLimitIntervalSec: 1...3600
        case .rateLimitBurst: 1...100_000
        case .maxBaselines: 16...10_000_000
        case .scanSummaryEverySec: 0...86_400
        case .ignorePaths, .sharedObjects, .watch, .newProcessIntervalSec, .ssdeep, .ssdeepEngine, .memfdAllow,
            .memfdAllowImages, .untrustedCodePaths,
            .untrustedCodeAllow, .preloadAllow, .memfdMapAllow, .verify, .verifyOtherRoots:
            nil
        }
    }

    /// What an error message offers as the valid values, e.g. `1–99`.
    public var validValues: String {
        switch self {
        case .ignorePaths: return "space-separated globs, each starting with /"
        case .memfdAllow: return "space-separated globs over memfd names"
        case .ssdeep, .sharedObjects, .verify, .verifyOtherRoots, .watch: return "yes or no"
        case .newProcessIntervalSec: return "0 (off) or 0.1–60 seconds"
        case .ssdeepEngine: return SsdeepEngine.validValues
        case .untrustedCodePaths, .untrustedCodeAllow, .preloadAllow:
            return "space-separated globs, each starting with /"
        case .memfdMapAllow: return "space-separated globs over memfd names"
        case .maxFileSize: return "1K–64G"
        case .maxHashSize: return "MaxFileSize–64G"
        case .memfdAllowImages: return "space-separated absolute paths"
        case .hashWorkers: return "auto or 1–64"
        default:
            guard let range else { return "" }
            return "\(range.lowerBound)–\(range.upperBound)" + (isTimeSpan ? " seconds" : "")
        }
    }
}
