/// The knobs of one scan (SPEC §5 `[Scan]` and `[Hashing]`), with the spec's defaults.
public struct ScanLimits: Sendable, Equatable {
    public var enumerationTimeout: Duration = .seconds(5)
    public var hashBudget: Duration = .seconds(30)
    public var hashTimeout: Duration = .seconds(10)
    public var maxFileSize: UInt64 = 512 << 20
    /// nil means one per CPU.
    public var hashWorkers: Int? = nil
    public var ssdeep: Bool = true
    /// `IgnorePaths`: fnmatch(3) globs; matching executables are not hashed.
    public var ignorePaths: [String] = []

    public init() {}

    public var effectiveHashWorkers: Int {
        hashWorkers ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

import Glibc
