import ProcWardenKit

/// One finished run of a command-line tool, with its output captured.
public struct ToolRun: Sendable {
    public var argv: [ByteString]
    /// The exit code, or 128 + n when signal n ended it.
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public var succeeded: Bool { status == 0 }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// `argv → exit status: stderr`, for failure messages.
    public var summary: String { "\(argv.map(\.escaped).joined(separator: " ")) → exit \(status): \(stderrText)" }

    /// Runs `argv` (argv[0] searched in PATH when it has no slash) to
    /// completion: `Spawn`, then waitpid(2).
    public static func run(_ argv: [ByteString], environment: [ByteString] = Spawn.environment()) throws -> ToolRun {
        let out = try OutputFile()
        let err = try OutputFile()
        let pid = try Spawn.start(argv[0], argv, environment: environment, stdout: out.path, stderr: err.path)
        guard let status = Spawn.wait(pid) else { throw TestFailure("waitpid \(pid) (\(argv[0].escaped)) failed") }
        return ToolRun(argv: argv, status: Spawn.exitCode(status), stdout: out.bytes, stderr: err.bytes)
    }

    public static func run(_ argv: [String], environment: [ByteString] = Spawn.environment()) throws -> ToolRun {
        try run(argv.map { ByteString($0) }, environment: environment)
    }

    /// `prefix… <build products>/name arguments…` (prefix is e.g. setpriv and
    /// its options), with `environment` set over the test's own.
    public static func product(
        _ name: String, _ arguments: [String], environment: [String: String] = [:],
        prefix: [String] = []
    ) throws -> ToolRun {
        try run(prefix + [BuildProducts.path(name)] + arguments, environment: Spawn.environment(environment))
    }
}
