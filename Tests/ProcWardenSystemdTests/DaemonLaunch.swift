import Foundation
import ProcWardenKit

/// Starting the real procwardend for a test: its configuration and state in
/// a scratch directory, `--bus none` and `--journal yes` unless the test
/// says otherwise, and the realtime start so the test can pick out this
/// process's journal entries.
struct DaemonLaunch {
    let scratch: ScratchDirectory
    var configPath: String
    var stateDirectory: String

    /// Writes `config` as `procwarden.conf` and makes `state` (owned by
    /// `stateOwner` when the daemon will not run as root).
    init(_ scratch: ScratchDirectory, config: String, stateOwner: uid_t? = nil) throws {
        self.scratch = scratch
        configPath = try scratch.write("procwarden.conf", config)
        stateDirectory = try scratch.makeDirectory("state", mode: 0o700, owner: stateOwner)
    }

    var arguments: [String] {
        ["--config", configPath, "--state-dir", stateDirectory, "--bus", "none", "--journal", "yes"]
    }

    /// The daemon (or, with `--once`, one scan) and the realtime µs just
    /// before it started.
    func start(_ extra: [String] = [], environment: [String: String] = [:], prefix: [String] = []) throws -> (DaemonProcess, since: UInt64) {
        let since = WallClock.microseconds()
        let process = try DaemonProcess(["procwardend"] + arguments + extra, environment: environment,
                                        prefix: prefix, outputDirectory: scratch.path)
        return (process, since)
    }

    /// `procwardend --once --json` with the same files: its exit code, the
    /// report's top-level object (nil if stdout is not one) and the process.
    func once(prefix: [String] = []) throws -> (status: Int32?, report: [String: Any]?, process: DaemonProcess) {
        let (process, _) = try start(["--once", "--json"], prefix: prefix)
        let status = process.waitForExit(timeout: .seconds(120))
        let object = try? JSONSerialization.jsonObject(with: Data(process.stdout.utf8))
        return (status, object as? [String: Any], process)
    }

    /// The `processes` row of `pid` in a `--once --json` report.
    static func row(_ report: [String: Any]?, pid: pid_t) -> [String: Any]? {
        (report?["processes"] as? [[String: Any]])?.first { ($0["pid"] as? Int) == Int(pid) }
    }
}
