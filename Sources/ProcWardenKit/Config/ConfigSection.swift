/// A section of `/etc/procwarden/procwarden.conf` (SPEC §5).
public enum ConfigSection: String, Sendable, CaseIterable {
    case scan = "Scan"
    case hashing = "Hashing"
    case alerts = "Alerts"
    case packages = "Packages"

    /// The keys this section accepts, in the order the shipped file lists them.
    public var keys: [ConfigKey] { ConfigKey.allCases.filter { $0.section == self } }

    /// `[Name]`, as written in the file.
    public var header: String { "[\(rawValue)]" }
}
