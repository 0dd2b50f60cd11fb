import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// The files the project ships (SPEC §11), checked with the tools that will
/// read them: the daemon for the configuration, `make install` for the
/// layout, systemd-analyze for the unit, systemd-sysusers for the user.
@Suite(.serialized) struct ShippedFilesTests {
    static let repository: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // Tests/Integration/Daemon/ShippedFilesTests.swift
        return parts.joined(separator: "/")
    }()

    @Test func shippedConfigurationIsValid() throws {
        let path = Self.repository + "/etc/procwarden/procwarden.conf"
        let run = try ToolRun.run([BuildProducts.procwardend, "--check-config", "--config", path])
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdoutText == "configuration valid: \(path)\n")
        #expect(run.stderr.isEmpty, "\(run.stderrText)")
    }

    /// The unit as the spec asks: what it must say, and what it must not
    /// (ProtectProc=, ProcSubset=, PrivateUsers= would hide the processes
    /// it watches).
    @Test func unitHasTheRequiredSettings() throws {
        let service = try Self.serviceSection(Self.repository + "/systemd/procwarden.service")
        #expect(service["Type"] == ["notify"])
        #expect(service["User"] == ["procwarden"])
        for key in ["AmbientCapabilities", "CapabilityBoundingSet"] {
            let capabilities = service[key, default: []].flatMap { $0.split(separator: " ").map(String.init) }
            #expect(Set(capabilities) == ["CAP_DAC_READ_SEARCH", "CAP_SYS_PTRACE"], "\(key)=\(capabilities)")
        }
        for (key, value) in [
            ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "read-only"),
            ("PrivateTmp", "yes"), ("PrivateDevices", "yes"), ("PrivateNetwork", "yes"),
            ("RestrictAddressFamilies", "AF_UNIX"), ("MemoryDenyWriteExecute", "yes"),
            ("StateDirectory", "procwarden"), ("UMask", "0077"),
        ] {
            #expect(service[key] == [value], "\(key)=\(service[key] ?? [])")
        }
        #expect(service["SystemCallFilter", default: []].contains("@system-service"))
        #expect(service["WatchdogSec"]?.count == 1)
        for key in ["ProtectProc", "ProcSubset", "PrivateUsers"] {
            #expect(service[key] == nil, "\(key)= hides processes")
        }
    }

    /// `make install` into a scratch prefix (from the binaries this test run
    /// built), then the real tools on what it installed.
    @Test func installedFilesPassSystemdAnalyzeAndSysusers() throws {
        let scratch = try ScratchDirectory("install", mode: 0o700)
        let prefix = scratch("usr")
        let sysconf = scratch("etc")
        let install = try ToolRun.run([
            "make", "-C", Self.repository, "--no-print-directory", "-o", "release", "install",
            "RELEASE=\(try BuildProducts.directory)", "DESTDIR=", "PREFIX=\(prefix)", "SYSCONFDIR=\(sysconf)",
        ])
        try #require(install.succeeded, "\(install.summary)")
        for command in [
            "systemd-sysusers", "systemctl daemon-reload", "journalctl --update-catalog",
            "systemctl reload dbus", "systemctl enable --now procwarden",
        ] {
            #expect(install.stdoutText.contains("\n  \(command)\n"), "make install does not say \(command)")
        }
        let unit = prefix + "/lib/systemd/system/procwarden.service"
        for file in [
            prefix + "/bin/procwardend", prefix + "/bin/procwardenctl", unit,
            prefix + "/lib/sysusers.d/procwarden.conf", prefix + "/lib/systemd/catalog/procwarden.catalog",
            sysconf + "/procwarden/procwarden.conf", prefix + "/share/dbus-1/system.d/org.procwarden.Monitor1.conf",
        ] {
            #expect(access(file, R_OK) == 0, "\(file) not installed")
        }
        #expect(try Self.serviceSection(unit)["ExecStart"] == ["\(prefix)/bin/procwardend --bus system"])

        // systemd-analyze verify loads the unit as systemd would and checks
        // that its commands exist. The Documentation= man pages are checked
        // too once the repository ships them (man/), found through MANPATH
        // in the scratch prefix; until then --man=no.
        let manPages = access(prefix + "/share/man/man8/procwardend.8", R_OK) == 0
        let verify = try ToolRun.run(
            ["env", "MANPATH=\(prefix)/share/man", "systemd-analyze", "verify"]
                + (manPages ? [] : ["--man=no"]) + [unit])
        #expect(verify.status == 0, "\(verify.summary)")
        #expect(verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify.stdoutText)\(verify.stderrText)")

        // The same check fails on a unit whose binary is missing: it does
        // look at the file system.
        let broken = try scratch.write(
            "broken.service",
            String(decoding: try #require(try DurableFile.read(unit)), as: UTF8.self)
                .replacing("\(prefix)/bin/procwardend", with: "\(prefix)/bin/procwardend-missing"))
        let brokenRun = try ToolRun.run(["systemd-analyze", "verify", "--man=no", broken])
        #expect(brokenRun.status != 0 && brokenRun.stderrText.contains("procwardend-missing"), "\(brokenRun.summary)")

        let security = try ToolRun.run(["systemd-analyze", "security", "--offline=true", "--no-pager", unit])
        #expect(security.status == 0, "\(security.summary)")
        let match = try #require(
            try #/Overall exposure level for procwarden\.service: (\d+\.\d+)/#.firstMatch(in: security.stdoutText),
            "\(security.stdoutText)")
        let exposure = try #require(Double(match.1))
        #expect(exposure <= 1.5, "exposure \(exposure)")

        // systemd-sysusers creates the user from the installed file.
        let sysusers = try ToolRun.run(["systemd-sysusers", "--root=\(scratch.path)"])
        #expect(sysusers.status == 0, "\(sysusers.summary)")
        let passwd = String(
            decoding: try #require(try DurableFile.read(sysconf + "/passwd"), "no passwd written"), as: UTF8.self)
        let user = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("procwarden:") }, "\(passwd)")
        let fields = user.split(separator: ":", omittingEmptySubsequences: false)
        try #require(fields.count == 7, "\(user)")
        #expect(Int(fields[2]).map { $0 > 0 && $0 < 1000 } == true, "not a system uid: \(user)")
        #expect(fields[5] == "/var/lib/procwarden" && fields[6] == "/usr/sbin/nologin", "\(user)")
        let group = String(decoding: try #require(try DurableFile.read(sysconf + "/group")), as: UTF8.self)
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("procwarden:") }, "\(group)")
    }

    /// `Key=value` assignments of the [Service] section, repeated keys in order.
    static func serviceSection(_ path: String) throws -> [String: [String]] {
        let text = String(decoding: try #require(try DurableFile.read(path), "no \(path)"), as: UTF8.self)
        var section = ""
        var result: [String: [String]] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                section = line
                continue
            }
            guard section == "[Service]", let eq = line.firstIndex(of: "=") else { continue }
            result[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return result
    }
}
