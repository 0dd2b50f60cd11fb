import CFuzzy

/// The ssdeep half of the digester. A seam: production uses `NativeFuzzy` or
/// `LibFuzzy` (`SsdeepEngine`); tests substitute an engine that fails, to
/// exercise degraded coverage.
public protocol FuzzyHashing: Sendable {
    /// Starts a digest of exactly `totalLength` bytes, or nil on failure.
    func start(totalLength: UInt64) -> (any FuzzyHashState)?
}

/// One ssdeep digest in progress.
public protocol FuzzyHashState: AnyObject {
    /// Feeds bytes; false on failure.
    func update(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// The digest, or nil on failure.
    func finish() -> String?
}

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

final class LibFuzzyState: FuzzyHashState {
    private let state: OpaquePointer

    init(_ state: OpaquePointer) { self.state = state }
    deinit { fuzzy_free(state) }

    func update(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return fuzzy_update(state, base.assumingMemoryBound(to: UInt8.self), bytes.count) == 0
    }

    func finish() -> String? {
        // FUZZY_MAX_RESULT is (2 * SPAMSUM_LENGTH + 20) with SPAMSUM_LENGTH 64; a
        // macro expression, so Swift cannot import it.
        var result = [CChar](repeating: 0, count: 2 * 64 + 20)
        guard fuzzy_digest(state, &result, 0) == 0 else { return nil }
        return String(decoding: result.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
