/// The values of `PROCWARDEN_WARNING`: what a warning entry is about. The
/// README and procwardend(8) tell operators to filter on them
/// (`journalctl PROCWARDEN_WARNING=state`).
public enum WarningKind: String, Sendable, CaseIterable {
    /// The daemon runs without the two capabilities; coverage is partial.
    case capabilities
    /// The state directory is unusable, or a corrupt state file was moved aside.
    case state
    /// The persisted bus settings could not be read.
    case settings
    /// A reload was rejected; the running configuration stays.
    case config
    /// A dpkg database could not be read in full; its verdicts are null.
    case packages
    /// inotify ran out of watches or instances; detection falls back to
    /// polling and coverage is partial.
    case inotify

    /// The swift-log metadata key that carries the kind to the journal.
    public static let metadataKey = "warning"

    /// Warning entries are PRIORITY 4 (warning) and carry no MESSAGE_ID.
    public static let priority = 4
}
