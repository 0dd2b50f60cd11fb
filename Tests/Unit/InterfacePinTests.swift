import Glibc
import ProcWardenKit
import ProcWardenSystemd
import Testing

/// Files that must repeat a fixed name of `Interface/` because their
/// language or reader needs it literally (the C vtable, the bus policy,
/// the man pages, the README), checked against the Swift constants in both
/// directions (SPEC §14). CatalogTests, ManPageTests and
/// ConfigurationShippedFileTests pin the rest.
@Suite struct InterfacePinTests {
    static let repository: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/Unit/InterfacePinTests.swift
        return parts.joined(separator: "/")
    }()

    static func text(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = repository + "/" + relativePath
        let bytes = try #require(try DurableFile.read(path), "\(path) missing", sourceLocation: sourceLocation)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - The sd-bus vtable

    /// One `SD_BUS_…(…)` entry of the vtable: the macro and its top-level
    /// arguments as written.
    struct VtableEntry {
        var macro: String
        var arguments: [String]
    }

    /// The entries of `monitor_vtable[]` in Sources/CShims/bus_vtable.c.
    static func vtable() throws -> [VtableEntry] {
        let source = try text("Sources/CShims/bus_vtable.c")
        let start = try #require(source.range(of: "monitor_vtable[] = {"), "no monitor_vtable in bus_vtable.c")
        let end = try #require(source[start.upperBound...].range(of: "};"), "monitor_vtable not closed")
        let body = Array(source[start.upperBound..<end.lowerBound])
        var entries: [VtableEntry] = []
        var i = 0
        while i < body.count {
            // A macro name: SD_BUS_ followed by capitals and underscores, then "(".
            guard body[i] == "S", String(body[i...].prefix(7)) == "SD_BUS_" else {
                i += 1
                continue
            }
            var j = i
            while j < body.count, body[j].isUppercase || body[j] == "_" { j += 1 }
            let macro = String(body[i..<j])
            guard j < body.count, body[j] == "(" else {
                i = j
                continue
            }
            var depth = 0
            var inString = false
            var current = ""
            var arguments: [String] = []
            var k = j
            repeat {
                let c = body[k]
                if inString {
                    current.append(c)
                    if c == "\\" {
                        current.append(body[k + 1])
                        k += 1
                    } else if c == "\"" {
                        inString = false
                    }
                } else if c == "\"" {
                    inString = true
                    current.append(c)
                } else if c == "(" {
                    if depth > 0 { current.append(c) }
                    depth += 1
                } else if c == ")" {
                    depth -= 1
                    if depth > 0 { current.append(c) }
                } else if c == ",", depth == 1 {
                    arguments.append(trimmed(current))
                    current = ""
                } else {
                    current.append(c)
                }
                k += 1
            } while depth > 0 && k < body.count
            arguments.append(trimmed(current))
            entries.append(VtableEntry(macro: macro, arguments: arguments))
            i = k
        }
        return entries
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// A C string literal's contents; nil when the argument is not one.
    static func literal(_ argument: String) -> String? {
        guard argument.count >= 2, argument.first == "\"", argument.last == "\"" else { return nil }
        let inner = argument.dropFirst().dropLast()
        return inner.contains("\"") ? nil : String(inner)
    }

    static func literals(_ entry: VtableEntry, at indexes: [Int], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [String]
    {
        try indexes.map { index in
            try #require(entry.arguments.indices.contains(index), "\(entry)", sourceLocation: sourceLocation)
            return try #require(
                literal(entry.arguments[index]), "argument \(index) of \(entry) is not a string literal",
                sourceLocation: sourceLocation)
        }
    }

    struct MethodSignature: Equatable, CustomStringConvertible {
        var input: String
        var output: String
        var description: String { "in \"\(input)\" out \"\(output)\"" }
    }

    @Test func vtableDeclaresExactlyTheSwiftMembersAndSignatures() throws {
        var methods: [String: MethodSignature] = [:]
        var properties: [String: String] = [:]
        var signals: [String: String] = [:]
        let entries = try Self.vtable()
        for entry in entries {
            switch entry.macro {
            case "SD_BUS_METHOD":
                // (member, signature, result, handler, flags)
                let l = try Self.literals(entry, at: [0, 1, 2])
                methods[l[0]] = MethodSignature(input: l[1], output: l[2])
            case "SD_BUS_METHOD_WITH_NAMES":
                // (member, signature, in_names, result, out_names, handler, flags)
                let l = try Self.literals(entry, at: [0, 1, 3])
                methods[l[0]] = MethodSignature(input: l[1], output: l[2])
            case "SD_BUS_PROPERTY":
                let l = try Self.literals(entry, at: [0, 1])
                properties[l[0]] = l[1]
            case "SD_BUS_SIGNAL", "SD_BUS_SIGNAL_WITH_NAMES":
                let l = try Self.literals(entry, at: [0, 1])
                signals[l[0]] = l[1]
            case "SD_BUS_VTABLE_START", "SD_BUS_VTABLE_END":
                continue
            default:
                Issue.record("vtable entry this test does not know: \(entry.macro)")
            }
        }
        try #require(!methods.isEmpty && !properties.isEmpty && !signals.isEmpty, "parsed \(entries)")

        let swiftMethods = BusNames.Method.signatures.mapValues { MethodSignature(input: $0.input, output: $0.output) }
        #expect(methods == swiftMethods)
        for (name, signature) in methods where swiftMethods[name] != signature {
            Issue.record(
                "C declares \(name) \(signature); Swift \(swiftMethods[name].map(\.description) ?? "has no such method")"
            )
        }
        for name in swiftMethods.keys where methods[name] == nil { Issue.record("method \(name) is not in the vtable") }

        let swiftProperties = Dictionary(
            uniqueKeysWithValues: BusNames.Property.allCases.map { ($0.rawValue, $0.signature) })
        #expect(properties == swiftProperties)
        #expect(signals == BusNames.Signal.signatures)

        // The names the Swift side uses one by one are the ones in the tables.
        #expect(
            Set(BusNames.Method.signatures.keys) == [
                BusNames.Method.rescan, BusNames.Method.setSimilarityThreshold, BusNames.Method.reload,
                BusNames.Method.resetBaseline, BusNames.Method.listExecutables, BusNames.Method.listObjects,
                BusNames.Method.listRestartNeeded,
            ])
        #expect(Set(BusNames.Signal.signatures.keys) == [BusNames.Signal.scanCompleted, BusNames.Signal.alertRaised])
    }

    /// The parser itself: a vtable entry that differs from Swift is seen.
    @Test func vtableParserReadsNamesSignaturesAndArgumentNames() throws {
        let entries = try Self.vtable()
        let rescan = try #require(entries.first { $0.arguments.first == "\"\(BusNames.Method.rescan)\"" })
        #expect(rescan.macro == "SD_BUS_METHOD_WITH_NAMES")
        #expect(rescan.arguments.count == 7, "\(rescan.arguments)")
        #expect(rescan.arguments[4] == "SD_BUS_PARAM(summary)")
        #expect(Self.literal(rescan.arguments[3]) == BusNames.Signature.rescanReply)
        #expect(Self.literal("SD_BUS_PARAM(x)") == nil)
    }

    // MARK: - The bus policy

    /// `<policy …>` and `<allow|deny …/>` elements of the shipped policy, in order.
    static func policy() throws -> [(element: String, attributes: [String: String])] {
        let xml = try text("etc/dbus-1/system.d/\(BusNames.service).conf")
        var result: [(String, [String: String])] = []
        for match in xml.matches(of: #/<(policy|allow|deny)\s+([^>]*?)/?>/#) {
            var attributes: [String: String] = [:]
            for a in match.output.2.matches(of: #/([a-z_]+)="([^"]*)"/#) {
                attributes[String(a.output.1)] = String(a.output.2)
            }
            result.append((String(match.output.1), attributes))
        }
        return result
    }

    /// The interfaces and members of the standard D-Bus interfaces that
    /// everyone may use; they belong to D-Bus, not to procwarden.
    static let standardInterfaces: Set<String> = [
        "org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Properties",
    ]

    @Test func busPolicyNamesTheServiceAndOnlyRootCallsMethods() throws {
        let elements = try Self.policy()
        try #require(elements.count > 4, "\(elements)")
        var context = ""
        var seen: Set<String> = []
        var ownedBy: Set<String> = []
        var deniedOwn: Set<String> = []
        var sendsByContext: [String: [[String: String]]] = [:]
        for (element, attributes) in elements {
            if element == "policy" {
                context =
                    attributes["user"].map { "user=" + $0 } ?? attributes["context"].map { "context=" + $0 } ?? "?"
                continue
            }
            for key in ["own", "send_destination", "receive_sender"] {
                guard let value = attributes[key] else { continue }
                seen.insert(key)
                #expect(value == BusNames.service, "\(element) \(key)=\(value) in \(context)")
            }
            if let interface = attributes["send_interface"] {
                #expect(Self.standardInterfaces.contains(interface), "\(context) lets anyone call \(interface)")
                #expect(interface != BusNames.interface)
            }
            if attributes["own"] != nil {
                if element == "allow" { ownedBy.insert(context) } else { deniedOwn.insert(context) }
            }
            if element == "allow", attributes["send_destination"] != nil {
                sendsByContext[context, default: []].append(attributes)
            }
        }
        #expect(seen == ["own", "send_destination", "receive_sender"])
        #expect(ownedBy == ["user=root", "user=procwarden"])
        #expect(deniedOwn == ["context=default"])
        // Root may send anything; everyone else only to the standard interfaces.
        #expect(sendsByContext["user=root"]?.contains { $0["send_interface"] == nil } == true)
        for (context, sends) in sendsByContext where context != "user=root" {
            for send in sends { #expect(send["send_interface"] != nil, "\(context) may call methods: \(send)") }
        }
    }

    // MARK: - Man pages and README

    @Test func procwardendPageNamesOperationalFieldsWarningKindsAndErrors() throws {
        let page = try ManPageTests.render("procwardend.8")
        let alertsLines = try page.section("ALERTS AND JOURNAL FIELDS")
        let alerts = ManPageTests.normalized(alertsLines.joined(separator: " "))
        for field in OperationalField.allCases {
            #expect(ManPageTests.contains(field.rawValue, in: alerts), "\(field.rawValue)")
        }
        #expect(alerts.contains("Warnings are PRIORITY \(WarningKind.priority) entries"))
        #expect(ManPageTests.contains(OperationalField.warning.rawValue, in: alerts))
        // Each kind is an item of its own, and every item names a kind.
        let listed = Set(
            alertsLines.compactMap { line -> String? in
                guard ManPageTests.Page.indent(line) == 7 else { return nil }
                return line.dropFirst(7).split(separator: " ").first.map(String.init)
            })
        #expect(Set(WarningKind.allCases.map(\.rawValue)).isSubset(of: listed), "items: \(listed.sorted())")
        for example in alertsLines.flatMap({ $0.matches(of: #/PROCWARDEN_WARNING=([a-z_]+)/#) }) {
            #expect(WarningKind(rawValue: String(example.output.1)) != nil, "\(example.output.0)")
        }

        let bus = ManPageTests.normalized(try page.section("D-BUS INTERFACE").joined(separator: " "))
        for name in [
            BusNames.interface, BusNames.Error.invalidThreshold, BusNames.Error.notFound,
            BusNames.Error.invalidConfig, BusNames.Error.invalidArgument, BusNames.Error.accessDenied,
        ] {
            #expect(ManPageTests.contains(name, in: bus), "D-BUS INTERFACE lacks \(name)")
        }
        #expect(bus.contains("threshold outside \(SimilarityThreshold.validValues)"))
    }

    /// The statuses each program exits with are the items of its EXIT STATUS
    /// section: none missing, none extra.
    @Test(arguments: [("procwardend.8", ExitCode.procwardend), ("procwardenctl.1", ExitCode.procwardenctl)])
    func exitStatusSectionListsEveryStatus(page name: String, statuses: [ExitCode]) throws {
        let page = try ManPageTests.render(name)
        let lines = try page.section("EXIT STATUS")
        let items = lines.compactMap { line -> Int32? in
            guard ManPageTests.Page.indent(line) == 7 else { return nil }
            return line.dropFirst(7).split(separator: " ").first.flatMap { Int32($0) }
        }
        #expect(items == statuses.map { $0.code })
        if name == "procwardenctl.1" {
            let usage = try #require(ManPageTests.Page.item(startingWith: "\(ExitCode.usage.code) ", in: lines))
            #expect(usage.contains("threshold outside \(SimilarityThreshold.validValues)"), "\(usage)")
        }
    }

    @Test func readmeFiltersOnlyOnWarningKindsThatExist() throws {
        let readme = try Self.text("README.md")
        let examples = readme.matches(of: #/PROCWARDEN_WARNING=([a-z_<>]+)/#).map { String($0.output.1) }
        try #require(!examples.isEmpty)
        for kind in examples where kind != "<kind>" {
            #expect(WarningKind(rawValue: kind) != nil, "README filters on PROCWARDEN_WARNING=\(kind)")
        }
    }
}
