import CTPHIdentity
import ProcWardenKit
import Testing

/// The native ssdeep engine against libfuzzy, byte for byte (SPEC §18). The
/// engine and the input generator are built optimised, so this sweeps about
/// 800 MB in CI. The full sweep is `pw-ctph sweep` in Benchmarks/.
@Suite(.serialized)
struct NativeFuzzyIdentityTests {
    /// Regular files of /usr/bin, /usr/sbin and /usr/lib/x86_64-linux-gnu, a
    /// seeded sample up to 300 MB in all.
    @Test func systemFiles() throws {
        let files = SystemFiles.sample(budget: 300_000_000, maximumSize: 64 << 20, seed: 17)
        try #require(files.count >= 50, "too few system files to sample: \(files.count)")
        var bytesChecked = 0
        for file in files {
            guard let bytes = SystemFiles.read(file.path) else { continue }
            let mismatch = IdentityCheck.compare(bytes)
            #expect(
                mismatch == nil, "\(file.path), length \(bytes.count): \(mismatch.map(String.init(describing:)) ?? "")")
            bytesChecked += bytes.count
        }
        #expect(bytesChecked >= 100_000_000, "only \(bytesChecked) bytes of system files read")
    }

    /// 2,000 seeded inputs of 0 to 1 MiB, a quarter of them at the edge
    /// lengths, a quarter of them structured.
    @Test func seededInputs() {
        let inputs = IdentityInput.sample(count: 2000, maximumLength: 1 << 20, seed: 0x5eed_17)
        var failures = 0
        for input in inputs {
            if let mismatch = IdentityCheck.compare(input.bytes()) {
                failures += 1
                Issue.record("\(input): \(mismatch)")
                if failures >= 10 { break }
            }
        }
        #expect(inputs.filter { $0.length == 0 }.count >= 1)
    }

    /// Every edge length, with every kind of content.
    @Test(arguments: IdentityInput.Kind.allCases)
    func edgeLengths(kind: IdentityInput.Kind) {
        for (index, length) in IdentityInput.edgeLengths(upTo: 1 << 20).enumerated() {
            let input = IdentityInput(seed: UInt64(index), length: length, kind: kind)
            let mismatch = IdentityCheck.compare(input.bytes())
            #expect(mismatch == nil, "\(input): \(mismatch.map(String.init(describing:)) ?? "")")
        }
    }

    /// Streaming: buffers of 1, 7, 4095 and 1 MiB + 3 bytes give the digest of
    /// one buffer.
    @Test(arguments: [IdentityInput.Kind.random, .lowEntropy, .sparse, .pattern])
    func oddBufferSizes(kind: IdentityInput.Kind) {
        for length in [5, 4096, 300_000, (3 << 20) + 11] {
            let input = IdentityInput(seed: UInt64(length), length: length, kind: kind)
            let chunkSizes = length > 300_000 ? [7, 4095, (1 << 20) + 3] : [1, 7, 4095, (1 << 20) + 3]
            let mismatch = IdentityCheck.compare(input.bytes(), chunkSizes: chunkSizes)
            #expect(mismatch == nil, "\(input): \(mismatch.map(String.init(describing:)) ?? "")")
        }
    }

    /// Every block size up to the guess started at once and never filled:
    /// 15 and then 17 piece hashes live, the engine's 16- and 32-lane loops.
    @Test(arguments: [1 << 20, 4 << 20])
    func allBlockSizesLive(length: Int) {
        for seed in 0..<UInt64(3) {
            let input = IdentityInput(seed: seed, length: length, kind: .triggerBurst)
            let mismatch = IdentityCheck.compare(input.bytes(), chunkSizes: [1 << 20, 4095])
            #expect(mismatch == nil, "\(input): \(mismatch.map(String.init(describing:)) ?? "")")
        }
    }

    /// Known digests, so the oracle itself is pinned: the empty input, and
    /// all-zero inputs, whose rolling hash never triggers.
    @Test func knownDigests() {
        #expect(
            IdentityCheck.digest(NativeFuzzy(), UnsafeRawBufferPointer(start: nil, count: 0), chunkSize: 1) == "3::")
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        #expect(zeros.withUnsafeBytes { IdentityCheck.digest(NativeFuzzy(), $0, chunkSize: 4096) } == "3::")
    }

    /// Fed more or fewer bytes than announced, the digest fails, as
    /// libfuzzy's does; over 192 GiB the engine does not start.
    @Test func lengthDisagreement() throws {
        let bytes = [UInt8](repeating: 7, count: 100)
        for engine in [NativeFuzzy(), LibFuzzy()] as [any FuzzyHashing] {
            let short = try #require(engine.start(totalLength: 101))
            #expect(bytes.withUnsafeBytes { short.update($0) })
            #expect(short.finish() == nil, "\(engine)")
            let long = try #require(engine.start(totalLength: 99))
            #expect(bytes.withUnsafeBytes { long.update($0) })
            #expect(long.finish() == nil, "\(engine)")
            #expect(engine.start(totalLength: (3 << 30) * 64 + 1) == nil, "\(engine)")
        }
    }
}
