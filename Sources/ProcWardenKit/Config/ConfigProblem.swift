/// What is wrong with a configuration file, without its location.
public enum ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// open(2)/read(2) failed; carries the strerror(3) text.
    case unreadable(reason: String)
    /// A FIFO, socket, device or directory where a file should be; `kind`
    /// names it ("fifo", "socket", "directory", …).
    case notRegularFile(kind: String)
    /// A line that is neither a comment, `[Section]` nor `Key=Value`.
    case syntax(line: String)
    case unknownSection(name: String)
    case unknownKey(key: String, value: String, section: ConfigSection)
    case keyOutsideSection(key: String, value: String)
    /// A single-value key assigned twice in one file.
    case duplicateKey(ConfigKey, value: String, firstLine: Int)
    /// The value has the wrong form; `reason` reads after `Key=Value`,
    /// e.g. "is not a number".
    case invalidValue(ConfigKey, value: String, reason: String)
    case outOfRange(ConfigKey, value: String)

    public var description: String {
        switch self {
        case .unreadable(let reason):
            return "cannot read: \(reason)"
        case .notRegularFile(let kind):
            return "not a regular file (\(kind))"
        case .syntax(let line):
            return "\(line.controlCharactersEscaped) is not a [Section] header or a Key=Value assignment"
        case .unknownSection(let name):
            return "unknown section [\(name.controlCharactersEscaped)] (valid: \(Self.sectionList))"
        case .unknownKey(let key, let value, let section):
            var hint = ""
            if let other = ConfigKey.allCases.first(where: { $0.name == key }) {
                hint = "; it belongs in \(other.section.header)"
            } else if let other = ConfigKey.allCases.first(where: { $0.name.lowercased() == key.lowercased() }) {
                hint = "; keys are case-sensitive, did you mean \(other.name)?"
            }
            let keys = section.keys.map(\.name).joined(separator: ", ")
            return
                "unknown key \(key.controlCharactersEscaped)=\(value.controlCharactersEscaped) in \(section.header)\(hint) (valid: \(keys))"
        case .keyOutsideSection(let key, let value):
            let valid =
                ConfigKey(rawValue: key).map { "under \($0.section.header)" } ?? "after one of \(Self.sectionList)"
            return
                "\(key.controlCharactersEscaped)=\(value.controlCharactersEscaped) is outside any section (valid: \(valid))"
        case .duplicateKey(let key, let value, let firstLine):
            return "duplicate key \(key.name)=\(value.controlCharactersEscaped), already set on line \(firstLine)"
                + " (valid: \(key.validValues), once per file; override it in a drop-in)"
        case .invalidValue(let key, let value, let reason):
            return "\(key.name)=\(value.controlCharactersEscaped) \(reason) (valid: \(key.validValues))"
        case .outOfRange(let key, let value):
            return "\(key.name)=\(value.controlCharactersEscaped) is out of range (valid: \(key.validValues))"
        }
    }

    private static var sectionList: String {
        ConfigSection.allCases.map(\.header).joined(separator: ", ")
    }
}
