import ProcWardenSystemd

/// The one fixture for "a private dbus-daemon with a real procwardend on
/// it": starts a `PrivateBus` with `policy` and a `ProcwardendOnBus` on it
/// (configuration `configuration`, state directory and configuration file in
/// the bus's scratch directory, registered on the bus `kind`, started behind
/// `prefix` such as setpriv's arguments), runs `body` with both, then stops
/// the daemon and fails (throws) unless it exited 0 on SIGTERM in time. By
/// default `body` runs once Monitor1 is owned and the first scan has
/// finished; with `wait: false` it runs as soon as the process has started.
///
/// If `body` throws, that error is what the test sees; the daemon and the
/// bus are stopped either way (their deinit).
@discardableResult
public func withDaemonOnBus<T>(
    policy: PrivateBus.Policy = .shipped,
    configuration: String = ProcwardendOnBus.quickConfiguration,
    name: String = "procwarden",
    kind: BusKind = .system,
    prefix: [String] = [],
    wait: Bool = true,
    _ body: (_ daemon: ProcwardendOnBus, _ bus: PrivateBus) throws -> T
) throws -> T {
    let bus = try PrivateBus(policy: policy)
    let daemon = try ProcwardendOnBus(
        on: bus, configuration: configuration, name: name, kind: kind,
        prefix: prefix, wait: wait)
    let result = try body(daemon, bus)
    let process = daemon.process
    daemon.stop()
    guard daemon.stopFailures.isEmpty else {
        throw TestFailure(
            "procwardend on the private bus: " + daemon.stopFailures.joined(separator: "; ")
                + "; stderr: \(process?.stderr ?? "")")
    }
    return result
}
