/// `[Hashing] SsdeepEngine`: what generates ssdeep digests (SPEC §18). Both
/// give the same digests; similarity is scored by libfuzzy either way.
public enum SsdeepEngine: String, Sendable, CaseIterable {
    /// The Swift CTPH generator (`NativeFuzzy`), the default.
    case native
    /// libfuzzy's fuzzy_update/fuzzy_digest (`LibFuzzy`).
    case libfuzzy

    /// `native or libfuzzy`, as error messages name the valid values.
    public static let validValues = allCases.map(\.rawValue).joined(separator: " or ")

    /// The engine behind the `FuzzyHashing` seam.
    public var hashing: any FuzzyHashing {
        switch self {
        case .native: NativeFuzzy()
        case .libfuzzy: LibFuzzy()
        }
    }
}
