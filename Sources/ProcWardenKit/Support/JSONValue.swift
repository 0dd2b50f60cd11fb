/// A JSON document built in code, rendered byte-exact.
///
/// Byte strings that are valid UTF-8 become JSON strings; any other byte
/// string becomes an array of its byte values, the convention
/// `journalctl -o json` uses for binary fields, so a path survives any
/// round trip unchanged.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case string(String)
    case bytes(ByteString)
    case array([JSONValue])
    /// Keys keep their order.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func optional(_ b: ByteString?) -> JSONValue { b.map { .bytes($0) } ?? .null }

    /// Compact UTF-8 rendering.
    public func rendered() -> [UInt8] {
        var out: [UInt8] = []
        render(into: &out)
        return out
    }

    public var text: String { String(decoding: rendered(), as: UTF8.self) }

    private func render(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .uint(let u): out += Array(String(u).utf8)
        case .string(let s): Self.renderString(Array(s.utf8), into: &out)
        case .bytes(let b):
            if b.utf8String != nil {
                Self.renderString(b.bytes, into: &out)
            } else {
                JSONValue.array(b.bytes.map { .uint(UInt64($0)) }).render(into: &out)
            }
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.render(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.renderString(Array(key.utf8), into: &out)
                out.append(UInt8(ascii: ":"))
                value.render(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Escapes per RFC 8259: quote, backslash and every control character.
    private static func renderString(_ utf8: [UInt8], into out: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7f:
                out += Array("\\u00".utf8) + [hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xf)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
