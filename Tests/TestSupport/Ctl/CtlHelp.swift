/// Reads ArgumentParser help screens: the verbs under `SUBCOMMANDS:` and the
/// option names under `OPTIONS:`, so tests follow the binaries instead of a
/// list of their own.
public enum CtlHelp {
    /// `status (default)   Show …` → `status`.
    public static func subcommands(_ help: String) -> [String] {
        section("SUBCOMMANDS", of: help).compactMap { line in
            // Verb lines are indented by two; the closing "See 'procwardenctl help …'" is prose.
            guard line.prefix(while: { $0 == " " }).count == 2 else { return nil }
            let name = line.dropFirst(2).prefix { $0 != " " }
            guard let first = name.first, first.isLowercase,
                name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" })
            else { return nil }
            return String(name)
        }
    }

    /// `  -n, --lines <N>   Only …` → `-n`, `--lines`.
    public static func options(_ help: String) -> [String] {
        section("OPTIONS", of: help).flatMap { line -> [String] in
            guard line.hasPrefix("  -") else { return [] }
            let synopsis = line.dropFirst(2).components(separatedBy: "  ").first ?? ""
            return synopsis.components(separatedBy: ", ").compactMap { part in
                part.split(separator: " ").first.map(String.init)
            }
        }
    }

    /// The lines after `NAME:` up to the next heading.
    private static func section(_ name: String, of help: String) -> [String] {
        var lines: [String] = []
        var inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let first = line.first, first != " " {
                inside = line == "\(name):"
                continue
            }
            if inside { lines.append(line) }
        }
        return lines
    }
}
