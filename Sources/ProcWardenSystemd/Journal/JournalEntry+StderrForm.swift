import ProcWardenKit

extension JournalEntry {
    /// The entry as written to stderr when journald is unreachable or with
    /// `--journal no`: one `NAME=value` line per field, in order, then an
    /// empty line, as in journald's export format.
    ///
    /// Values are escaped the way `ByteString.escaped` does it (`\\`, `\n`,
    /// `\t`, and `\xHH` for every other control byte and every byte that is
    /// not part of valid UTF-8), so each line is exactly one field, a value
    /// cannot forge a field or move a terminal's cursor, and the bytes can be
    /// recovered by undoing those four escapes.
    public var stderrForm: [UInt8] {
        var out: [UInt8] = []
        for field in fields {
            out += field.name.rawValue.utf8
            out.append(UInt8(ascii: "="))
            out += field.value.escaped.utf8
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
