import ProcWardenKit

/// One journal entry: an ordered list of `NAME=value` fields, each sent as its
/// own iovec to `sd_journal_sendv(3)`.
///
/// Values are raw bytes and may hold newlines, `=` or invalid UTF-8: the
/// native protocol sends a value with a newline length-prefixed, so no value
/// can start another field. Names are validated when they are added.
public struct JournalEntry: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: JournalFieldName
        public var value: ByteString

        public init(_ name: JournalFieldName, _ value: ByteString) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public mutating func append(_ name: JournalFieldName, _ value: ByteString) {
        fields.append(Field(name, value))
    }

    /// Validates `name` first; see `JournalFieldName`.
    public mutating func append(_ name: String, _ value: ByteString) throws(InvalidJournalFieldName) {
        append(try JournalFieldName(name), value)
    }

    /// Every value of `name`, in order (journal fields may repeat).
    public func values(of name: JournalFieldName) -> [ByteString] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The first value of `name`.
    public subscript(_ name: JournalFieldName) -> ByteString? {
        fields.first { $0.name == name }?.value
    }

    /// The `PRIORITY` value, when the entry has one.
    public var priority: Int? { self[.priority].flatMap { $0.utf8String }.flatMap { Int($0) } }
}
