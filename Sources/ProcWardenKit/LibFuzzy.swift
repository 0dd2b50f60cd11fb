import CFuzzy

/// ssdeep through libfuzzy's streaming API: fuzzy_new,
/// fuzzy_set_total_input_length (about 1.4× faster when set first),
/// fuzzy_update, fuzzy_digest.
public struct LibFuzzy: FuzzyHashing {
    public init() {}

    public func start(totalLength: UInt64) -> (any FuzzyHashState)? {
        guard let state = fuzzy_new() else { return nil }
        guard fuzzy_set_total_input_length(state, UInt(totalLength)) == 0 else {
            fuzzy_free(state)
            return nil
        }
        return LibFuzzyState(state)
    }

    /// fuzzy_compare(3): 0 (unrelated or incomparable) to 100 (identical), nil on error.
    public static func compare(_ a: String, _ b: String) -> Int? {
        let score = fuzzy_compare(a, b)
        return score < 0 ? nil : Int(score)
    }
}
