import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The man pages in man/, rendered by man(1) the way a reader sees them,
/// against the built binaries' own help screens and the spec's names.
@Suite struct ManPageTests {
    static let root: String = {
        let file = #filePath
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// A rendered page split at its section (`.SH`, flush left) headings.
    struct Page {
        var text: String
        var sections: [String: [String]] = [:]

        init(_ text: String) {
            self.text = text
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var current: String?
            // The first and last lines are the running header and footer.
            for line in lines.dropFirst().dropLast(2) {
                if let first = line.first, first != " " {
                    current = line
                    sections[line] = []
                } else if let current {
                    sections[current]?.append(line)
                }
            }
        }

        func section(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
            try #require(
                sections[name], "no section \(name) in \(sections.keys.sorted())", sourceLocation: sourceLocation)
        }

        /// The lines of the `.SS` subsection (indented by three) whose
        /// heading starts with `word`.
        static func subsection(_ word: String, in lines: [String]) -> [String]? {
            guard
                let start = lines.firstIndex(where: {
                    indent($0) == 3 && $0.dropFirst(3).split(separator: " ").first.map(String.init) == word
                })
            else { return nil }
            let rest = lines[(start + 1)...]
            let end = rest.firstIndex { indent($0) == 3 } ?? lines.endIndex
            return Array(lines[start..<end])
        }

        /// The body of the `.TP` item (tag indented by seven) whose tag
        /// starts with `prefix`, whitespace-normalised.
        static func item(startingWith prefix: String, in lines: [String]) -> String? {
            guard let start = lines.firstIndex(where: { indent($0) == 7 && $0.dropFirst(7).hasPrefix(prefix) }) else {
                return nil
            }
            var body = [String(lines[start].dropFirst(7).drop { $0 != " " })]
            for line in lines[(start + 1)...] {
                if !line.isEmpty && indent(line) <= 7 { break }
                body.append(line)
            }
            return normalized(body.joined(separator: " "))
        }

        static func indent(_ line: String) -> Int { line.isEmpty ? Int.max : line.prefix { $0 == " " }.count }
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    /// Whether `token` occurs in `text` not as part of a longer option or word.
    static func contains(_ token: String, in text: String) -> Bool {
        let chars = Array(text)
        let t = Array(token)
        guard t.count <= chars.count else { return false }
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "-" || c == "_" }
        for i in 0...(chars.count - t.count) where Array(chars[i..<(i + t.count)]) == t {
            let before = i == 0 ? " " : chars[i - 1]
            let after = i + t.count == chars.count ? " " : chars[i + t.count]
            if !isWordChar(before) && !isWordChar(after) { return true }
        }
        return false
    }

    /// `man -l PAGE`, as text; fails on any warning from groff or man.
    static func render(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Page {
        let path = root + "/man/" + name
        try #require(access(path, R_OK) == 0, "\(path) missing", sourceLocation: sourceLocation)
        try #require(
            access("/usr/bin/man", X_OK) == 0,
            "man(1) missing: install man-db and groff-base (scripts/install-deps.sh)",
            sourceLocation: sourceLocation)
        let run = try ToolRun.run([
            "env", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "MANWIDTH=80", "MAN_DISABLE_SECCOMP=1",
            "man", "--warnings", "-l", path,
        ])
        try #require(run.succeeded, "\(run.summary)", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, "warnings rendering \(name): \(run.stderrText)", sourceLocation: sourceLocation)
        return Page(run.stdoutText)
    }

    static func help(_ product: String, _ arguments: [String]) throws -> String {
        let run = try ToolRun.product(product, arguments, environment: ["COLUMNS": "80"])
        try #require(run.succeeded, "\(run.summary)")
        return run.stdoutText
    }

