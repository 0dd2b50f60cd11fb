/// The `[Alerts]` settings the rules need, with the defaults of `Configuration`.
public struct RuleSettings: Sendable, Equatable {
    /// `SimilarityThreshold` (`SimilarityThreshold.range`): similarity below it is a binary_change.
    public var similarityThreshold: Int = Configuration.defaults.similarityThreshold
    /// `MemfdAllow`: fnmatch(3) globs over memfd names that do not alert.
    public var memfdAllow: [String] = Configuration.defaults.memfdAllow
    /// `UntrustedCodePaths`: globs over paths code must not run from.
    public var untrustedCodePaths: [String] = Configuration.defaults.untrustedCodePaths
    /// `UntrustedCodeAllow`: exceptions to `untrustedCodePaths`.
    public var untrustedCodeAllow: [String] = Configuration.defaults.untrustedCodeAllow
    /// `PreloadAllow`: globs over preloaded object paths that do not alert.
    public var preloadAllow: [String] = Configuration.defaults.preloadAllow
    /// `MemfdMapAllow`: globs over memfd names that may be mapped executable.
    public var memfdMapAllow: [String] = Configuration.defaults.memfdMapAllow

    public init() {}

    /// Whether code at `path` is under `UntrustedCodePaths` and not `UntrustedCodeAllow`.
    public func isUntrusted(_ path: ByteString) -> Bool {
        Glob.matches(path, anyOf: untrustedCodePaths) && !Glob.matches(path, anyOf: untrustedCodeAllow)
    }
}
