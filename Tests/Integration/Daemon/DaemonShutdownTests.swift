import Foundation
import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// SIGTERM stops the daemon within 2 seconds even in the middle of a long
/// hash, and the state it leaves loads on the next start (SPEC §6, §8).
@Suite(.serialized) struct DaemonShutdownTests {
    /// 2 GiB: several seconds of hashing however fast the machine is.
    static let bigSize: off_t = 2 << 30

    init() throws {
        try #require(geteuid() == 0, "the daemon runs as root to see every process")
        try Journald.ensureRunning()
    }

    @Test func sigtermMidHashExitsWithinTwoSecondsAndPersistsState() throws {
        let scratch = try ScratchDirectory("shutdown", mode: 0o700)
        let socket = try NotifySocket(path: scratch("notify.sock"))
        // Seen by the first scan, so its baseline must be in the state the
        // daemon leaves behind.
        let marker = scratch("pw-marker-sleep")
        try #require(try ToolRun.run(["cp", "/usr/bin/sleep", marker]).succeeded)
        let markerProcess = try ChildProcess([marker, "600"])
        // A copy of sleep padded with a sparse 2 GiB tail still runs (the
        // loader ignores what follows the ELF segments).
        let big = scratch("pw-big-sleep")
        try #require(try ToolRun.run(["cp", "/usr/bin/sleep", big]).succeeded)
        try #require(truncate(big, Self.bigSize) == 0)

        let launch = try Procwardend(
            in: scratch,
            config: """
                [Scan]
                IntervalSec=1
                [Hashing]
                HashWorkers=1
                MaxFileSize=64G
                HashTimeoutSec=3600
                HashBudgetSec=3600
                [Alerts]
                RateLimitBurst=100000

                """)
        let statePath = launch.stateDirectory + "/" + StateStore.fileName
        let (daemon, _) = try launch.start(environment: ["NOTIFY_SOCKET": socket.path])
        let first = socket.wait(timeout: .seconds(120)) { !DaemonReloadTests.scanStatuses($0).isEmpty }
        try #require(!DaemonReloadTests.scanStatuses(first).isEmpty, "no first scan: \(daemon.stderr)")

        // The next scans hash the big image with the one worker.
        try Self.dropCache(big)
        try #require(try Self.residentBytes(big) < 16 << 20, "the page cache kept \(big)")
        let child = try ChildProcess([big, "600"])
        var resident = 0
        let hashing = try Poll.eventually(timeout: .seconds(60)) {
            resident = try Self.residentBytes(big)
            return resident > 64 << 20
        }
        try #require(hashing, "the daemon never started reading \(big); \(daemon.stderr)")
        try #require(resident < Int(Self.bigSize) - (64 << 20), "the hash finished before the test could interrupt it")
        #expect(child.comm() == "pw-big-sleep")

        let signalled = ContinuousClock.now
        daemon.signal(SIGTERM)
        let status = daemon.waitForExit(timeout: .seconds(5))
        let took = ContinuousClock.now - signalled
        #expect(status == 0, "\(daemon.stderr)")
        #expect(took < .seconds(2), "exit took \(took)")
        #expect(socket.messages.contains { $0.has("STOPPING=1") })

        // Whole: the first scan's baselines are there, the unfinished image
        // has none.
        let state = try Self.decodeState(statePath)
        let paths = Set(state.baselines.entries.keys.map(\.path))
        #expect(paths.contains(ByteString(marker)), "\(state.baselines.count) baselines, none for \(marker)")
        #expect(!paths.contains(ByteString(big)))
        #expect(Self.corruptFiles(in: launch.stateDirectory).isEmpty)
        _ = markerProcess

        // The next start loads it without a warning.
        try scratch.write("procwarden.conf", "[Scan]\nIgnorePaths=\(big)\n[Alerts]\nRateLimitBurst=100000\n")
        let (again, since) = try launch.start()
        let started = try Journald.entries(fromPID: again.pid, since: since) {
            $0.single("MESSAGE_ID") == "45783e68828d45ab9e9a4b6c5a7067f2"
        }
        #expect(started.contains { $0.single("MESSAGE_ID") == "45783e68828d45ab9e9a4b6c5a7067f2" }, "\(again.stderr)")
        #expect(
            !started.contains { $0.single("PROCWARDEN_WARNING") == "state" },
            "\(started.compactMap { $0.single("MESSAGE") })")
        again.signal(SIGTERM)
        #expect(again.waitForExit(timeout: .seconds(5)) == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("state"), "\(again.stderr)")
        #expect(Self.corruptFiles(in: launch.stateDirectory).isEmpty)
        #expect(Set(try Self.decodeState(statePath).baselines.entries.keys.map(\.path)).contains(ByteString(marker)))
    }

    /// state.json decoded the way the daemon decodes it, without the side
    /// effect of `StateStore.load` (moving a bad file aside).
    static func decodeState(_ path: String) throws -> MonitorState {
        let bytes = try #require(try DurableFile.read(path, limit: StateStore.maxFileSize), "no \(path)")
        return try JSONDecoder().decode(MonitorState.self, from: Data(bytes))
    }

    static func corruptFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".corrupt-") }
    }

    /// Bytes of `path` in the page cache (mmap(2) + mincore(2)). Reading a
    /// sparse file fills the cache with its zero pages too, so once the
    /// test has dropped them (`dropCache`) this is how far a reader got; the
    /// digester reads with pread(2), which leaves no file position to watch.
    static func residentBytes(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("fstat \(path)") }
        let length = Int(st.st_size)
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw SystemError("mmap \(path)")
        }
        defer { munmap(map, length) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (length + page - 1) / page)
        guard mincore(map, length, &vector) == 0 else { throw SystemError("mincore \(path)") }
        return vector.reduce(0) { $0 + Int($1 & 1) } * page
    }

    /// POSIX_FADV_DONTNEED: drops the file's clean pages from the cache.
    static func dropCache(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        let rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        guard rc == 0 else { throw SystemError("posix_fadvise", errno: rc) }
    }
}