    @Test(arguments: ["procwardend.8", "procwardenctl.1", "procwarden.conf.5"])
    func rendersWithoutWarnings(page: String) throws {
        let rendered = try Self.render(page)
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"] {
            #expect(rendered.sections[section] != nil, "\(page) lacks \(section)")
        }
        let name = String(page.prefix { $0 != "." && $0 != "8" && $0 != "1" && $0 != "5" })
        #expect(
            rendered.text.hasPrefix(page.split(separator: ".").dropLast().joined(separator: ".").uppercased() + "("),
            "\(page): \(rendered.text.prefix(80))")
        #expect(Self.normalized(try rendered.section("NAME").joined(separator: " ")).hasPrefix(name))
    }

    @Test func procwardenctlPageHasEveryVerbAndOption() throws {
        let page = try Self.render("procwardenctl.1")
        let rootHelp = try Self.help("procwardenctl", ["--help"])
        let globalOptions = CtlHelp.options(rootHelp)
        try #require(globalOptions.contains("--user") && globalOptions.contains("--system"))
        let global = Self.normalized(try page.section("GLOBAL OPTIONS").joined(separator: " "))
        for option in globalOptions { #expect(Self.contains(option, in: global), "GLOBAL OPTIONS lacks \(option)") }

        let verbsSection = try page.section("VERBS")
        let verbs = CtlHelp.subcommands(rootHelp)
        try #require(verbs.count >= 9)
        for verb in verbs {
            guard let lines = Page.subsection(verb, in: verbsSection) else {
                Issue.record("VERBS has no subsection for \(verb)")
                continue
            }
            let options = CtlHelp.options(try Self.help("procwardenctl", ["help", verb]))
            for option in options where !globalOptions.contains(option) {
                #expect(
                    lines.contains { Page.indent($0) == 7 && Self.contains(option, in: $0) },
                    "\(verb): no item for \(option)")
            }
        }
    }

    @Test func procwardendPageHasEveryOption() throws {
        let page = try Self.render("procwardend.8")
        let options = CtlHelp.options(try Self.help("procwardend", ["--help"]))
        try #require(options.contains("--check-config"), "\(options)")
        let section = try page.section("OPTIONS")
        for option in options {
            #expect(
                section.contains { Page.indent($0) == 7 && Self.contains(option, in: $0) },
                "OPTIONS has no item for \(option)")
        }
    }

    /// Every key, in its section, with the default the shipped file shows
    /// and the valid values the parser's errors name.
    @Test func procwardenConfPageHasEveryKeyWithDefaultAndRange() throws {
        let page = try Self.render("procwarden.conf.5")
        let shipped = try #require(try DurableFile.read(Self.root + "/etc/procwarden/procwarden.conf"))
        var defaults: [String: String] = [:]
        for line in String(decoding: shipped, as: UTF8.self).split(separator: "\n") where line.hasPrefix("#") {
            let assignment = line.dropFirst()
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            let key = String(assignment[..<equals])
            if ConfigKey(rawValue: key) != nil {
                defaults[key] = String(assignment[assignment.index(after: equals)...])
            }
        }
        try #require(defaults.count == ConfigKey.allCases.count, "defaults in the shipped file: \(defaults)")

        for key in ConfigKey.allCases {
            let sectionName = "[\(key.section.rawValue.uppercased())] SECTION"
            let lines = try page.section(sectionName)
            guard let body = Page.item(startingWith: key.name + "=", in: lines) else {
                Issue.record("\(sectionName) has no item for \(key.name)=")
                continue
            }
            let shownDefault = defaults[key.name]!.isEmpty ? "empty" : defaults[key.name]!
            #expect(body.contains("Default: \(shownDefault)."), "\(key.name): \(body)")
            #expect(body.contains("Valid: \(key.validValues)."), "\(key.name): \(body)")
        }
    }

    /// The journal fields, rules with their MESSAGE_IDs, and the bus
    /// members, as the code defines them.
    @Test func procwardendPageNamesFieldsRulesAndBusMembers() throws {
        let page = try Self.render("procwardend.8")
        let alerts = Self.normalized(try page.section("ALERTS AND JOURNAL FIELDS").joined(separator: " "))
        for field in AlertField.allCases { #expect(Self.contains(field.rawValue, in: alerts), "\(field.rawValue)") }
        for rule in AlertRule.allCases {
            #expect(
                alerts.contains(
                    "\(rule.rawValue) (\(rule.severity.rawValue), PRIORITY \(rule.priority), MESSAGE_ID \(rule.messageID))"
                ),
                "\(rule.rawValue)")
        }
        for message in OperationalMessage.allCases { #expect(alerts.contains(message.messageID), "\(message)") }
        let bus = Self.normalized(try page.section("D-BUS INTERFACE").joined(separator: " "))
        let methods = [
            BusNames.Method.rescan, BusNames.Method.setSimilarityThreshold, BusNames.Method.reload,
            BusNames.Method.resetBaseline, BusNames.Method.listExecutables, BusNames.Method.listObjects,
            BusNames.Method.listRestartNeeded,
        ]
        let signals = [BusNames.Signal.scanCompleted, BusNames.Signal.alertRaised]
        for name in methods + signals + BusNames.Property.allCases.map(\.rawValue) + [
            BusNames.service, BusNames.objectPath,
        ] {
            #expect(Self.contains(name, in: bus), "D-BUS INTERFACE lacks \(name)")
        }
    }
}
