import ProcWardenKit

/// A journal field name that journald would reject or silently drop.
public struct InvalidJournalFieldName: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case tooLong(Int)
        case leadingUnderscore
        case leadingDigit
        case invalidByte(UInt8)
    }

    /// The rejected name, as bytes so a hostile name prints safely.
    public var name: ByteString
    public var reason: Reason

    public init(name: ByteString, reason: Reason) {
        self.name = name
        self.reason = reason
    }

    public var description: String {
        let why =
            switch reason {
            case .empty: "it is empty"
            case .tooLong(let n): "it is \(n) bytes long, the limit is \(JournalFieldName.maximumLength)"
            case .leadingUnderscore: "names starting with _ are reserved for journald"
            case .leadingDigit: "it starts with a digit"
            case .invalidByte(let b): "byte \(ByteString([b]).escaped) is not allowed; use A-Z, 0-9 and _"
            }
        return "invalid journal field name \"\(name.escaped)\": \(why)"
    }
}
