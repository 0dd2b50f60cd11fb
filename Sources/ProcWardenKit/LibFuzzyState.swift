import CFuzzy

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
