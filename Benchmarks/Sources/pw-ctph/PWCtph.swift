import ArgumentParser
import CTPHIdentity
import Glibc
import ProcWardenKit

/// The native ssdeep engine (SPEC §18) beside libfuzzy: its throughput on
/// buffers in memory, and the full identity sweep.
@main
struct PWCtph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pw-ctph",
        abstract: "Compare the native ssdeep engine with libfuzzy: speed, and identity of the digests.",
        subcommands: [Bench.self, Sweep.self, Check.self]
    )
}

extension PWCtph {
    /// `bench-compare`'s CTPH-alone rows: best-of-N throughput of both
    /// engines on the same random buffer, interleaved.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print '<MiB> native=<MB/s> libfuzzy=<MB/s>' for a random buffer in memory.")

        @Option(help: "Buffer size in MiB.") var mib: Int = 64
        @Option(help: "Runs of each engine; the best counts.") var runs: Int = 5
        @Option(help: "Bytes per update call.") var chunkSize: Int = 1 << 20

        func run() throws {
            let bytes = IdentityInput(seed: 1, length: mib << 20, kind: .random).bytes()
            var best: [SsdeepEngine: Double] = [:]
            var digests: [SsdeepEngine: String] = [:]
            bytes.withUnsafeBytes { buffer in
                for _ in 0..<runs {
                    for engine in SsdeepEngine.allCases {
                        let start = ContinuousClock.now
                        digests[engine] = IdentityCheck.digest(engine.hashing, buffer, chunkSize: chunkSize)
                        let seconds = Self.seconds(ContinuousClock.now - start)
                        best[engine] = min(best[engine] ?? .infinity, seconds)
                    }
                }
            }
            guard let native = digests[.native], native == digests[.libfuzzy] else {
                throw ValidationError("the engines disagree: \(digests)")
            }
            let mbps = { (engine: SsdeepEngine) in Double(bytes.count) / best[engine]! / 1e6 }
            print(String(mib), "native=\(Self.format(mbps(.native)))", "libfuzzy=\(Self.format(mbps(.libfuzzy)))")
        }

        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        static func format(_ value: Double) -> String {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }
    }

    /// The full sweep: every regular file up to 64 MiB under /usr/bin,
    /// /usr/sbin and /usr/lib/x86_64-linux-gnu, and 10,000 seeded inputs up
    /// to 4 MiB. Exits 1 on any mismatch, naming the file or the seed.
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check native against libfuzzy on everything.")

        @Option(help: "Seeded inputs.") var inputs: Int = 10_000
        @Option(help: "Longest seeded input in bytes.") var maximumLength: Int = 4 << 20
        @Option(help: "Seed of the inputs.") var seed: UInt64 = 0x5eed_17
        @Option(help: "Largest system file in bytes.") var maximumFileSize: Int = 64 << 20

        func run() throws {
            var mismatches = 0
            var files = 0
            var fileBytes = 0
            for file in SystemFiles.all(maximumSize: maximumFileSize) {
                guard let bytes = SystemFiles.read(file.path) else { continue }
                if let mismatch = IdentityCheck.compare(bytes, chunkSizes: [1 << 20, 4099]) {
                    mismatches += 1
                    print("MISMATCH \(file.path), length \(bytes.count): \(mismatch)")
                }
                files += 1
                fileBytes += bytes.count
            }
            print("files: \(files), \(fileBytes) bytes, \(mismatches) mismatches")
            var inputBytes = 0
            let sample = IdentityInput.sample(count: inputs, maximumLength: maximumLength, seed: seed)
            for (index, input) in sample.enumerated() {
                let chunkSize = [1 << 20, 4095, 7][index % 3]
                if let mismatch = IdentityCheck.compare(input.bytes(), chunkSizes: [chunkSize]) {
                    mismatches += 1
                    print("MISMATCH \(input): \(mismatch)")
                }
                inputBytes += input.length
            }
            print("inputs: \(sample.count), \(inputBytes) bytes; total mismatches: \(mismatches)")
            if mismatches > 0 { throw ExitCode(1) }
        }
    }

    /// Reproduces one input that a test or the sweep reported.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check one seeded input.")

        @Option var seed: UInt64
        @Option var length: Int
        @Option(help: "random, lowEntropy, sparse, zeros, ones or pattern.") var kind: String = "random"

        func run() throws {
            let kinds = Dictionary(uniqueKeysWithValues: IdentityInput.Kind.allCases.map { ("\($0)", $0) })
            guard let kind = kinds[kind] else { throw ValidationError("unknown kind \(kind)") }
            let input = IdentityInput(seed: seed, length: length, kind: kind)
            if let mismatch = IdentityCheck.compare(input.bytes(), chunkSizes: [1 << 20, 4095, 7, 1]) {
                print("MISMATCH \(input): \(mismatch)")
                throw ExitCode(1)
            }
            print("identical: \(input)")
        }
    }
}
