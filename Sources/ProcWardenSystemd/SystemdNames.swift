import ProcWardenKit

/// Placeholder namespace for the systemd adapters (journal, bus, notify,
/// privileges), which build on ProcWardenKit.
public enum ProcWardenSystemd {
    public static let syslogIdentifier = "procwardend"
}
