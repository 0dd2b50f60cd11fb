import Glibc
import Logging
import ProcWardenKit

/// The one path for the daemon's warnings and notices (SPEC §7): a swift-log
/// handler that makes each message one structured journal entry, with
/// `PROCWARDEN_WARNING=<kind>` when the message carries the `warning`
/// metadata key, plus one readable stderr line, unless stderr is journald's
/// own stream, so that the same text is never journaled twice.
///
/// With `--journal no`, or while journald does not take entries, the entry
/// itself goes to stderr in the `NAME=value` layout and no second line is
/// written. Nothing here blocks: see `JournalWriter` and `NonBlockingOutput`.
public struct JournalLogHandler: LogHandler {
    /// The metadata key whose value becomes `PROCWARDEN_WARNING`.
    public static let warningKey = WarningKind.metadataKey

    public var logLevel: Logger.Level = .notice
    public var metadata: Logger.Metadata = [:]

    private let writer: JournalWriter
    private let echoToStderr: Bool
    private let output: NonBlockingOutput

    /// - Parameters:
    ///   - output: stderr unless a test passes a pipe.
    ///   - stderrIsJournal: nil asks `JournalStream.isStandardError()`.
    ///   - socket: journald's socket; tests pass one bound elsewhere.
    public init(
        mode: JournalMode, output: NonBlockingOutput = .standardError, stderrIsJournal: Bool? = nil,
        socket: JournalSocket = JournalSocket()
    ) {
        let stderrIsJournal = stderrIsJournal ?? JournalStream.isStandardError()
        // Its own writer, with no logger of its own: an outage notice from
        // this writer would come back here.
        writer = JournalWriter(
            mode: mode, output: output, echoAlerts: false, stderrIsJournal: stderrIsJournal, socket: socket,
            logger: Logger(label: "procwardend", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.output = output
        echoToStderr = !stderrIsJournal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        let kind = all.removeValue(forKey: Self.warningKey).map { "\($0)" }
        var text = message.description
        if !all.isEmpty {
            text += " (" + all.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        var entry = JournalEntry.logMessage(ByteString(text), priority: level.syslogPriority)
        if let kind { entry.append(OperationalField.warning.name, ByteString(kind)) }
        guard writer.send(entry) == .journal, echoToStderr else { return }
        let prefix = level >= .warning ? "procwardend: \(level.label): " : "procwardend: "
        _ = output.write(Array((prefix + ByteString(text).escaped + "\n").utf8))
    }
}

extension Logger.Level {
    /// syslog(3) priority for PRIORITY=.
    var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    var label: String {
        switch self {
        case .trace, .debug, .info, .notice: "\(self)"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }
}

/// Whether a descriptor is journald's stream: under systemd,
/// `$JOURNAL_STREAM` holds the device and inode of the stream socket
/// connected to stdout and stderr (systemd.exec(5)).
public enum JournalStream {
    public static func isStandardError() -> Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        return matches(value, descriptor: STDERR_FILENO)
    }

    /// `value` is `DEVICE:INODE` in decimal, as systemd sets it.
    public static func matches(_ value: String, descriptor: Int32) -> Bool {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }
}
