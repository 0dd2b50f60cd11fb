import Glibc
import Logging
import ProcWardenKit
import Synchronization

/// Sends entries to journald on a socket of its own (`JournalSocket`),
/// one datagram of the native protocol per entry, and never blocks.
///
/// Safe to call from any thread. When journald cannot take an entry now
/// (its socket missing, refused, or full) the entry is not delivered: the
/// send returns `.deferred` at once and writes the entry's `NAME=value` form
/// to stderr, without blocking, unless stderr is journald's own stream
/// (`$JOURNAL_STREAM`), which would be as stuck as journald. Keeping an
/// undelivered alert for later is the caller's job (the alert queue).
/// Every send tries journald again, so sending resumes when it comes back.
public final class JournalWriter: Sendable {
    /// Where one entry ended up.
    public enum Delivery: Sendable, Equatable {
        /// journald's socket took it.
        case journal
        /// Written to stderr because the mode is `no`.
        case stderr
        /// journald cannot take it now; copied to stderr where allowed.
        case deferred(SystemError)
        /// journald can never take it (see `JournalSocket.Outcome.rejected`);
        /// copied to stderr where allowed.
        case rejected(SystemError)
    }

    public struct Statistics: Sendable, Equatable {
        /// Entries journald's socket accepted.
        public var sent = 0
        /// Sends journald did not take (deferred or rejected).
        public var failures = 0
        /// Entries written to stderr in the `NAME=value` layout, for any reason.
        public var written = 0
        /// Copies that stderr did not take (or took only in part).
        public var lost = 0
        /// Why journald did not take the last entry; nil once it took one again.
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
    /// Whether `send(_: Alert)` also prints `Alert.terminalLine` to stderr
    /// after journald took the alert.
    public let echoesAlerts: Bool
    /// Whether stderr is journald's stream: then nothing is copied there.
    public let stderrIsJournal: Bool
    /// The socket to journald; its descriptor can be watched for EPOLLOUT.
    public let socket: JournalSocket
    private let output: NonBlockingOutput
    private let logger: Logger
    private let counters = Mutex(Statistics())
    /// The current outage: when it began (realtime µs) and whether it was
    /// announced. A queue full for a moment (EAGAIN) is announced only if
    /// it lasts `outageNoticeDelay`; a missing or refused socket at once.
    private let outage = Mutex<(since: UInt64, announced: Bool)?>(nil)
    static let outageNoticeDelay: UInt64 = 1_000_000

    /// - Parameters:
    ///   - output: where the stderr form and the echo go; stderr unless a
    ///     test passes a pipe or a pty.
    ///   - echoAlerts: nil decides by the mode and isatty(3) of the output.
    ///   - stderrIsJournal: nil asks `JournalStream.isStandardError()`.
    ///   - socket: journald's socket; tests pass one bound elsewhere.
    public init(
        mode: JournalMode, output: NonBlockingOutput = .standardError, echoAlerts: Bool? = nil,
        stderrIsJournal: Bool? = nil, socket: JournalSocket = JournalSocket(), logger: Logger
    ) {
        self.mode = mode
        self.output = output
        self.echoesAlerts = echoAlerts ?? mode.echoesAlerts(toTerminal: isatty(output.descriptor) == 1)
        self.stderrIsJournal = stderrIsJournal ?? JournalStream.isStandardError()
        self.socket = socket
        self.logger = logger
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Whether journald has not taken entries for long enough to be
    /// announced as an outage (not a queue full for a moment).
    public var outageAnnounced: Bool { outage.withLock { $0?.announced == true } }

    /// Sends an alert's entry (`JournalEntry(alert:)`), then echoes it as a
    /// readable line when `echoesAlerts` and journald took it.
    @discardableResult
    public func send(_ alert: Alert, copyIfUndelivered: Bool = true) -> Delivery {
        send(JournalEntry(alert: alert), echo: alert, copyIfUndelivered: copyIfUndelivered)
    }

    /// Sends `entry`; `echo` is the alert to print readably when
    /// `echoesAlerts` and journald took it. `copyIfUndelivered: false` skips
    /// the stderr copy (the entry was copied when it first failed).
    @discardableResult
    public func send(_ entry: JournalEntry, echo: Alert? = nil, copyIfUndelivered: Bool = true) -> Delivery {
        if mode == .no {
            copy(entry.stderrForm)
            return .stderr
        }
        let (delivery, failure): (Delivery, SystemError)
        switch socket.send(entry.nativeForm) {
        case .sent:
            counters.withLock {
                $0.sent += 1
                $0.lastFailure = nil
            }
            let ended = outage.withLock { state in
                defer { state = nil }
                return state
            }
            if ended?.announced == true { logger.notice("journald takes entries again") }
            if echoesAlerts, let echo, !stderrIsJournal {
                _ = output.write(Array((echo.terminalLine + "\n").utf8))
            }
            return .journal
        case .notNow(let error): (delivery, failure) = (.deferred(error), error)
        case .rejected(let error): (delivery, failure) = (.rejected(error), error)
        }
        counters.withLock {
            $0.failures += 1
            $0.lastFailure = failure
        }
        let now = WallClock.microseconds()
        let announce = outage.withLock { state -> Bool in
            var current = state ?? (since: now, announced: false)
            defer { state = current }
            guard !current.announced,
                failure.errno != EAGAIN || now >= current.since &+ Self.outageNoticeDelay
            else { return false }
            current.announced = true
            return true
        }
        if announce {
            logger.warning("journald does not take entries (\(failure)); alerts wait in the queue")
        }
        if copyIfUndelivered { copy(entry.stderrForm) }
        return delivery
    }

    /// Writes `entry`'s `NAME=value` form to stderr (unless stderr is
    /// journald's stream), as for an entry journald did not take.
    public func copyToStderr(_ entry: JournalEntry) {
        copy(entry.stderrForm)
    }

    private func copy(_ bytes: [UInt8]) {
        guard !stderrIsJournal || mode == .no else { return }
        let failed = output.write(bytes) != nil
        counters.withLock { stats in
            if failed { stats.lost += 1 } else { stats.written += 1 }
        }
    }
}
