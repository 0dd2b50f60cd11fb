import Glibc
import ProcWardenKit

/// What procwardenctl writes to stdout.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    /// One compact JSON document (or one JSON Lines record) per line.
    /// Rendered JSON is valid UTF-8: bytes that are not become arrays.
    static func json(_ value: JSONValue) {
        print(value.text)
    }

    /// Pushes out what is buffered, so a follower sees each line at once.
    static func flush() {
        fflush(nil)
    }

    /// Strings from the daemon (paths, comm names) with C0/C1 control
    /// characters escaped, so they cannot move the cursor or add lines.
    static func terminalSafe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F..<0xA0:
                let digits = Array("0123456789abcdef")
                out += "\\x" + String(digits[Int(scalar.value >> 4)]) + String(digits[Int(scalar.value & 0xF)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `labels` right-aligned to the longest, systemctl-status style.
    static func fields(_ rows: [(String, String)]) {
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            line(String(repeating: " ", count: width - label.count) + label + ": " + value)
        }
    }

    /// Bytes with a base-1024 unit: `512`, `1.5K`, `12.0M`.
    static func size(_ bytes: UInt64) -> String {
        guard bytes >= 1024 else { return "\(bytes)B" }
        var value = Double(bytes)
        for unit in ["K", "M", "G", "T", "P"] {
            value /= 1024
            if value < 1024 || unit == "P" {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10)\(unit)"
            }
        }
        return "\(bytes)B"
    }
}
