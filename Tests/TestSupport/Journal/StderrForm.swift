import ProcWardenKit
import ProcWardenSystemd

/// An independent reader of the writer's stderr layout: `NAME=value` lines,
/// an empty line after each entry, values escaped with `\\`, `\n`, `\t` and
/// `\xHH`. Lines that are not `NAME=value` (other stderr output) are skipped.
public enum StderrForm {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ bytes: [UInt8]) throws -> [[(name: String, value: ByteString)]] {
        var entries: [[(name: String, value: ByteString)]] = []
        var current: [(name: String, value: ByteString)] = []
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !current.isEmpty { entries.append(current) }
                current = []
                continue
            }
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")),
                JournalFieldName.violation(in: String(decoding: line[..<eq], as: UTF8.self)) == nil
            else { continue }
            current.append((String(decoding: line[..<eq], as: UTF8.self), try unescape(Array(line[(eq + 1)...]))))
        }
        if !current.isEmpty { throw Malformed(description: "last entry is not followed by an empty line") }
        return entries
    }

    public static func unescape(_ text: [UInt8]) throws -> ByteString {
        var out: [UInt8] = []
        var i = 0
        while i < text.count {
            guard text[i] == UInt8(ascii: "\\") else {
                out.append(text[i])
                i += 1
                continue
            }
            guard i + 1 < text.count else { throw Malformed(description: "dangling backslash") }
            switch text[i + 1] {
            case UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                i += 2
            case UInt8(ascii: "n"):
                out.append(UInt8(ascii: "\n"))
                i += 2
            case UInt8(ascii: "t"):
                out.append(UInt8(ascii: "\t"))
                i += 2
            case UInt8(ascii: "x"):
                guard i + 3 < text.count,
                    let byte = UInt8(String(decoding: text[(i + 2)...(i + 3)], as: UTF8.self), radix: 16)
                else { throw Malformed(description: "bad \\x escape") }
                out.append(byte)
                i += 4
            default: throw Malformed(description: "unknown escape \\\(Character(Unicode.Scalar(text[i + 1])))")
            }
        }
        return ByteString(out)
    }
}
