import ProcWardenKit

/// A journal field name that journald accepts from a client: 1–64 bytes of
/// `A`–`Z`, `0`–`9` and `_`, not starting with `_` (trusted fields) or a digit.
///
/// These are the rules of journald's `journal_field_valid()`. journald drops a
/// field that breaks them without telling the sender, so the writer checks
/// them first and refuses the name.
public struct JournalFieldName: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 64

    public let rawValue: String

    /// Validates `name`; throws naming the first rule it breaks.
    public init(_ name: String) throws(InvalidJournalFieldName) {
        if let reason = Self.violation(in: name) {
            throw InvalidJournalFieldName(name: ByteString(name), reason: reason)
        }
        rawValue = name
    }

    /// For the fixed names of SPEC §4, which the tests check are valid.
    init(fixed name: String) {
        assert(Self.violation(in: name) == nil, "invalid fixed journal field name \(name)")
        rawValue = name
    }

    public var description: String { rawValue }

    public init(_ field: AlertField) { self.init(fixed: field.rawValue) }

    public static let message = JournalFieldName(fixed: JournalField.message)
    public static let messageID = JournalFieldName(fixed: JournalField.messageID)
    public static let priority = JournalFieldName(fixed: JournalField.priority)
    public static let syslogIdentifier = JournalFieldName(fixed: JournalField.syslogIdentifier)
    public static let objectPID = JournalFieldName(fixed: JournalField.objectPID)

    /// The rule `name` breaks, or nil when journald accepts it.
    public static func violation(in name: String) -> InvalidJournalFieldName.Reason? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return .empty }
        if bytes.count > maximumLength { return .tooLong(bytes.count) }
        if first == UInt8(ascii: "_") { return .leadingUnderscore }
        if isDigit(first) { return .leadingDigit }
        if let bad = bytes.first(where: { !(isUpper($0) || isDigit($0) || $0 == UInt8(ascii: "_")) }) {
            return .invalidByte(bad)
        }
        return nil
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
