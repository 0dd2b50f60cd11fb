/// The `[Alerts]` settings the rules need, with the defaults of `Configuration`.
public struct RuleSettings: Sendable, Equatable {
    /// `SimilarityThreshold` (`SimilarityThreshold.range`): similarity below it is a binary_change.
    public var similarityThreshold: Int = Configuration.defaults.similarityThreshold
    /// `MemfdAllow`: fnmatch(3) globs over memfd names that do not alert.
    public var memfdAllow: [String] = Configuration.defaults.memfdAllow

    public init() {}
}
