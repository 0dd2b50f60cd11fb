import BenchSupport
import Benchmark
import ProcWardenKit

/// The three ways of digesting a file the benchmarks compare.
enum DigestEngine: CaseIterable {
    /// ImageDigester with ssdeep off (`Ssdeep=no`).
    case sha256
    /// libfuzzy alone, through the same read loop.
    case ssdeep
    /// ImageDigester as the daemon runs it: both digests from one read.
    case combined

    var label: String {
        switch self {
        case .sha256: "SHA-256"
        case .ssdeep: "ssdeep"
        case .combined: "SHA-256+ssdeep"
        }
    }

    /// Digests the whole file; false if the digest failed.
    func digest(_ input: DigestInput) -> Bool {
        switch self {
        case .sha256:
            return Self.succeeded(
                ImageDigester(fuzzy: nil).digest(fd: input.file.fd, size: input.size, buffer: input.buffer))
        case .ssdeep:
            guard let digest = FuzzyDigester().digest(fd: input.file.fd, size: input.size, buffer: input.buffer) else {
                return false
            }
            Benchmark.blackHole(digest)
            return true
        case .combined:
            return Self.succeeded(ImageDigester().digest(fd: input.file.fd, size: input.size, buffer: input.buffer))
        }
    }

    private static func succeeded(_ outcome: ImageDigester.Outcome) -> Bool {
        guard case .digest(let digest, _) = outcome, !digest.degraded else { return false }
        Benchmark.blackHole(digest)
        return true
    }
}
