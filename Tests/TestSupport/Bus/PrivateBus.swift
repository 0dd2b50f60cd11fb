import Glibc
import ProcWardenKit

/// A private system-type `dbus-daemon` on a socket in its own scratch
/// directory, standing in for the system bus: children reach it through
/// `environment` (DBUS_SYSTEM_BUS_ADDRESS) or `address`. Stopped on deinit.
///
/// Its configuration mirrors the defaults of Debian's
/// /usr/share/dbus-1/system.conf (deny owning names and method calls, allow
/// signals, replies and the bus driver) and then either includes the
/// project's own policy file by absolute path (`.shipped`) or opens
/// everything to everyone (`.permissive`), so the daemon's own credentials
/// check can be seen without the bus in front of it.
///
/// The `<policy user="procwarden">` block of the shipped file applies only
/// where that user exists; dbus-daemon warns about it and ignores it here.
public final class PrivateBus {
    public enum Policy {
        case shipped
        case permissive
    }

    public let policy: Policy
    /// Socket, configuration, logs; tests put their own files here too.
    /// Mode 0755, so an unprivileged caller (setpriv) can reach the socket.
    public let scratch: ScratchDirectory
    public var directory: String { scratch.path }
    public var socketPath: String { directory + "/bus" }
    /// The D-Bus address of the socket (`--address=` for busctl).
    public var address: String { "unix:path=" + socketPath }
    /// The environment that points a child at this bus as its system bus.
    public var environment: [String: String] { ["DBUS_SYSTEM_BUS_ADDRESS": address] }
    private var process: ChildProcess?

    /// The repository's policy file, found from this source file's path.
    public static let shippedPolicyPath: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // Tests/TestSupport/Bus/PrivateBus.swift
        return parts.joined(separator: "/") + "/etc/dbus-1/system.d/org.procwarden.Monitor1.conf"
    }()

    public init(policy: Policy) throws {
        guard geteuid() == 0 else { throw TestFailure("bus tests need root (setpriv, a second uid)") }
        for tool in ["dbus-daemon", "busctl", "dbus-send", "setpriv"] where Self.find(tool) == nil {
            throw TestFailure("\(tool) is not installed: run scripts/install-deps.sh")
        }
        self.policy = policy
        scratch = try ScratchDirectory("bus")
        try write(configuration, to: directory + "/bus.conf")
        try start()
    }

    deinit { stop() }

    /// Starts dbus-daemon and waits until it listens (it prints its address
    /// only then).
    public func start() throws {
        precondition(process == nil, "the bus is already running")
        let p = try ChildProcess([
            Self.find("dbus-daemon")!, "--config-file=\(directory)/bus.conf", "--nofork",
            "--print-address",
        ])
        process = p
        let listening = Poll.eventually(timeout: .seconds(10)) {
            p.waitForExit(timeout: .zero) == nil && p.stdout.hasPrefix("unix:")
        }
        guard listening else {
            throw TestFailure("dbus-daemon did not start listening on \(socketPath): \(p.stderr)")
        }
    }

    /// SIGTERM, as systemd stops dbus.service, and reaped (SIGKILL if it is
    /// still there after 5 s); the socket file is removed so a start binds
    /// afresh.
    public func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        if p.waitForExit(timeout: .seconds(5)) == nil { p.stop() }
        unlink(socketPath)
        process = nil
    }

    /// Stops the bus and starts a new one on the same socket path.
    public func restart() throws {
        stop()
        try start()
    }

    private var configuration: String {
        let holes: String
        switch policy {
        case .shipped:
            holes = "<include>\(Self.shippedPolicyPath)</include>"
        case .permissive:
            holes = """
                  <policy context="default">
                    <allow own="*"/>
                    <allow send_type="method_call"/>
                  </policy>
                """
        }
        return """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path=\(socketPath)</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
                <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
                      send_member="UpdateActivationEnvironment"/>
              </policy>
              <policy user="root">
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
              </policy>
              \(holes)
            </busconfig>

            """
    }

    /// Writes `text` to `path` (mode 0644), replacing it.
    public func write(_ text: String, to path: String) throws {
        try DurableFile.write(Array(text.utf8), to: path, mode: 0o644)
    }

    /// A copy of /bin/sleep at `<directory>/<name>`, padded with a hole to
    /// `size` bytes if given (the ELF loader ignores the tail; hashing reads
    /// all of it). Returns its path.
    public func executableCopy(named name: String, size: UInt64? = nil) throws -> String {
        let path = directory + "/" + name
        let copy = try ToolRun.run(["cp", "/bin/sleep", path])
        guard copy.succeeded else { throw TestFailure(copy.summary) }
        if let size {
            let grow = try ToolRun.run(["truncate", "-s", String(size), path])
            guard grow.succeeded else { throw TestFailure(grow.summary) }
        }
        return path
    }

    /// The first executable `name` on $PATH (or the usual system directories).
    public static func find(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]
        return directories.lazy.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }
}
