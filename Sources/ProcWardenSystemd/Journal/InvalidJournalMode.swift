import ProcWardenKit

/// A `--journal` value other than auto, yes or no.
public struct InvalidJournalMode: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: String

    public init(value: String) { self.value = value }

    public var description: String {
        "invalid --journal value \"\(ByteString(value).escaped)\"; use auto, yes or no"
    }
}
