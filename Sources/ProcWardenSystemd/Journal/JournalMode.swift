import ProcWardenKit

/// Where entries go: procwardend's `--journal auto|yes|no`.
public enum JournalMode: String, Sendable, CaseIterable {
    /// journald when reachable, else stderr (counted as a failure); alerts are
    /// also echoed to stderr as readable lines when stderr is a terminal.
    case auto
    /// journald, with the stderr fallback (counted as a failure) when it is
    /// unreachable; never echoed.
    case yes
    /// stderr only, in the `NAME=value` layout; journald is never contacted.
    case no

    /// Parses an option value; the error is one line naming the valid values.
    public init(parsing value: String) throws(InvalidJournalMode) {
        guard let mode = JournalMode(rawValue: value) else { throw InvalidJournalMode(value: value) }
        self = mode
    }

    /// Whether alerts are also printed readably to a stream that is, or is
    /// not, a terminal (isatty(3)).
    public func echoesAlerts(toTerminal isTerminal: Bool) -> Bool { self == .auto && isTerminal }
}

/// A `--journal` value other than auto, yes or no.
public struct InvalidJournalMode: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: String

    public init(value: String) { self.value = value }

    public var description: String {
        "invalid --journal value \"\(ByteString(value).escaped)\"; use auto, yes or no"
    }
}
