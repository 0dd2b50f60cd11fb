import BenchSupport
import Glibc
import ProcWardenKit

/// The processes one scan benchmark runs over, alive between its setup and
/// teardown hooks.
final class ScanFixture {
    static let imageCount = 3

    let count: Int
    private var images: SleeperImages?
    private var sleepers: SleeperGroup?
    private var subset: ProcSubset?
    var scanner: Scanner?

    init(count: Int) { self.count = count }

    var procfs: ProcFS? { subset?.procfs }

    func start() throws(SystemError) {
        let images = try SleeperImages(count: Self.imageCount)
        let sleepers = try SleeperGroup(count: count, images: images.paths)
        subset = try ProcSubset(pids: sleepers.pids)
        self.images = images
        self.sleepers = sleepers
    }

    func stop() {
        scanner = nil
        subset = nil
        sleepers?.stop()
        sleepers = nil
        images = nil
    }

    /// Why `report` is not the scan the benchmark meant to measure, or nil.
    func check(_ report: ScanReport, expectHashed: Int) -> String? {
        let s = report.summary
        let onDisk = report.processes.count { $0.exeState == .onDisk }
        guard s.processes == count, onDisk == count, s.hashed == expectHashed, s.executables == Self.imageCount else {
            return "scan saw \(s.processes) processes (\(onDisk) on_disk), \(s.executables) executables, "
                + "hashed \(s.hashed); expected \(count), \(Self.imageCount), \(expectHashed)"
        }
        return nil
    }

    /// PW_BENCH_PROCESSES as a comma-separated list, else 100 and 1,000.
    static func processCounts() -> [Int] {
        guard let raw = getenv("PW_BENCH_PROCESSES") else { return [100, 1000] }
        let text = String(cString: raw)
        let counts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.filter { $0 != " " })
        }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            var message =
                "ScanBenchmarks: PW_BENCH_PROCESSES=\"\(text)\" is not a list of positive counts such as 100,1000\n"
            message.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
            exit(2)
        }
        return counts.map { $0! }
    }
}
