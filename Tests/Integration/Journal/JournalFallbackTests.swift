import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// journald unreachable or stuck, made real for one thread: in a private
/// mount namespace (see `PrivateMountNamespace`) /run/systemd/journal is
/// covered with an empty tmpfs (the socket is missing: ENOENT), then given a
/// socket file nobody listens on (ECONNREFUSED), then a socket that is bound
/// but never read (a hung journald: its queue fills, EAGAIN), then
/// uncovered again, with the stuck socket closed (journald restarted).
@Suite(.serialized) struct JournalFallbackTests {
    let logger = Logger(label: "test.journal.fallback")
    static let directory = "/run/systemd/journal"

    init() throws { try Journald.ensureRunning() }

    @Test func undeliveredEntriesAreDeferredAtOnceCopiedToStderrAndSendingResumes() throws {
        let out = try Pipe()
        try out.reserve(1 << 20)
        let comm = ByteString(TestAlerts.uniqueKey())
        let exe = ByteString(Array("/tmp/x\nPROCWARDEN_RULE=fake\n".utf8) + [0xff, 0x1b, 0x5c])
        let alerts = (0..<4).map { _ in TestAlerts.make(.diskMismatch, comm: comm, exe: exe) }
        let filler = TestAlerts.make(.binaryUpdate, comm: ByteString(TestAlerts.uniqueKey()))
        let copies = out.write

        let outcome = try PrivateMountNamespace.run { () -> Outcome in
            var outcome = Outcome()
            guard mount("tmpfs", Self.directory, "tmpfs", 0, "mode=0755,size=64k") == 0 else {
                throw SystemError("mount tmpfs on \(Self.directory)")
            }
            // Created here, so its first connect(2) happens in this namespace.
            let writer = JournalWriter(
                mode: .yes, output: NonBlockingOutput(descriptor: copies), echoAlerts: false,
                stderrIsJournal: false, logger: logger)
            outcome.deliveries.append(writer.send(alerts[0]))
            try Self.bindAbandonedSocket(at: JournalSocket.path)
            outcome.deliveries.append(writer.send(alerts[1]))
            unlink(JournalSocket.path)
            let stuck = try Self.bindSocket(at: JournalSocket.path)
            // Fill the never-read queue: each send returns at once.
            let start = ContinuousClock.now
            var filled = false
            for _ in 0..<100_000 {
                guard writer.send(JournalEntry(alert: filler), copyIfUndelivered: false) == .journal else {
                    filled = true
                    break
                }
                outcome.accepted += 1
            }
            outcome.deliveries.append(writer.send(alerts[2]))
            outcome.fillTime = ContinuousClock.now - start
            outcome.filled = filled
            close(stuck)
            unlink(JournalSocket.path)
            guard umount2(Self.directory, 0) == 0 else { throw SystemError("umount \(Self.directory)") }
            outcome.deliveries.append(writer.send(alerts[3]))
            outcome.statistics = writer.statistics
            return outcome
        }

        #expect(outcome.filled, "journald's queue filled after \(outcome.accepted) entries")
        #expect(outcome.fillTime < .seconds(2), "sends to a stuck socket must not wait: \(outcome.fillTime)")
        #expect(
            outcome.deliveries == [
                .deferred(SystemError("connect \(JournalSocket.path)", errno: ENOENT)),
                .deferred(SystemError("connect \(JournalSocket.path)", errno: ECONNREFUSED)),
                .deferred(SystemError("send \(JournalSocket.path)", errno: EAGAIN)),
                .journal,
            ])
        #expect(JournalSocket.probe() == nil, "the rest of the process must still reach journald")
        #expect(outcome.statistics?.written == 3)
        #expect(outcome.statistics?.sent == outcome.accepted + 1)
        #expect(outcome.statistics?.lastFailure == nil)

        out.closeWrite()
        let parsed = try StderrForm.parse(out.readAll())
        try #require(parsed.count == 3)
        for (entry, alert) in zip(parsed, alerts.prefix(3)) {
            let intended = JournalEntry(alert: alert).fields
            #expect(entry.map(\.name) == intended.map(\.name.rawValue))
            #expect(entry.map(\.value) == intended.map(\.value))
            #expect(entry.filter { $0.name == "PROCWARDEN_RULE" }.map(\.value) == ["integrity.disk_mismatch"])
        }

        let stored = try Journald.entries(matching: "PROCWARDEN_COMM=\(comm)", count: 1)
        #expect(stored.compactMap { $0.single("PROCWARDEN_DEDUP_KEY")?.utf8String } == [alerts[3].dedupKey])
    }

    struct Outcome: Sendable {
        var deliveries: [JournalWriter.Delivery] = []
        var accepted = 0
        var filled = false
        var fillTime: Duration = .zero
        var statistics: JournalWriter.Statistics?
    }

    @Test func aBrokenStderrLosesTheCopyWithoutKillingTheProcess() throws {
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        let out = try Pipe()
        out.closeRead()
        let writer = JournalWriter(mode: .no, output: NonBlockingOutput(descriptor: out.write), logger: logger)

        let delivery = writer.send(TestAlerts.make(.binaryUpdate))

        #expect(delivery == .stderr)
        #expect(writer.statistics == .init(sent: 0, failures: 0, written: 0, lost: 1, lastFailure: nil))
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
    }

    /// A stderr pipe nobody reads: copies that do not fit are lost, counted,
    /// and never waited for.
    @Test func aStderrPipeNobodyReadsNeverBlocks() throws {
        let out = try Pipe()
        let writer = JournalWriter(mode: .no, output: NonBlockingOutput(descriptor: out.write), logger: logger)
        let start = ContinuousClock.now
        for _ in 0..<2_000 { #expect(writer.send(TestAlerts.make(.binaryUpdate)) == .stderr) }
        #expect(ContinuousClock.now - start < .seconds(5))
        let stats = writer.statistics
        #expect(stats.written + stats.lost == 2_000)
        #expect(stats.lost > 0 && stats.written > 0, "\(stats)")
    }

    /// A socket bound at `path` and never read, like a hung journald; the
    /// caller closes the returned descriptor.
    static func bindSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw SystemError("bind \(path)")
        }
        return fd
    }

    /// A socket file with nobody behind it: bind(2), then close.
    static func bindAbandonedSocket(at path: String) throws {
        close(try bindSocket(at: path))
    }
}
