/// Standard journal fields the writer sets besides the alert's own.
public enum JournalField {
    public static let message = "MESSAGE"
    public static let messageID = "MESSAGE_ID"
    public static let priority = "PRIORITY"
    public static let syslogIdentifier = "SYSLOG_IDENTIFIER"
    public static let objectPID = "OBJECT_PID"
    /// The value of SYSLOG_IDENTIFIER on every entry the daemon writes.
    public static let identifier = "procwardend"
}
