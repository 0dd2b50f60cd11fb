import CSystemd
import Glibc

/// sd_notify(3) messages to the service manager. Without `NOTIFY_SOCKET`
/// (not started by systemd) every call is a no-op.
public struct ServiceNotifier: Sendable {
    public init() {}

    public func ready(status: String? = nil) { send("READY=1" + (status.map { "\nSTATUS=\($0)" } ?? "")) }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }
    public func stopping() { send("STOPPING=1") }
    public func watchdog() { send("WATCHDOG=1") }

    /// Half of `WATCHDOG_USEC` when the manager asked for pings (sd_watchdog_enabled(3)).
    public static func watchdogPingInterval() -> UInt64? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return usec / 2
    }

    private func send(_ message: String) {
        _ = sd_notify(0, message)
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
