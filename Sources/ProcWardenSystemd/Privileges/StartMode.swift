/// How the daemon came by its privileges (SPEC §7); named in the "started"
/// journal entry.
public enum StartMode: String, Sendable {
    /// Started as root: it dropped everything but the two capabilities itself.
    case root
    /// Started unprivileged with the two capabilities as ambient (systemd's
    /// `AmbientCapabilities=`): it verified them and cleared the rest.
    case ambient
    /// Started without the capabilities: partial coverage.
    case unprivileged
}
