import BenchSupport
import Benchmark

/// SPEC §13: SHA-256 only, ssdeep only and the combined one-pass digest of a
/// file fd, at four sizes. The file sits in the page cache, so this is hashing
/// cost; `MB/s` is the size over each iteration's wall time.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, DigestInput.megabytesPerSecond],
        warmupIterations: 1,
        maxDuration: .seconds(2),
        maxIterations: 2000
    )
    let sizes: [(label: String, bytes: Int)] = [
        ("1 KiB", 1 << 10), ("256 KiB", 256 << 10), ("4 MiB", 4 << 20), ("64 MiB", 64 << 20),
    ]
    for size in sizes {
        for engine in DigestEngine.allCases {
            let fixture = DigestFixture()
            Benchmark("\(engine.label) \(size.label)") { benchmark in
                guard let input = fixture.input else { return benchmark.error("no input file") }
                for _ in benchmark.scaledIterations {
                    let started = ContinuousClock.now
                    guard engine.digest(input) else { return benchmark.error("\(engine.label) failed") }
                    benchmark.measurement(DigestInput.megabytesPerSecond, input.megabytesPerSecond(since: started))
                }
            } setup: {
                fixture.input = try DigestInput(size: size.bytes)
            } teardown: {
                fixture.input = nil
            }
        }
    }
}
