import ProcWardenCTPH

/// ssdeep generated natively (`SsdeepEngine=native`, SPEC §18): the same
/// digests as `LibFuzzy`, byte for byte, from `CTPHGenerator`. Comparing
/// digests stays with libfuzzy's `fuzzy_compare` (`LibFuzzy.compare`).
public struct NativeFuzzy: FuzzyHashing {
    public init() {}

    public func start(totalLength: UInt64) -> (any FuzzyHashState)? {
        guard let generator = CTPHGenerator(totalLength: totalLength) else { return nil }
        return NativeFuzzyState(generator)
    }
}

final class NativeFuzzyState: FuzzyHashState {
    private var generator: CTPHGenerator

    init(_ generator: consuming CTPHGenerator) { self.generator = generator }

    func update(_ bytes: UnsafeRawBufferPointer) -> Bool {
        generator.update(bytes)
        return true
    }

    func finish() -> String? { generator.finish() }
}
