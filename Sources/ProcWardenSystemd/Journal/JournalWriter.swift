import CSystemd
import Glibc
import Logging
import ProcWardenKit
import Synchronization

/// Sends entries to journald with `sd_journal_sendv(3)`, one iovec per
/// `NAME=value` field, and falls back to stderr when journald is unreachable.
///
/// Safe to call from any thread. A send is one datagram on journald's socket
/// and does not wait for journald to process it; sendmsg(2) blocks only while
/// journald's receive queue is full, that is, while journald itself hangs.
/// When journald cannot be reached the entry is written to the fallback
/// descriptor in `JournalEntry.stderrForm` and counted in
/// `statistics.failures`; every later entry tries journald again, so sending
/// resumes when it comes back. The fallback write blocks only as long as a
/// write(2) to stderr does.
public final class JournalWriter: Sendable {
    /// Where one entry ended up.
    public enum Delivery: Sendable, Equatable {
        /// journald's socket took it.
        case journal
        /// Written to stderr because the mode is `no`.
        case stderr
        /// journald was unreachable; written to stderr instead.
        case fallback(SystemError)
        /// Neither journald nor stderr took it (the second error is stderr's).
        case lost(SystemError?, SystemError)
    }

    public struct Statistics: Sendable, Equatable {
        /// Entries journald's socket accepted.
        public var sent = 0
        /// Entries journald could not take; each went to stderr (or was lost).
        public var failures = 0
        /// Entries written to stderr in the `NAME=value` layout, for any reason.
        public var written = 0
        /// Entries that reached neither journald nor stderr.
        public var lost = 0
        /// Why journald is unreachable; nil once an entry reached it again.
        public var lastFailure: SystemError?

        public init(sent: Int = 0, failures: Int = 0, written: Int = 0, lost: Int = 0, lastFailure: SystemError? = nil)
        {
            self.sent = sent
            self.failures = failures
            self.written = written
            self.lost = lost
            self.lastFailure = lastFailure
        }
    }

    public let mode: JournalMode
    /// Whether `send(_: Alert)` also prints `Alert.terminalLine` to the
    /// fallback descriptor after journald took the alert.
    public let echoesAlerts: Bool
    private let fallbackDescriptor: Int32
    private let logger: Logger
    private let counters = Mutex(Statistics())
    /// Serialises writes to the fallback descriptor, so entries from
    /// different threads never interleave.
    private let output = Mutex(())

    /// - Parameters:
    ///   - fallbackDescriptor: where the stderr form and the echo go; stderr
    ///     unless a test passes a pipe or a pty. It is not closed.
    ///   - echoAlerts: nil decides by the mode and isatty(3) of the descriptor.
    public init(mode: JournalMode, fallbackDescriptor: Int32 = STDERR_FILENO, echoAlerts: Bool? = nil, logger: Logger) {
        self.mode = mode
        self.fallbackDescriptor = fallbackDescriptor
        self.echoesAlerts = echoAlerts ?? mode.echoesAlerts(toTerminal: isatty(fallbackDescriptor) == 1)
        self.logger = logger
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Sends an alert's entry (`JournalEntry(alert:)`), then echoes it as a
    /// readable line when `echoesAlerts` and journald took it.
    @discardableResult
    public func send(_ alert: Alert) -> Delivery {
        let delivery = send(JournalEntry(alert: alert))
        if echoesAlerts, delivery == .journal {
            _ = writeFallback(Array((alert.terminalLine + "\n").utf8))
        }
        return delivery
    }

    @discardableResult
    public func send(_ entry: JournalEntry) -> Delivery {
        if mode == .no {
            if let error = writeFallback(entry.stderrForm) {
                counters.withLock { $0.lost += 1 }
                return .lost(nil, error)
            }
            counters.withLock { $0.written += 1 }
            return .stderr
        }
        guard let failure = Self.sendToJournal(entry) else {
            let recovered = counters.withLock { stats -> Int? in
                stats.sent += 1
                guard stats.lastFailure != nil else { return nil }
                stats.lastFailure = nil
                return stats.failures
            }
            if let failures = recovered {
                logger.notice("journald is reachable again; \(failures) entries went to stderr while it was not")
            }
            return .journal
        }
        let firstOfOutage = counters.withLock { stats -> Bool in
            stats.failures += 1
            defer { stats.lastFailure = failure }
            return stats.lastFailure == nil
        }
        if firstOfOutage {
            logger.warning("journald is unreachable (\(failure)); writing entries to stderr until it returns")
        }
        if let error = writeFallback(entry.stderrForm) {
            counters.withLock { $0.lost += 1 }
            return .lost(failure, error)
        }
        counters.withLock { $0.written += 1 }
        return .fallback(failure)
    }

    /// nil when journald's socket took the entry, else why not.
    private static func sendToJournal(_ entry: JournalEntry) -> SystemError? {
        if let missing = JournalSocket.checkPresent() { return missing }
        // One buffer holding every `NAME=value`, and one iovec per field
        // pointing into it: the value's bytes go out unchanged.
        var buffer: [UInt8] = []
        var spans: [(offset: Int, count: Int)] = []
        for field in entry.fields {
            let start = buffer.count
            buffer += field.name.rawValue.utf8
            buffer.append(UInt8(ascii: "="))
            buffer += field.value.bytes
            spans.append((start, buffer.count - start))
        }
        guard !spans.isEmpty else { return SystemError("sd_journal_sendv", errno: EINVAL) }
        do {
            try SystemCall.negativeErrno("sd_journal_sendv") {
                buffer.withUnsafeMutableBytes { raw -> Int32 in
                    let vectors = spans.map { iovec(iov_base: raw.baseAddress! + $0.offset, iov_len: $0.count) }
                    return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// write(2) all of `bytes` to the fallback descriptor with SIGPIPE blocked
    /// for this thread, so a closed stderr pipe is an error, not death.
    private func writeFallback(_ bytes: [UInt8]) -> SystemError? {
        output.withLock { _ in
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            var previousMask = sigset_t()
            pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
            defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
            var pending = sigset_t()
            sigpending(&pending)
            let wasPending = sigismember(&pending, SIGPIPE) == 1

            var failure: SystemError?
            var offset = 0
            do throws(SystemError) {
                while offset < bytes.count {
                    let n = try SystemCall.valueOrErrno("write fd \(fallbackDescriptor)") {
                        bytes.withUnsafeBytes { write(fallbackDescriptor, $0.baseAddress! + offset, $0.count - offset) }
                    }
                    // write(2) of a non-empty buffer returning 0 would loop forever.
                    guard n > 0 else { throw SystemError("write fd \(fallbackDescriptor)", errno: EIO) }
                    offset += n
                }
            } catch {
                failure = error
            }
            if failure?.errno == EPIPE && !wasPending {
                // Consume the SIGPIPE this write raised before unblocking.
                var zero = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &zero)
            }
            return failure
        }
    }
}
