extension String {
    /// Text that is already a string (valid Unicode: a configuration line, a
    /// value the daemon escaped before it sent it) made single-line and
    /// terminal-safe: newline and tab as `\n` and `\t`, other C0 and C1
    /// control characters and DEL as `\xNN`; backslashes stay, so escapes
    /// made at the source are not doubled. Bytes use `ByteString.escaped`.
    public var controlCharactersEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F..<0xA0: out += ByteString.hexEscape(UInt8(scalar.value))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
