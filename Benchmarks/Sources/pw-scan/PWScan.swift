import ArgumentParser
import BenchSupport
import Glibc
import Logging
import ProcWardenKit

/// bench-compare's side of the scan comparison: one cold scan, then
/// settling scans until one reads nothing (what the cold scan's hash budget
/// left pending), then warm scans with the same Scanner, each printed as a
/// line of key=value fields
/// (`wall` and `cpu` in seconds; `cpu` is the whole process's, hash workers
/// included), so a warm rescan can be timed next to ps and needrestart over the
/// same processes.
@main
struct PWScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pw-scan",
        abstract: "Time a cold scan and warm rescans of every process, as procwardend runs them."
    )

    @Option(help: "Warm scans to run after the cold one.")
    var warmIterations: Int = 5

    @Option(help: "New-process passes to time after the warm scans (SPEC §15): /proc listed, nothing new.")
    var passIterations: Int = 0

    @Option(help: "The procfs mount to scan.")
    var proc: String = "/proc"

    func validate() throws {
        guard warmIterations >= 0 else { throw ValidationError("--warm-iterations must not be negative") }
        guard passIterations >= 0 else { throw ValidationError("--pass-iterations must not be negative") }
    }

    func run() throws {
        let scanner = Scanner(procfs: ProcFS(root: proc), logger: .silent)
        report("cold", measure { scanner.scan() })
        for _ in 0..<Self.maxSettlingScans {
            let settling = measure { scanner.scan() }
            report("settle", settling)
            if settling.summary.hashed == 0 && settling.summary.objectsHashed == 0 { break }
        }
        for _ in 0..<warmIterations {
            report("warm", measure { scanner.scan() })
        }
        // The pass as the daemon runs it, and what rereading every known
        // process's exe link would add to it (to catch an exec in place).
        for _ in 0..<passIterations {
            let pass = measureCPU { _ = scanner.processChanges() }
            let relink = measureCPU {
                var buffer = [CChar](repeating: 0, count: 4096)
                for pid in (try? ProcFS(root: proc).listPIDs()) ?? [] {
                    _ = readlink("\(proc)/\(pid)/exe", &buffer, buffer.count)
                }
            }
            print(
                "pass wall=\(Self.format(pass.wall)) cpu=\(Self.format(pass.cpu)) relink_cpu=\(Self.format(relink.cpu))"
            )
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak rss_kib=\(usage.ru_maxrss)")
    }

    /// Scans after the cold one that may still be hashing what its budget
    /// left pending, before warm scans are timed.
    static let maxSettlingScans = 50

    private struct Measurement {
        var wall: Double
        var cpu: Double
        var summary: ScanSummary
    }

    private func measureCPU(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let wall0 = Self.now(CLOCK_MONOTONIC)
        let cpu0 = Self.now(CLOCK_PROCESS_CPUTIME_ID)
        body()
        return (Self.now(CLOCK_MONOTONIC) - wall0, Self.now(CLOCK_PROCESS_CPUTIME_ID) - cpu0)
    }

    private func measure(_ scan: () -> ScanReport) -> Measurement {
        let wall0 = Self.now(CLOCK_MONOTONIC)
        let cpu0 = Self.now(CLOCK_PROCESS_CPUTIME_ID)
        let result = scan()
        let wall1 = Self.now(CLOCK_MONOTONIC)
        let cpu1 = Self.now(CLOCK_PROCESS_CPUTIME_ID)
        return Measurement(wall: wall1 - wall0, cpu: cpu1 - cpu0, summary: result.summary)
    }

    private func report(_ kind: String, _ m: Measurement) {
        let s = m.summary
        print(
            "\(kind) wall=\(Self.format(m.wall)) cpu=\(Self.format(m.cpu)) processes=\(s.processes) "
                + "executables=\(s.executables) hashed=\(s.hashed) cache_hits=\(s.cacheHits) "
                + "bytes_hashed=\(s.bytesHashed) objects=\(s.objects) objects_hashed=\(s.objectsHashed) "
                + "object_bytes_hashed=\(s.objectBytesHashed) coverage=\(s.coverage.rawValue)")
    }

    private static func now(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func format(_ seconds: Double) -> String {
        let micros = Int((seconds * 1e6).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
