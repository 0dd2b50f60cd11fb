import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// journald unreachable, made real for one thread: in a private mount
/// namespace (see `PrivateMountNamespace`) /run/systemd/journal is covered
/// with an empty tmpfs (the socket is missing: ENOENT, which
/// sd_journal_sendv itself would report as success), then given a socket file
/// nobody listens on (ECONNREFUSED), then uncovered again.
@Suite(.serialized) struct JournalFallbackTests {
    let logger = Logger(label: "test.journal.fallback")
    static let directory = "/run/systemd/journal"

    init() throws { try Journald.ensureRunning() }

    @Test func unreachableJournaldGoesToStderrIsCountedAndSendingResumes() throws {
        let out = try Pipe()
        let writer = JournalWriter(mode: .yes, fallbackDescriptor: out.write, echoAlerts: false, logger: logger)
        let comm = ByteString(TestAlerts.uniqueKey())
        let exe = ByteString(Array("/tmp/x\nPROCWARDEN_RULE=fake\n".utf8) + [0xff, 0x1b, 0x5c])
        let alerts = (0..<4).map { _ in TestAlerts.make(.diskMismatch, comm: comm, exe: exe) }

        let (deliveries, probes) = try PrivateMountNamespace.run { () -> ([JournalWriter.Delivery], [SystemError?]) in
            var deliveries = [writer.send(alerts[0])]
            guard mount("tmpfs", Self.directory, "tmpfs", 0, "mode=0755,size=64k") == 0 else {
                throw SystemError("mount tmpfs on \(Self.directory)")
            }
            let whileMissing = JournalSocket.probe()
            deliveries.append(writer.send(alerts[1]))
            try Self.bindAbandonedSocket(at: JournalSocket.path)
            let whileRefused = JournalSocket.probe()
            deliveries.append(writer.send(alerts[2]))
            guard umount2(Self.directory, 0) == 0 else { throw SystemError("umount \(Self.directory)") }
            deliveries.append(writer.send(alerts[3]))
            return (deliveries, [whileMissing, whileRefused])
        }

        #expect(
            probes == [
                SystemError("connect \(JournalSocket.path)", errno: ENOENT),
                SystemError("connect \(JournalSocket.path)", errno: ECONNREFUSED),
            ])
        #expect(JournalSocket.probe() == nil, "the rest of the process must still reach journald")
        #expect(
            deliveries == [
                .journal,
                .fallback(SystemError("stat \(JournalSocket.path)", errno: ENOENT)),
                .fallback(SystemError("sd_journal_sendv", errno: ECONNREFUSED)),
                .journal,
            ])
        #expect(writer.statistics == .init(sent: 2, failures: 2, written: 2, lost: 0, lastFailure: nil))

        out.closeWrite()
        let parsed = try StderrForm.parse(out.readAll())
        try #require(parsed.count == 2)
        for (entry, alert) in zip(parsed, [alerts[1], alerts[2]]) {
            let intended = JournalEntry(alert: alert).fields
            #expect(entry.map(\.name) == intended.map(\.name.rawValue))
            #expect(entry.map(\.value) == intended.map(\.value))
            #expect(entry.filter { $0.name == "PROCWARDEN_RULE" }.map(\.value) == ["integrity.disk_mismatch"])
        }

        let stored = try Journald.entries(matching: "PROCWARDEN_COMM=\(comm)", count: 2)
        #expect(
            Set(stored.compactMap { $0.single("PROCWARDEN_DEDUP_KEY")?.utf8String })
                == [alerts[0].dedupKey, alerts[3].dedupKey])
    }

    @Test func aBrokenStderrLosesTheEntryWithoutKillingTheProcess() throws {
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        let out = try Pipe()
        out.closeRead()
        let writer = JournalWriter(mode: .no, fallbackDescriptor: out.write, logger: logger)

        let delivery = writer.send(TestAlerts.make(.binaryUpdate))

        #expect(delivery == .lost(nil, SystemError("write fd \(out.write)", errno: EPIPE)))
        #expect(writer.statistics == .init(sent: 0, failures: 0, written: 0, lost: 1, lastFailure: nil))
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
    }

    /// A socket file with nobody behind it: bind(2), then close.
    static func bindAbandonedSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        defer { close(fd) }
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
        guard rc == 0 else { throw SystemError("bind \(path)") }
    }
}
