/// The `[Alerts]` settings the rules need.
public struct RuleSettings: Sendable, Equatable {
    /// `SimilarityThreshold`, 1–99: similarity below it is a binary_change.
    public var similarityThreshold: Int = 80
    /// `MemfdAllow`: fnmatch(3) globs over memfd names that do not alert.
    public var memfdAllow: [String] = ["runc_cloned:*"]

    public init() {}
}
