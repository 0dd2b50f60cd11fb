import CTPHIdentity
import Glibc
import ProcWardenKit
import Testing

/// A bounded fuzz run of the native ssdeep engine against libfuzzy: random
/// lengths, contents and buffer sizes for PW_CTPH_FUZZ_SECONDS (default 60).
/// The seed is new each run and printed; a mismatch prints the input's seed
/// and length, which `pw-ctph check --seed S --length L --kind K` reproduces.
@Suite(.serialized)
struct NativeFuzzyFuzzTests {
    static var seconds: Int {
        getenv("PW_CTPH_FUZZ_SECONDS").flatMap { Int(String(cString: $0)) } ?? 60
    }

    @Test func againstLibfuzzy() {
        let runSeed = UInt64(truncatingIfNeeded: ContinuousClock.now.hashValue) ^ UInt64(getpid())
        print("NativeFuzzyFuzzTests: seed \(runSeed), \(Self.seconds) s")
        var rng = SplitMix64(seed: runSeed)
        let deadline = ContinuousClock.now + .seconds(Self.seconds)
        var inputs = 0
        var failures = 0
        let chunkChoices = [1, 3, 7, 64, 4095, 4096, 65_537, 1 << 20]
        while ContinuousClock.now < deadline && failures < 10 {
            let batch = IdentityInput.sample(count: 16, maximumLength: 1 << 20, seed: rng.next())
            for input in batch {
                let chunk = chunkChoices[Int(rng.next() % UInt64(chunkChoices.count))]
                // Byte-at-a-time feeding is slow; keep it for short inputs.
                let chunkSize = chunk == 1 && input.length > 65_536 ? 4095 : chunk
                if let mismatch = IdentityCheck.compare(input.bytes(), chunkSizes: [chunkSize]) {
                    failures += 1
                    Issue.record("\(input): \(mismatch)")
                }
                inputs += 1
            }
        }
        print("NativeFuzzyFuzzTests: \(inputs) inputs, \(failures) mismatches")
        #expect(inputs >= 16)
    }
}
