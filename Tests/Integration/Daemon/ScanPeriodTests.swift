import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Synchronization
import Testing

/// SPEC §8: scans start every IntervalSec, start to start. Each scan here
/// does about a second of real work: one worker hashes a large (sparse)
/// executable that a process runs, and the test changes the file's ctime
/// (chmod to the same mode) every 100 ms, so each scan finds a new digest
/// cache key and hashes it again. The start of each scan is
/// LastScanTimestamp as PropertiesChanged announces it after the scan; its
/// duration LastScanDurationUSec. Events are off: the chmods would each
/// ask for a targeted scan (SPEC §15), which is not what is timed here.
@Suite(.serialized) struct ScanPeriodTests {
    static let configuration = """
        [Scan]
        IntervalSec=2
        Watch=no
        NewProcessIntervalSec=0
        [Hashing]
        MaxFileSize=4G
        HashWorkers=1
        HashTimeoutSec=10min
        HashBudgetSec=10min
        """

    /// About a second of hashing on the test machine (0.5-1.5 s seen).
    static let imageSize: UInt64 = 40 << 20

    private final class Flag: Sendable {
        let on = Atomic<Bool>(true)
    }

    @Test func scansStartOneIntervalApartNotIntervalPlusDuration() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let image = try bus.executableCopy(named: "pw-period", size: Self.imageSize)
            let child = try ChildProcess([image, "1000"])
            let touching = Flag()
            try DetachedThread.start {
                while touching.on.load(ordering: .relaxed) {
                    chmod(image, 0o755)
                    usleep(100_000)
                }
            }
            defer { touching.on.store(false, ordering: .relaxed) }
            let observer = try BusObserver(address: bus.address)
            // The first scans seen may predate the process, or hash the
            // test's own large binary for the first time; the ones after
            // them are measured, until four of them fit in the interval (on
            // a loaded machine one may not).
            let skipped = 2
            func measured() -> [(start: UInt64, duration: UInt64)] {
                let values = { (p: BusNames.Property) in
                    observer.announced(p).compactMap { v -> UInt64? in if case .uint64(let n) = v { n } else { nil } }
                }
                return Array(zip(values(.lastScanTimestamp), values(.lastScanDurationUSec)).dropFirst(skipped))
            }
            let interval: UInt64 = 2_000_000
            let fitting = { measured().dropLast().filter { $0.duration < interval }.count }
            #expect(
                observer.waitFor(timeout: .seconds(90)) { _ in fitting() >= 4 },
                "\(observer.scanCompletedIDs.count) scans, \(fitting()) within the interval")
            let scans = measured()
            print("ScanPeriodTests: scans (start µs, duration µs) \(scans)")
            try #require(scans.count >= 5)
            for (scan, next) in zip(scans, scans.dropFirst()) {
                // Real work each scan, enough that interval + duration is
                // told apart from the interval.
                #expect(scan.duration >= 400_000, "scan took \(scan.duration) µs; all: \(scans)")
                // The next starts an interval after this one started, or at
                // once if this one ran longer.
                let expected = Int64(max(interval, scan.duration))
                let gap = Int64(next.start) - Int64(scan.start)
                #expect(abs(gap - expected) <= 300_000, "started \(gap) µs apart, expected \(expected); all: \(scans)")
            }
            #expect(child.waitForExit(timeout: .zero) == nil)
        }
    }
}
