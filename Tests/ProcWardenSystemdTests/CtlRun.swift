import Glibc
import ProcWardenKit

/// The products of this build (procwardenctl, procwardend) run to
/// completion the way an operator runs them, with extra environment, and a
/// scratch directory for what they need.
enum CtlRun {
    /// `procwardenctl arguments…`.
    static func ctl(_ arguments: [String], environment: [String: String] = [:], prefix: [String] = []) throws -> ToolRun {
        try product("procwardenctl", arguments, environment: environment, prefix: prefix)
    }

    /// `env NAME=value… prefix… <products>/name arguments…`; `prefix` is e.g.
    /// setpriv and its options.
    static func product(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                        prefix: [String] = []) throws -> ToolRun {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try ToolRun.run(["env"] + assignments + prefix + [DaemonProcess.product(name)] + arguments)
    }

    /// A new directory under /tmp with `mode` (mkdtemp(3) makes it 0700).
    static func scratchDirectory(_ label: String, mode: mode_t = 0o700) throws -> String {
        var template = Array("/tmp/procwarden-\(label).XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw SystemError("mkdtemp") }
        let path = String(cString: dir)
        guard chmod(path, mode) == 0 else { throw SystemError("chmod \(path)") }
        return path
    }

    static func removeTree(_ path: String) {
        _ = try? ToolRun.run(["rm", "-rf", "--one-file-system", path])
    }

    /// The lines of stderr, for the one-line error checks.
    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
