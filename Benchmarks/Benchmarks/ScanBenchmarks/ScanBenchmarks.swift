import BenchSupport
import Benchmark
import ProcWardenKit

/// SPEC §13: a cold and a warm scan of N sleeping processes started from three
/// distinct images. Cold: a fresh Scanner each iteration, so every image is
/// hashed. Warm: one Scanner that has scanned once, so every image is a cache
/// hit and the cost is enumeration and classification.
///
/// N defaults to 100 and 1,000; PW_BENCH_PROCESSES (e.g. "100,1000,10000")
/// overrides it.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, .syscalls],
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 100
    )
    for count in ScanFixture.processCounts() {
        let cold = ScanFixture(count: count)
        Benchmark("cold scan \(count) processes") { benchmark in
            guard let procfs = cold.procfs else { return benchmark.error("no processes") }
            for _ in benchmark.scaledIterations {
                let report = Scanner(procfs: procfs, logger: .silent).scan()
                if let problem = cold.check(report, expectHashed: ScanFixture.imageCount) {
                    return benchmark.error(problem)
                }
                Benchmark.blackHole(report)
            }
        } setup: {
            try cold.start()
        } teardown: {
            cold.stop()
        }

        let warm = ScanFixture(count: count)
        Benchmark("warm scan \(count) processes") { benchmark in
            guard let scanner = warm.scanner else { return benchmark.error("no processes") }
            for _ in benchmark.scaledIterations {
                let report = scanner.scan()
                if let problem = warm.check(report, expectHashed: 0) {
                    return benchmark.error(problem)
                }
                Benchmark.blackHole(report)
            }
        } setup: {
            try warm.start()
            let scanner = Scanner(procfs: warm.procfs!, logger: .silent)
            _ = scanner.scan()
            warm.scanner = scanner
        } teardown: {
            warm.stop()
        }
    }
}
