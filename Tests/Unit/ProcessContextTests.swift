import ProcWardenKit
import Testing

/// Unit and container from /proc/<pid>/cgroup (SPEC §2 Roots).
@Suite struct ProcessContextTests {
    @Test(
        arguments: [
            ("0::/system.slice/nginx.service\n", "nginx.service", nil),
            ("0::/user.slice/user-1000.slice/session-3.scope\n", "session-3.scope", nil),
            (
                "0::/machine.slice/systemd-nspawn@web.service/payload/system.slice/cron.service\n", "cron.service",
                "systemd-nspawn@web.service"
            ),
            (
                "0::/machine.slice/systemd-nspawn@web.service/payload/init.scope\n", "init.scope",
                "systemd-nspawn@web.service"
            ),
            ("0::/system.slice/docker-0123abcd.scope\n", "docker-0123abcd.scope", "docker-0123abcd.scope"),
            (
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-99.scope/container\n",
                "libpod-99.scope", "libpod-99.scope"
            ),
            ("12:pids:/x\n1:name=systemd:/system.slice/ssh.service\n0::/\n", "ssh.service", nil),
            ("1:name=systemd:/system.slice/ssh.service\n0::/system.slice/cron.service\n", "cron.service", nil),
            ("12:pids:/x\n1:name=systemd:/system.slice/ssh.service\n", "ssh.service", nil),
            ("0::/\n", nil, nil),
            ("garbage", nil, nil),
        ] as [(String, String?, String?)])
    func cgroupNamesUnitAndContainer(cgroup: String, unit: String?, container: String?) {
        let context = ProcessContext.fromCgroup(Array(cgroup.utf8))
        #expect(context.unit == unit.map { ByteString($0) })
        #expect(context.container == container.map { ByteString($0) })
        #expect(context.root == nil)
    }

    /// The JSON report carries root, unit and container; null when unknown.
    @Test func reportKeys() {
        var record = ProcessRecord(pid: 7, exeState: .onDisk)
        record.context = ProcessContext(unit: "a.service", container: nil, root: "/srv/jail")
        let text = record.json.text
        #expect(text.contains(#""root":"/srv/jail""#))
        #expect(text.contains(#""unit":"a.service""#))
        #expect(text.contains(#""container":null"#))
    }
}
