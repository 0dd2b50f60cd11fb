extension Configuration {
    /// The scan engine's knobs taken from `[Scan]` and `[Hashing]`.
    public var scanLimits: ScanLimits {
        var limits = ScanLimits()
        limits.enumerationTimeout = enumerationTimeout
        limits.hashBudget = hashBudget
        limits.hashTimeout = hashTimeout
        limits.maxFileSize = maxFileSize
        limits.maxHashSize = maxHashSize
        limits.memfdAllowImages = memfdAllowImages.map { ByteString($0) }
        limits.hashWorkers = hashWorkers
        limits.ssdeep = ssdeep
        limits.ssdeepEngine = ssdeepEngine
        limits.ignorePaths = ignorePaths
        limits.sharedObjects = sharedObjects
        limits.verifyPackages = verifyPackages
        limits.verifyOtherRoots = verifyOtherRoots
        return limits
    }
}
