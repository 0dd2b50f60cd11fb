import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// A read that never returns (a hung FUSE or NFS file) ties up one hashing
/// worker and nothing else (SPEC §2): the image gets `timeout`, later scans
/// do not queue it again, other images are still hashed, and the event loop
/// keeps pinging the watchdog, reloading and stopping on time.
///
/// The hung file is real: a FUSE filesystem served by the test process
/// (`HungFuseFilesystem`) never answers this daemon's reads of it, while the
/// kernel reads it normally to exec a process from it.
@Suite(.serialized) struct DaemonHungReadTests {
    init() throws {
        try #require(geteuid() == 0, "mounting FUSE and seeing every process need root")
        try #require(
            access("/dev/fuse", R_OK | W_OK) == 0,
            "needs /dev/fuse: load the fuse module; in a container, pass the device through (--device /dev/fuse)")
        try Journald.ensureRunning()
    }

    @Test func hungReadTiesUpOneWorkerAndNeverTheLoop() throws {
        let scratch = try ScratchDirectory("hung", mode: 0o700)
        let mountPoint = try scratch.makeDirectory("fuse")
        let sleep = try #require(try DurableFile.read("/usr/bin/sleep", limit: 16 << 20))
        let daemonPath = try BuildProducts.procwardend
        let fuse = try HungFuseFilesystem(
            mountPoint: mountPoint, fileName: "pw-hung-sleep", content: sleep, hangFor: daemonPath)
        let hungProcess = try ChildProcess([fuse.filePath, "600"])
        #expect(fuse.servedReads > 0, "exec read the image through the server")

        let socket = try NotifySocket(path: scratch("notify.sock"))
        let launch = try Procwardend(
            in: scratch,
            config: """
                [Scan]
                IntervalSec=1
                [Hashing]
                HashWorkers=2
                HashTimeoutSec=1
                [Alerts]
                RateLimitBurst=100000

                """)
        // Pings every second; a gap has a second of slack before it would
        // reach WATCHDOG_USEC.
        let watchdog = Duration.seconds(2)
        let (daemon, since) = try launch.start(environment: [
            "NOTIFY_SOCKET": socket.path,
            "WATCHDOG_USEC": String(watchdog.microseconds),
        ])
        defer {
            // Its hung worker keeps the process from being reaped until the
            // connection is gone.
            fuse.abort()
            daemon.signal(SIGKILL)
            daemon.waitForExit(timeout: .seconds(5))
        }
        let hung = Poll.eventually(timeout: .seconds(60)) { fuse.hungReads >= 1 }
        try #require(hung, "the daemon never read the FUSE image; \(daemon.stderr)")
        let hungAt = ContinuousClock.now

        // Scans go on while the worker stays stuck.
        let mark = socket.messages.count
        let scanned = socket.wait(timeout: .seconds(30)) {
            DaemonReloadTests.scanStatuses(Array($0.dropFirst(mark))).count >= 3
        }
        #expect(DaemonReloadTests.scanStatuses(Array(scanned.dropFirst(mark))).count >= 3, "\(scanned.dropFirst(mark))")

        // The remaining worker hashes an image that appears now.
        let path = scratch("pw-after-hang")
        try #require(try ToolRun.run(["cp", "/usr/bin/sleep", path]).succeeded)
        let sha256 = try PrivilegesTests.sha256(path)
        let deleted = try ChildProcess([path, "600"])
        try #require(unlink(path) == 0)
        let alerts = try Journald.entries(
            matching: [
                "_PID=\(daemon.pid)", "PROCWARDEN_RULE=integrity.disk_mismatch", "PROCWARDEN_PID=\(deleted.pid)",
            ],
            timeout: .seconds(20)
        ) { !$0.isEmpty }
        let alert = try #require(alerts.first, "the other worker hashed nothing new; \(daemon.stderr)")
        #expect(alert.single("PROCWARDEN_SHA256") == ByteString(sha256))
        #expect((alert.single("__REALTIME_TIMESTAMP").flatMap { UInt64($0.description) } ?? 0) >= since)

        // The loop: watchdog pings never stopped, a reload is answered. From
        // the moment the read hung up to now, pings kept coming, never
        // WATCHDOG_USEC apart.
        let pings = socket.messages.filter { $0.has("WATCHDOG=1") }.map(\.arrival)
        let checkedAt = ContinuousClock.now
        let marks = [hungAt] + pings.filter { $0 > hungAt } + [checkedAt]
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 } + zip(marks.dropFirst(), marks).map { $0 - $1 }
        #expect(
            marks.count >= 4 && gaps.allSatisfy { $0 < watchdog },
            "\(marks.count - 2) pings in the \(checkedAt - hungAt) since the read hung, longest gap \(gaps.max() ?? .zero)"
        )
        let beforeReload = socket.messages.count
        daemon.signal(SIGHUP)
        let reloaded = socket.wait(timeout: .seconds(2)) { $0.dropFirst(beforeReload).contains { $0.has("READY=1") } }
        #expect(reloaded.dropFirst(beforeReload).contains { $0.has("RELOADING=1") })
        #expect(reloaded.dropFirst(beforeReload).contains { $0.has("READY=1") })

        // Several passes later, still exactly one read hangs: the stuck image
        // was not handed to the second worker.
        #expect(fuse.hungReads == 1, "\(fuse.hungReads) reads hang")
        #expect(hungProcess.comm() == "pw-hung-sleep")

        // SIGTERM: the daemon exits within 2 s. Only the hung worker's
        // thread, which the kernel holds in the read, outlives it; the
        // process is reaped, with status 0, once the read fails.
        daemon.signal(SIGTERM)
        var left: [pid_t] = []
        let exited = Poll.eventually(timeout: .seconds(2)) {
            left = Self.tasks(of: daemon.pid).filter { $0 != daemon.pid }
            return daemon.status()["State"]?.hasPrefix("Z") == true && left.count == 1
        }
        #expect(exited, "2 s after SIGTERM: \(daemon.status()["State"] ?? "gone"), threads left \(left)")
        #expect(socket.messages.dropFirst(beforeReload).contains { $0.has("STOPPING=1") })
        fuse.abort()
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
        _ = deleted
    }

    /// Thread ids in /proc/<pid>/task.
    static func tasks(of pid: pid_t) -> [pid_t] {
        TestFile.list("/proc/\(pid)/task").compactMap { pid_t($0) }
    }
}
