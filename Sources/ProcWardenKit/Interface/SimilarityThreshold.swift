/// The values `SimilarityThreshold` may take, in the configuration file and
/// over D-Bus (SPEC §5, §9): 0 would never fire and 100 fires on any change.
public enum SimilarityThreshold {
    public static let range: ClosedRange<Int> = 1...99

    /// `1–99`, as error messages name the valid values.
    public static let validValues = "\(range.lowerBound)–\(range.upperBound)"
}
