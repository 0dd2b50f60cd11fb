import Glibc
import ProcWardenKit

/// The real procwardend as the tests start it: over a configuration file
/// and a state directory of the test's own, with no bus and alerts to the
/// journal unless the test says otherwise.
public struct Procwardend: Sendable {
    public var configPath: String
    public var stateDirectory: String

    public init(configPath: String, stateDirectory: String) {
        self.configPath = configPath
        self.stateDirectory = stateDirectory
    }

    /// `procwarden.conf` and `state` in `scratch`, as the test has left them
    /// (the daemon makes its state directory when it is missing).
    public init(in scratch: ScratchDirectory) {
        self.init(configPath: scratch("procwarden.conf"), stateDirectory: scratch("state"))
    }

    /// Writes `config` as `procwarden.conf` in `scratch` and makes `state`
    /// (mode 0700, owned by `stateOwner` when the daemon will not run as root).
    public init(in scratch: ScratchDirectory, config: String, stateOwner: uid_t? = nil) throws {
        self.init(in: scratch)
        try scratch.write("procwarden.conf", AlertConfig.withTestUntrustedCodePaths(config))
        try scratch.makeDirectory("state", mode: 0o700, owner: stateOwner)
    }

    /// Starts `prefix… procwardend --config … --state-dir … --bus bus
    /// --journal journal extra…` (prefix is e.g. setpriv and its options)
    /// with `environment` set over the test's own. Returns the process and
    /// the realtime µs just before it started: its journal entries are no
    /// older, whatever an earlier process of the same pid sent.
    public func start(
        _ extra: [String] = [], bus: String = "none", journal: String = "yes",
        environment: [String: String] = [:], prefix: [String] = []
    ) throws -> (process: ChildProcess, since: UInt64) {
        let since = WallClock.microseconds()
        let argv =
            try prefix + [
                BuildProducts.procwardend, "--config", configPath, "--state-dir", stateDirectory,
                "--bus", bus, "--journal", journal,
            ] + extra
        return (try ChildProcess(argv, environment: Spawn.environment(environment)), since)
    }

    /// One scan, `--once --json`, run to the end (120 s at most).
    public func once(prefix: [String] = []) throws -> ProcwardendOnce {
        let (process, since) = try start(["--once", "--json"], prefix: prefix)
        guard let code = process.waitForExit(timeout: .seconds(120)) else {
            throw TestFailure("procwardend --once did not finish within 120 s; stderr: \(process.stderr)")
        }
        return try ProcwardendOnce(
            pid: process.pid, startedAt: since, exitCode: code,
            stdout: process.stdout, stderr: process.stderr)
    }
}
