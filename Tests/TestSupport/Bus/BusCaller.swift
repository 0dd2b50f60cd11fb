import Foundation
import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// Calls org.procwarden.Monitor1 on a `PrivateBus` the way an operator
/// would, with `busctl` (replies as JSON) and `dbus-send` (which, unlike
/// busctl, prints the D-Bus error *name*), as root or, through
/// `setpriv --reuid=65534 --regid=65534 --clear-groups`, as nobody.
public struct BusCaller {
    public enum Identity: Sendable {
        case root
        /// All uids and gids 65534, no supplementary groups.
        case nobody
        /// Only the effective uid is 65534 (`setpriv --euid`).
        case effectiveNobody
        /// Only the real uid is 65534; the effective one stays 0 (`setpriv --ruid`).
        case realNobody
    }

    /// What a `dbus-send --print-reply` call came back with.
    public enum Outcome: Equatable, CustomStringConvertible {
        case reply(String)
        case error(name: String, message: String)

        public var errorName: String? { if case .error(let name, _) = self { name } else { nil } }
        public var errorMessage: String? { if case .error(_, let message) = self { message } else { nil } }

        public var description: String {
            switch self {
            case .reply(let text): "reply \(text)"
            case .error(let name, let message): "error \(name): \(message)"
            }
        }
    }

    public let address: String
    public var identity: Identity = .root

    public init(_ bus: PrivateBus, as identity: Identity = .root) {
        address = bus.address
        self.identity = identity
    }

    private var prefix: [String] {
        switch identity {
        case .root: []
        case .nobody: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        case .effectiveNobody: ["setpriv", "--euid=65534"]
        case .realNobody: ["setpriv", "--ruid=65534"]
        }
    }

    /// `busctl --address=… <args>`.
    public func busctl(_ args: [String]) throws -> ToolRun {
        try ToolRun.run(prefix + ["busctl", "--address=\(address)"] + args)
    }

    /// The argv of `busctl --json=short call` for a Monitor1 method, for
    /// running it in the background (`ChildProcess`), the program as a path.
    public func callArgv(_ method: String, _ signature: String = "", _ args: [String] = []) -> [String] {
        var argv =
            prefix + [
                "busctl", "--address=\(address)", "--json=short", "--timeout=120", "call", BusNames.service,
                BusNames.objectPath, BusNames.interface, method,
            ] + (signature.isEmpty ? [] : [signature] + args)
        argv[0] = PrivateBus.find(argv[0]) ?? argv[0]
        return argv
    }

    /// A Monitor1 method through busctl; the reply's `data` array, parsed.
    /// Throws with busctl's stderr when the call fails.
    public func call(_ method: String, _ signature: String = "", _ args: [String] = []) throws -> [Any] {
        let run = try ToolRun.run(callArgv(method, signature, args))
        guard run.succeeded else { throw TestFailure(run.summary) }
        return try Self.replyData(run.stdoutText)
    }

    /// The `data` of busctl's `--json=short` output; empty for a reply
    /// without arguments (busctl prints nothing then).
    public static func replyData(_ text: String) throws -> [Any] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        guard let object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
            let data = object["data"] as? [Any]
        else { throw TestFailure("unexpected busctl output: \(trimmed)") }
        return data
    }

    /// `busctl get-property` of one Monitor1 property: its JSON `data`.
    public func property(_ p: BusNames.Property) throws -> Any {
        let run = try busctl([
            "--json=short", "get-property", BusNames.service, BusNames.objectPath,
            BusNames.interface, p.rawValue,
        ])
        guard run.succeeded else { throw TestFailure(run.summary) }
        let trimmed = run.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
            let data = object["data"]
        else { throw TestFailure("unexpected busctl output: \(trimmed)") }
        return data
    }

    /// A JSON number from busctl as an unsigned integer.
    public static func unsigned(_ value: Any?) -> UInt64? {
        switch value {
        case let n as Int: n >= 0 ? UInt64(n) : nil
        case let n as UInt64: n
        case let n as NSNumber: n.uint64Value
        default: nil
        }
    }

    /// A Monitor1 method through `dbus-send --print-reply`; `args` in its
    /// `type:value` form (`uint32:70`, `boolean:true`, `string:/bin/x`).
    public func send(_ method: String, _ args: [String] = [], interface: String = BusNames.interface) throws -> Outcome
    {
        let run = try ToolRun.run(
            prefix + [
                "dbus-send", "--bus=\(address)", "--print-reply", "--reply-timeout=120000",
                "--dest=\(BusNames.service)", BusNames.objectPath,
                "\(interface).\(method)",
            ] + args)
        if run.succeeded { return .reply(run.stdoutText) }
        // "Error org.freedesktop.DBus.Error.AccessDenied: message"
        let text = run.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("Error "), let colon = text.firstIndex(of: ":") else {
            throw TestFailure(run.summary)
        }
        let name = String(text[text.index(text.startIndex, offsetBy: 6)..<colon])
        let message = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return .error(name: name, message: message)
    }
}
