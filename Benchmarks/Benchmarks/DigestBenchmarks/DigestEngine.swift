import BenchSupport
import Benchmark
import ProcWardenKit

/// The ways of digesting a file the benchmarks compare.
enum DigestEngine: CaseIterable {
    /// ImageDigester with ssdeep off (`Ssdeep=no`).
    case sha256
    /// libfuzzy alone, through the same read loop.
    case ssdeep
    /// The native ssdeep engine alone (`SsdeepEngine=native`), same read loop.
    case nativeSsdeep
    /// ImageDigester with libfuzzy: both digests from one read.
    case combined
    /// ImageDigester as the daemon runs it by default: SHA-256 and native ssdeep.
    case nativeCombined

    var label: String {
        switch self {
        case .sha256: "SHA-256"
        case .ssdeep: "ssdeep"
        case .nativeSsdeep: "ssdeep (native)"
        case .combined: "SHA-256+ssdeep"
        case .nativeCombined: "SHA-256+ssdeep (native)"
        }
    }

    /// Digests the whole file; false if the digest failed.
    func digest(_ input: DigestInput) -> Bool {
        switch self {
        case .sha256:
            return Self.succeeded(
                ImageDigester(fuzzy: nil).digest(fd: input.file.fd, size: input.size, buffer: input.buffer))
        case .ssdeep, .nativeSsdeep:
            let fuzzy: any FuzzyHashing = self == .ssdeep ? LibFuzzy() : NativeFuzzy()
            guard
                let digest = FuzzyDigester(fuzzy: fuzzy).digest(
                    fd: input.file.fd, size: input.size, buffer: input.buffer)
            else {
                return false
            }
            Benchmark.blackHole(digest)
            return true
        case .combined, .nativeCombined:
            let fuzzy: any FuzzyHashing = self == .combined ? LibFuzzy() : NativeFuzzy()
            return Self.succeeded(
                ImageDigester(fuzzy: fuzzy).digest(fd: input.file.fd, size: input.size, buffer: input.buffer))
        }
    }

    private static func succeeded(_ outcome: ImageDigester.Outcome) -> Bool {
        guard case .digest(let digest, _) = outcome, !digest.degraded else { return false }
        Benchmark.blackHole(digest)
        return true
    }
}
