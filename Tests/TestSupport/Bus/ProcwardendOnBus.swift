import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// A real `procwardend --bus system` registered on a `PrivateBus`
/// (DBUS_SYSTEM_BUS_ADDRESS; or `--bus user` and DBUS_SESSION_BUS_ADDRESS),
/// with its configuration and state directory in the bus's scratch
/// directory and alerts on stderr (`--journal no`, unless `journal` says
/// otherwise). `start` returns once the
/// name is owned and the first scan has finished, unless told not to wait.
public final class ProcwardendOnBus {
    /// Scans only on demand within a test, and skips hashing the large
    /// binaries of whatever else runs on the machine so start-up is quick.
    public static let quickConfiguration = """
        [Scan]
        IntervalSec=10min
        [Hashing]
        MaxFileSize=16M
        """

    public let bus: PrivateBus
    public let configPath: String
    public let stateDirectory: String
    public let kind: BusKind
    /// Put in front of procwardend, e.g. setpriv arguments.
    public let prefix: [String]
    /// The `--journal` value.
    public let journal: String
    public private(set) var process: ChildProcess?

    public init(
        on bus: PrivateBus, configuration: String = quickConfiguration, name: String = "procwarden",
        kind: BusKind = .system, prefix: [String] = [], journal: String = "no", wait: Bool = true
    ) throws {
        self.bus = bus
        self.journal = journal
        self.kind = kind
        self.prefix = prefix
        configPath = bus.directory + "/\(name).conf"
        stateDirectory = bus.directory + "/\(name)-state"
        try bus.write(AlertConfig.withTestUntrustedCodePaths(configuration + "\n"), to: configPath)
        try start(wait: wait)
    }

    deinit { stop() }

    /// The stderr of the running daemon: its journal entries (`--journal no`) and log.
    public var stderr: String { process?.stderr ?? "" }

    public func start(wait: Bool = true) throws {
        precondition(process == nil, "procwardend is already running")
        let variable = kind == .user ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS"
        let p = try Procwardend(configPath: configPath, stateDirectory: stateDirectory)
            .start(bus: kind.rawValue, journal: journal, environment: [variable: bus.address], prefix: prefix).process
        process = p
        if wait { try waitUntilServing(timeout: .seconds(120)) }
    }

    /// SIGTERM; it must exit 0 within 5 s (SPEC §8 says 2 s; the slack is for a loaded CI machine).
    public func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        let code = p.waitForExit(timeout: .seconds(5))
        process = nil
        if code != 0 {
            p.signal(SIGKILL)
            p.waitForExit(timeout: .seconds(5))
            stopFailures.append(
                "procwardend did not exit 0 after SIGTERM (\(code.map(String.init) ?? "still running"))")
        }
    }

    /// Problems seen while stopping, for the test to check.
    public private(set) var stopFailures: [String] = []

    public func restart() throws {
        stop()
        try start()
    }

    /// Polls until Monitor1 is owned on the bus and the first scan is over
    /// (LastScanTimestamp set, State idle).
    public func waitUntilServing(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        var observer: BusObserver?
        while ContinuousClock.now < deadline {
            if let code = process?.waitForExit(timeout: .zero) {
                throw TestFailure("procwardend exited with \(code): \(stderr)")
            }
            observer = observer ?? (try? BusObserver(address: bus.address))
            if let o = observer, o.monitorHasOwner(),
                case .uint64(let t)? = try? o.value(.lastScanTimestamp), t > 0,
                case .string("idle")? = try? o.value(.state)
            {
                return
            }
            usleep(50_000)
        }
        throw TestFailure("procwardend did not serve on \(bus.address) within \(timeout): \(stderr)")
    }
}
