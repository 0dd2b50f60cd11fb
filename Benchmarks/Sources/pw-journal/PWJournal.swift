import ArgumentParser
import CJournal
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd

/// bench-compare's journal writer comparison (issue 10): the same alert
/// entries delivered to the running journald through the daemon's
/// non-blocking `JournalWriter` (waiting in poll(2) for room after EAGAIN,
/// as the daemon's event loop does) and through plain `sd_journal_sendv(3)`
/// calls (which wait inside sendmsg(2)). Runs alternate, best of `runs`
/// each; prints `ours <entries/s> theirs <entries/s>`.
@main struct PWJournal: ParsableCommand {
    @Option(help: "Entries per run.") var entries = 2_000
    @Option(help: "Runs of each writer, alternating.") var runs = 5

    func run() throws {
        let batch = (0..<entries).map { Self.entry($0) }
        let writer = JournalWriter(
            mode: .yes, echoAlerts: false, stderrIsJournal: true,
            logger: Logger(label: "pw-journal") { _ in
                SwiftLogNoOpLogHandler()
            })
        var ours = Duration.seconds(3600)
        var theirs = Duration.seconds(3600)
        for _ in 0..<runs {
            ours = min(ours, try Self.time { try Self.sendAll(batch, through: writer) })
            theirs = min(theirs, try Self.time { try Self.sendAll(batch) })
        }
        print("ours \(Self.rate(entries, ours)) theirs \(Self.rate(entries, theirs))")
    }

    /// An alert entry like the daemon's, its dedup key made unique.
    static func entry(_ n: Int) -> JournalEntry {
        let alert = Alert(
            rule: .diskMismatch,
            message: ByteString("pw-bench[\(n)]: running executable /usr/sbin/pw-bench was deleted from disk"),
            pid: 1,
            fields: [
                .init(.dedupKey, ByteString("pw-bench-\(n)")), .init(.pid, "1"), .init(.uid, "0"),
                .init(.comm, "pw-bench"), .init(.exe, "/usr/sbin/pw-bench"), .init(.exeState, "deleted"),
                .init(.sha256, ByteString(String(repeating: "ab", count: 32))),
                .init(.ssdeep, "768:pyUZrPDVfcpncZuYcieePR6Siqbo8LPGm:pDZrP6pncwYneORlOm"), .init(.reason, "deleted"),
            ], raisedAtMicroseconds: WallClock.microseconds())
        return JournalEntry(alert: alert, objectPID: false)
    }

    static func sendAll(_ batch: [JournalEntry], through writer: JournalWriter) throws {
        for entry in batch {
            while true {
                switch writer.send(entry, copyIfUndelivered: false) {
                case .journal: break
                case .deferred(let error) where error.errno == EAGAIN:
                    var ready = pollfd(fd: writer.socket.descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 1_000)
                    continue
                case let other: throw ValidationError("journald did not take an entry: \(other)")
                }
                break
            }
        }
    }

    static func sendAll(_ batch: [JournalEntry]) throws {
        for entry in batch {
            var buffer: [UInt8] = []
            var spans: [(offset: Int, count: Int)] = []
            for field in entry.fields {
                let start = buffer.count
                buffer += field.name.rawValue.utf8
                buffer.append(UInt8(ascii: "="))
                buffer += field.value.bytes
                spans.append((start, buffer.count - start))
            }
            let rc = buffer.withUnsafeMutableBytes { raw -> Int32 in
                let vectors = spans.map { iovec(iov_base: raw.baseAddress! + $0.offset, iov_len: $0.count) }
                return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
            }
            guard rc >= 0 else { throw ValidationError("sd_journal_sendv: \(String(cString: strerror(-rc)))") }
        }
    }

    static func time(_ body: () throws -> Void) throws -> Duration {
        let start = ContinuousClock.now
        try body()
        return ContinuousClock.now - start
    }

    static func rate(_ count: Int, _ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        return String(Int((Double(count) / total).rounded()))
    }
}
