import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// What `busctl introspect` shows of a real procwardend on a private bus
/// with the shipped policy: every member of SPEC §9 with its signature and
/// argument names, as root and as nobody (Introspect is open to everyone).
@Suite(.serialized) struct BusIntrospectionTests {
    struct Arg: Equatable, CustomStringConvertible {
        var name: String
        var type: String
        var direction: String?
        var description: String { "\(name):\(type)\(direction.map { ":" + $0 } ?? "")" }
    }

    static let methods: [String: [Arg]] = [
        BusNames.Method.rescan: [Arg(name: "summary", type: "(tuuuuuut)", direction: "out")],
        BusNames.Method.setSimilarityThreshold: [
            Arg(name: "threshold", type: "u", direction: "in"),
            Arg(name: "runtime", type: "b", direction: "in"),
        ],
        BusNames.Method.reload: [],
        BusNames.Method.resetBaseline: [Arg(name: "path", type: "s", direction: "in")],
        BusNames.Method.listExecutables: [Arg(name: "executables", type: "a(stssssbu)", direction: "out")],
        BusNames.Method.listObjects: [Arg(name: "objects", type: "a(sstsssu)", direction: "out")],
        BusNames.Method.listRestartNeeded: [Arg(name: "processes", type: "a(susss)", direction: "out")],
    ]

    static let signals: [String: [Arg]] = [
        BusNames.Signal.scanCompleted: [
            Arg(name: "scan_id", type: "t"), Arg(name: "processes", type: "u"),
            Arg(name: "executables", type: "u"), Arg(name: "alerts", type: "u"),
        ],
        BusNames.Signal.alertRaised: [
            Arg(name: "rule", type: "s"), Arg(name: "severity", type: "s"),
            Arg(name: "executable", type: "s"), Arg(name: "pid", type: "u"),
            Arg(name: "message", type: "s"),
        ],
    ]

    @Test(arguments: [BusCaller.Identity.root, .nobody])
    func everyMemberWithItsArgumentNames(as identity: BusCaller.Identity) throws {
        try withDaemonOnBus { daemon, bus in
            let caller = BusCaller(bus, as: identity)

            let xmlRun = try caller.busctl(["introspect", "--xml-interface", BusNames.service, BusNames.objectPath])
            try #require(xmlRun.succeeded, "\(xmlRun.summary)")
            let interface = try #require(
                Self.element("interface", named: BusNames.interface, in: xmlRun.stdoutText),
                "no \(BusNames.interface) in \(xmlRun.stdoutText)")
            for (method, args) in Self.methods {
                let body = try #require(
                    Self.element("method", named: method, in: interface), "method \(method) missing")
                #expect(Self.args(in: body) == args, "method \(method)")
            }
            for (signal, args) in Self.signals {
                let body = try #require(
                    Self.element("signal", named: signal, in: interface), "signal \(signal) missing")
                #expect(Self.args(in: body) == args, "signal \(signal)")
            }
            #expect(Self.names("method", in: interface) == Set(Self.methods.keys))
            #expect(Self.names("signal", in: interface) == Set(Self.signals.keys))
            #expect(Self.names("property", in: interface) == Set(BusNames.Property.allCases.map(\.rawValue)))
            for p in BusNames.Property.allCases {
                let tag = try #require(
                    interface.firstMatch(
                        of: try Regex("<property name=\"\(p.rawValue)\" type=\"([^\"]+)\" access=\"([a-z]+)\"")),
                    "property \(p.rawValue)")
                #expect(tag.output[1].substring.map(String.init) == p.signature, "type of \(p.rawValue)")
                #expect(tag.output[2].substring.map(String.init) == "read", "\(p.rawValue) is read-only")
            }
            let version = try #require(Self.element("property", named: "Version", in: interface))
            #expect(version.contains("EmitsChangedSignal\" value=\"const\""), "Version is const")

            // The table form an operator reads: one line per member, with its kind and signature.
            let tableRun = try caller.busctl(["introspect", BusNames.service, BusNames.objectPath, BusNames.interface])
            try #require(tableRun.succeeded, "\(tableRun.summary)")
            let rows = tableRun.stdoutText.split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            }
            func row(_ member: String) -> [String]? { rows.first { $0.first == "." + member } }
            for method in Self.methods.keys {
                let signature = Self.methods[method]!.filter { $0.direction == "in" }.map(\.type).joined()
                #expect(
                    row(method).map { Array($0.prefix(3)) } == [
                        "." + method, "method", signature.isEmpty ? "-" : signature,
                    ])
            }
            for signal in Self.signals.keys {
                #expect(
                    row(signal).map { Array($0.prefix(3)) } == [
                        "." + signal, "signal", Self.signals[signal]!.map(\.type).joined(),
                    ])
            }
            for p in BusNames.Property.allCases {
                #expect(row(p.rawValue).map { Array($0.prefix(3)) } == ["." + p.rawValue, "property", p.signature])
            }
        }
    }

    /// The text of `<kind name="name"> … </kind>`.
    static func element(_ kind: String, named name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(kind) name=\"\(name)\""),
            let close = xml.range(of: "</\(kind)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.lowerBound..<close.upperBound])
    }

    static func names(_ kind: String, in xml: String) -> Set<String> {
        let regex = try! Regex("<\(kind) name=\"([^\"]+)\"")
        return Set(xml.matches(of: regex).compactMap { $0.output[1].substring.map(String.init) })
    }

    static func args(in element: String) -> [Arg] {
        element.matches(of: /<arg type="([^"]+)" name="([^"]+)"(?: direction="([a-z]+)")?\/>/).map {
            Arg(name: String($0.output.2), type: String($0.output.1), direction: $0.output.3.map(String.init))
        }
    }
}
