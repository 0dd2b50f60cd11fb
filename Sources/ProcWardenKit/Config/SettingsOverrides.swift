/// Settings changed at runtime over D-Bus, which override the configuration
/// files the way `systemctl set-property` overrides a unit file (SPEC §5).
/// A nil field leaves the file's value in force.
public struct SettingsOverrides: Sendable, Equatable {
    /// The version written to, and required in, the persisted file.
    public static let formatVersion = 1

    /// `SimilarityThreshold`, as set by `SetSimilarityThreshold`.
    public var similarityThreshold: Int?

    public init(similarityThreshold: Int? = nil) {
        self.similarityThreshold = similarityThreshold
    }

    public var isEmpty: Bool { similarityThreshold == nil }

    /// `configuration` with every set field replaced.
    public func applied(to configuration: Configuration) -> Configuration {
        var result = configuration
        if let similarityThreshold { result.similarityThreshold = similarityThreshold }
        return result
    }

    /// These overrides with every field that `top` sets replaced by its value.
    public func overlaid(by top: SettingsOverrides) -> SettingsOverrides {
        SettingsOverrides(similarityThreshold: top.similarityThreshold ?? similarityThreshold)
    }
}
