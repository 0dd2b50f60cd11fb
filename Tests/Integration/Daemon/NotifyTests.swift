import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// sd_notify(3) as a service manager sees it: the test binds NOTIFY_SOCKET
/// itself and asks for watchdog pings with WATCHDOG_USEC (SPEC §8).
@Suite(.serialized) struct NotifyTests {
    /// `Watching N processes, M executables, D directories; K alerts; next scan in Ns`,
    /// with the numbers captured, and `; coverage partial` when some process
    /// could not be inspected (in a sandbox, its own pid 1 may be out of
    /// reach even for root).
    static var statusPattern: Regex<(Substring, Substring, Substring, Substring, Substring)> {
        #/Watching (\d+) processes, (\d+) executables, \d+ directories; (\d+) alerts; next scan in (\d+)s(?:; coverage partial)?/#
    }

    /// WATCHDOG_USEC: pings every second, and a second of slack for a
    /// loaded machine before a gap would trip the watchdog.
    static let watchdog = Duration.seconds(2)

    init() throws {
        try #require(geteuid() == 0, "the daemon runs as root to reach the test's socket")
        try Journald.ensureRunning()
    }

    @Test func readyStatusWatchdogReloadingAndStoppingArriveInOrder() throws {
        let scratch = try ScratchDirectory("notify", mode: 0o700)
        let socket = try NotifySocket(path: scratch("notify.sock"))
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=30\n")
        let (daemon, _) = try launch.start(environment: [
            "NOTIFY_SOCKET": socket.path,
            "WATCHDOG_USEC": String(Self.watchdog.microseconds),
        ])

        let afterScan = socket.wait(timeout: .seconds(120)) {
            $0.contains { $0.value("STATUS")?.hasPrefix("Watching") == true }
        }
        let status = try #require(
            afterScan.compactMap { $0.value("STATUS") }.first { $0.hasPrefix("Watching") },
            "no STATUS after a scan: \(afterScan); \(daemon.stderr)")
        let numbers = try #require(try Self.statusPattern.wholeMatch(in: status), "\(status)")
        let processes = try #require(Int(numbers.1))
        let executables = try #require(Int(numbers.2))
        #expect(processes > 0 && executables > 0 && executables <= processes, "\(status)")
        #expect(numbers.4 == "30", "\(status)")
        let ready = try #require(afterScan.firstIndex { $0.has("READY=1") }, "\(afterScan)")
        let firstStatus = try #require(afterScan.firstIndex { $0.value("STATUS") == status })
        #expect(ready < firstStatus)

        // Pings at half of WATCHDOG_USEC, from the event loop, scan or no
        // scan. The mean tells half (1 s) from a quarter (0.5 s) or the whole
        // (2 s) with 0.4 s to spare either way; no gap may reach the
        // watchdog's limit, which leaves a single ping 1 s of lateness.
        let pinged = socket.wait(timeout: .seconds(20)) { $0.filter { $0.has("WATCHDOG=1") }.count >= 7 }
        let pings = pinged.filter { $0.has("WATCHDOG=1") }.map(\.arrival)
        try #require(pings.count >= 7, "\(pings.count) pings: \(pinged)")
        let gaps = zip(pings.dropFirst(), pings).map { ($0 - $1) }
        let mean = gaps.reduce(Duration.zero, +) / gaps.count
        #expect(
            mean > Self.watchdog / 2 - .milliseconds(400) && mean < Self.watchdog / 2 + .milliseconds(400),
            "mean ping interval \(mean)")
        #expect(gaps.allSatisfy { $0 < Self.watchdog }, "a gap reached WATCHDOG_USEC: \(gaps.max()!)")

        let beforeReload = socket.messages.count
        daemon.signal(SIGHUP)
        let reloaded = socket.wait(timeout: .seconds(10)) { messages in
            guard let r = messages.indices.dropFirst(beforeReload).first(where: { messages[$0].has("RELOADING=1") })
            else { return false }
            return messages[(r + 1)...].contains { $0.has("READY=1") }
        }
        let reloading = try #require(
            reloaded.indices.dropFirst(beforeReload).first { reloaded[$0].has("RELOADING=1") },
            "no RELOADING=1: \(reloaded[beforeReload...])")
        let readyAgain = try #require(
            reloaded.indices.dropFirst(reloading + 1).first { reloaded[$0].has("READY=1") },
            "no READY=1 after RELOADING=1: \(reloaded[reloading...])")
        // RELOADING=1 carries MONOTONIC_USEC, which systemd uses to order it.
        let stamp = try #require(
            reloaded[reloading].value("MONOTONIC_USEC").flatMap(UInt64.init), "\(reloaded[reloading])")
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowUSec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(stamp <= nowUSec && nowUSec - stamp < 10_000_000, "MONOTONIC_USEC=\(stamp), now \(nowUSec)")
        #expect(
            reloaded[readyAgain].value("STATUS").map { (try? Self.statusPattern.wholeMatch(in: $0)) != nil } == true,
            "\(reloaded[readyAgain])")

        let beforeStop = socket.messages.count
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
        let all = socket.wait(timeout: .seconds(1)) { $0.dropFirst(beforeStop).contains { $0.has("STOPPING=1") } }
        let stopping = try #require(
            all.indices.dropFirst(beforeStop).first { all[$0].has("STOPPING=1") }, "\(all[beforeStop...])")
        #expect(ready < firstStatus && firstStatus < reloading && reloading < readyAgain && readyAgain < stopping)
        #expect(all.filter { $0.has("STOPPING=1") }.count == 1)
        #expect(!all[(stopping + 1)...].contains { $0.has("READY=1") })
    }
}
