import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// SIGHUP re-reads the configuration (SPEC §5, §8): a good file takes effect,
/// a bad one is rejected with its reason and the running settings stay.
@Suite(.serialized) struct DaemonReloadTests {
    init() throws {
        try #require(geteuid() == 0, "the daemon runs as root to reach the test's socket")
        try Journald.ensureRunning()
    }

    @Test func goodFileTakesEffectAndBadFileKeepsTheRunningConfiguration() throws {
        let scratch = try ScratchDirectory("reload", mode: 0o700)
        let socket = try NotifySocket(path: scratch("notify.sock"))
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n")
        let (daemon, since) = try launch.start(environment: ["NOTIFY_SOCKET": socket.path])

        let first = socket.wait(timeout: .seconds(120)) { Self.scanStatuses($0).count >= 1 }
        try #require(Self.scanStatuses(first).count == 1, "\(first); \(daemon.stderr)")
        #expect(Self.nextScan(Self.scanStatuses(first)[0]) == 3600, "\(first)")
        // An hour between scans: no second scan comes on its own.
        usleep(1_500_000)
        #expect(Self.scanStatuses(socket.messages).count == 1)

        // A good file: scans every second from now on.
        try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=1\n")
        var mark = socket.messages.count
        daemon.signal(SIGHUP)
        let ready = try Self.reloadStatus(socket, after: mark)
        #expect(Self.nextScan(ready) == 1, "\(ready)")
        mark = socket.messages.count
        // Scans start a second apart (or at once after one that overruns),
        // as the time each takes depends on what else runs on the machine.
        let scans = socket.wait(timeout: .seconds(10)) { Self.scanStatuses(Array($0.dropFirst(mark))).count >= 2 }
        #expect(Self.scanStatuses(Array(scans.dropFirst(mark))).count >= 2, "\(scans.dropFirst(mark))")

        // A bad file: rejected with file:line, key, value and range; the
        // one-second interval stays.
        try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=0\n")
        mark = socket.messages.count
        daemon.signal(SIGHUP)
        let kept = try Self.reloadStatus(socket, after: mark)
        #expect(Self.nextScan(kept) == 1, "\(kept)")
        let warnings = try Journald.entries(fromPID: daemon.pid, since: since) {
            $0.single("PROCWARDEN_WARNING") == "config"
        }
        .filter { $0.single("PROCWARDEN_WARNING") == "config" }
        try #require(warnings.count == 1, "\(warnings.count) config warnings; \(daemon.stderr)")
        let message = warnings[0].single("MESSAGE")?.description ?? ""
        #expect(message.contains("\(launch.configPath):2: IntervalSec=0 is out of range (valid: 1–86400"), "\(message)")
        #expect(warnings[0].single("PRIORITY") == "4")
        mark = socket.messages.count
        let after = socket.wait(timeout: .seconds(10)) { Self.scanStatuses(Array($0.dropFirst(mark))).count >= 2 }
        #expect(Self.scanStatuses(Array(after.dropFirst(mark))).count >= 2, "\(after.dropFirst(mark))")
        #expect(daemon.waitForExit(timeout: .zero) == nil, "\(daemon.stderr)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }

    /// A bad line with raw bytes (ESC, 0xff) reaches the journal escaped:
    /// the warning's MESSAGE is valid UTF-8 without control characters.
    @Test func rawBytesOfABadLineAreEscapedInTheJournal() throws {
        let scratch = try ScratchDirectory("reload-bytes", mode: 0o700)
        let socket = try NotifySocket(path: scratch("notify.sock"))
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n")
        let (daemon, since) = try launch.start(environment: ["NOTIFY_SOCKET": socket.path])
        let first = socket.wait(timeout: .seconds(120)) { Self.scanStatuses($0).count >= 1 }
        try #require(Self.scanStatuses(first).count == 1, "\(first); \(daemon.stderr)")

        let bad = Array("[Scan]\nIntervalSec=5".utf8) + [0x1B] + Array("[31m".utf8) + [0xFF, 0x0A]
        try DurableFile.write(bad, to: launch.configPath)
        let mark = socket.messages.count
        daemon.signal(SIGHUP)
        _ = try Self.reloadStatus(socket, after: mark)
        let warnings = try Journald.entries(fromPID: daemon.pid, since: since) {
            $0.single("PROCWARDEN_WARNING") == "config"
        }
        .filter { $0.single("PROCWARDEN_WARNING") == "config" }
        try #require(warnings.count == 1, "\(warnings.count) config warnings; \(daemon.stderr)")
        let message = try #require(warnings[0].single("MESSAGE"))
        #expect(!message.bytes.contains(0x1B) && !message.bytes.contains(0xFF), "\(message.bytes)")
        let text = try #require(String(validating: message.bytes, as: UTF8.self))
        #expect(text.contains("\(launch.configPath):2: IntervalSec=5\\x1b[31m\\xff is "), "\(text)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }

    /// The `next scan in Ns` of a status line.
    static func nextScan(_ status: String) -> Int? {
        (try? NotifyTests.statusPattern.wholeMatch(in: status)).flatMap { Int($0.4) }
    }

    /// The STATUS texts sent after scans.
    static func scanStatuses(_ messages: [NotifySocket.Message]) -> [String] {
        messages.filter { !$0.has("READY=1") }.compactMap { $0.value("STATUS") }.filter { $0.hasPrefix("Watching") }
    }

    /// Waits for RELOADING=1 and then READY=1 after message `mark`; the
    /// STATUS that came with READY=1.
    static func reloadStatus(_ socket: NotifySocket, after mark: Int) throws -> String {
        let messages = socket.wait(timeout: .seconds(10)) { messages in
            guard let r = messages.indices.dropFirst(mark).first(where: { messages[$0].has("RELOADING=1") }) else {
                return false
            }
            return messages[(r + 1)...].contains { $0.has("READY=1") }
        }
        let reloading = try #require(
            messages.indices.dropFirst(mark).first { messages[$0].has("RELOADING=1") },
            "no RELOADING=1: \(messages.dropFirst(mark))")
        let ready = try #require(
            messages[(reloading + 1)...].first { $0.has("READY=1") }, "no READY=1: \(messages.dropFirst(mark))")
        return try #require(ready.value("STATUS"), "READY=1 without STATUS: \(ready)")
    }
}
