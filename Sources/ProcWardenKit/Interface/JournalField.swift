/// Standard journal fields the writer sets besides the alert's own.
public enum JournalField {
    public static let message = "MESSAGE"
    public static let messageID = "MESSAGE_ID"
    public static let priority = "PRIORITY"
    public static let syslogIdentifier = "SYSLOG_IDENTIFIER"
    public static let objectPID = "OBJECT_PID"
    /// The trusted field journald adds: the host that wrote the entry.
    public static let hostname = "_HOSTNAME"
    /// The trusted field journald adds: the writing host's machine ID.
    public static let machineID = "_MACHINE_ID"
    /// The value of SYSLOG_IDENTIFIER on every entry the daemon writes.
    public static let identifier = "procwardend"
}
