import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// A private dbus-daemon on a unix socket in its own directory, standing in
/// for the system bus: tests point `DBUS_SYSTEM_BUS_ADDRESS` at `address`.
/// Its policy lets anyone own names and call anything, so that the access
/// checks a test sees are procwardend's own. Stopped (SIGTERM, then SIGKILL)
/// and its directory removed on deinit.
final class CtlPrivateBus {
    let scratch: ScratchDirectory
    var directory: String { scratch.path }
    let address: String
    private let process: ChildProcess

    init() throws {
        // 0755: an unprivileged caller (setpriv) must reach the socket.
        let scratch = try ScratchDirectory("bus")
        self.scratch = scratch
        let directory = scratch.path
        let socket = directory + "/bus.socket"
        address = "unix:path=" + socket
        let config = """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>\(address)</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_type="method_return"/>
                <allow send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="signal"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
              </policy>
            </busconfig>
            """
        let configPath = directory + "/bus.conf"
        try DurableFile.write(Array(config.utf8), to: configPath, mode: 0o644)
        guard access("/usr/bin/dbus-daemon", X_OK) == 0 else {
            throw SystemError("/usr/bin/dbus-daemon missing: install dbus-daemon (scripts/install-deps.sh)", errno: ENOENT)
        }
        process = try ChildProcess(["/usr/bin/dbus-daemon", "--config-file=\(configPath)", "--nofork", "--nopidfile"])
        let up = Poll.eventually(timeout: .seconds(10)) {
            var st = stat()
            return stat(socket, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
        }
        try #require(up, "dbus-daemon did not listen on \(socket) within 10s: \(process.stderr)")
    }

    deinit {
        process.signal(SIGTERM)
        if process.waitForExit(timeout: .seconds(2)) == nil { process.signal(SIGKILL) }
        _ = process.waitForExit(timeout: .seconds(2))
    }

    /// The environment that points a child at this bus as its system bus.
    var environment: [String: String] { ["DBUS_SYSTEM_BUS_ADDRESS": address] }
}
