import ProcWardenKit
import ProcWardenSystemd

/// What `procwardend`'s command line chose.
public struct DaemonOptions: Sendable {
    /// `--config`; nil for /etc/procwarden/procwarden.conf (which may be absent).
    public var configPath: String?
    /// `--state-dir`; see `resolvedStateDirectory`.
    public var stateDirectory: String?
    public var bus: BusKind = .system
    public var journal: JournalMode = .auto
    /// `--user`: switch to this user after keeping the two capabilities.
    public var user: String?

    public init() {}

    public var configLoader: ConfigLoader {
        ConfigLoader(mainPath: configPath ?? ConfigLoader.defaultPath, requireMainFile: configPath != nil)
    }

    /// An explicit `--state-dir` wins; then `$STATE_DIRECTORY`, which
    /// systemd's `StateDirectory=` sets (first entry if several); then
    /// /var/lib/procwarden.
    public func resolvedStateDirectory(environment: [String: String]) -> String {
        if let stateDirectory { return stateDirectory }
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return "/var/lib/procwarden"
    }
}
