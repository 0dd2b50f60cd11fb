/// Splits the text of one systemd-style configuration file into assignments.
///
/// The syntax is systemd.syntax(7)'s: `[Section]` headers, `Key=Value`
/// lines with whitespace trimmed around key and value, `#` and `;` comment
/// lines, empty lines, a leading byte order mark, and a trailing backslash
/// continuing a line (joined with a space; comment lines inside a
/// continuation are skipped). Sections and keys are checked here, values
/// when applied. Single-value keys may appear once per file; list keys
/// (`ConfigKey.isList`) may repeat.
public enum ConfigFileParser {
    /// All assignments of the file, in order.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> [ConfigAssignment] {
        var assignments: [ConfigAssignment] = []
        try parse(text, path: path) { assignments.append($0) }
        return assignments
    }

    /// Calls `body` with each assignment in file order, so a bad value is
    /// reported before a problem on a later line.
    public static func parse(
        _ text: String, path: String,
        _ body: (ConfigAssignment) throws(ConfigError) -> Void
    ) throws(ConfigError) {
        var section: ConfigSection?
        var firstLine: [ConfigKey: Int] = [:]
        for (line, number) in logicalLines(text) {
            func fail(_ problem: ConfigProblem) -> ConfigError {
                ConfigError(path: path, line: number, problem: problem)
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count >= 2 else { throw fail(.syntax(line: line)) }
                let name = String(line.dropFirst().dropLast())
                guard let known = ConfigSection(rawValue: name) else { throw fail(.unknownSection(name: name)) }
                section = known
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw fail(.syntax(line: line)) }
            let name = trimmed(line[..<equals])
            let value = trimmed(line[line.index(after: equals)...])
            guard !name.isEmpty else { throw fail(.syntax(line: line)) }
            guard let section else { throw fail(.keyOutsideSection(key: name, value: value)) }
            guard let key = ConfigKey(rawValue: name), key.section == section else {
                throw fail(.unknownKey(key: name, value: value, section: section))
            }
            if !key.isList {
                if let first = firstLine[key] { throw fail(.duplicateKey(key, value: value, firstLine: first)) }
                firstLine[key] = number
            }
            try body(ConfigAssignment(key: key, value: value, path: path, line: number))
        }
    }

    /// Non-empty, non-comment lines, trimmed, continuations joined, each with
    /// the 1-based number of the line it starts on. Lines are split on LF
    /// bytes, so a CR before it is trimmed as whitespace. A leading UTF-8
    /// byte order mark is skipped, as systemd does.
    static func logicalLines(_ text: String) -> [(String, Int)] {
        var result: [(String, Int)] = []
        var pending: (text: String, line: Int)?
        let content = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        let rawLines = content.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, raw) in rawLines.enumerated() {
            let line = trimmed(Substring(raw))
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.isEmpty, pending == nil { continue }
            let continues = line.hasSuffix("\\")
            let body = continues ? String(line.dropLast()) : line
            if var current = pending {
                current.text += " " + body
                pending = current
            } else {
                pending = (body, index + 1)
            }
            if !continues || line.isEmpty {
                if let done = pending, !trimmed(Substring(done.text)).isEmpty {
                    result.append((trimmed(Substring(done.text)), done.line))
                }
                pending = nil
            }
        }
        if let done = pending, !trimmed(Substring(done.text)).isEmpty {
            result.append((trimmed(Substring(done.text)), done.line))
        }
        return result
    }

    /// Trims systemd's WHITESPACE set: space, tab, CR, LF.
    static func trimmed(_ text: Substring) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
            let end = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[start...end])
    }
}
