/// An uninterpreted byte string, as the kernel hands out paths and comm names.
///
/// Paths and process names read from /proc are not guaranteed to be UTF-8 and
/// may contain newlines or control characters; they are kept as raw bytes and
/// only rendered at the edges (JSON, journal, terminal).
public struct ByteString: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The bytes in one call: the synthesized hash feeds them one at a
    /// time, which dominated dictionary lookups keyed by paths.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    /// The bytes as a String when they are valid UTF-8, else nil.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }

    /// A lossy rendering for logs; never use it where bytes must survive.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// A single-line, terminal-safe rendering: control bytes, backslashes and
    /// invalid UTF-8 become C-style escapes, so a hostile name cannot forge
    /// table rows or move the cursor.
    public var escaped: String {
        var out = ""
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\t"): out += "\\t"
            case 0x20..<0x7f: out.unicodeScalars.append(Unicode.Scalar(b))
            case 0x80...:
                if let (scalar, length) = Self.decodeScalar(bytes, at: i), scalar.value >= 0xA0 {
                    out.unicodeScalars.append(scalar)
                    i += length
                    continue
                }
                out += Self.hexEscape(b)
            default: out += Self.hexEscape(b)
            }
            i += 1
        }
        return out
    }

    public func hasPrefix(_ prefix: ByteString) -> Bool { bytes.starts(with: prefix.bytes) }

    public func hasSuffix(_ suffix: ByteString) -> Bool {
        bytes.count >= suffix.count && bytes[(bytes.count - suffix.count)...].elementsEqual(suffix.bytes)
    }

    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// `\xNN` with two lower-case hex digits.
    static func hexEscape(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xf)])
    }

    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        guard let s = String(validating: bytes[index..<(index + length)], as: UTF8.self),
            let scalar = s.unicodeScalars.first
        else { return nil }
        return (scalar, length)
    }
}
