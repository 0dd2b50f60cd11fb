import ArgumentParser
import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// `needs-restart`: ListRestartNeeded(), grouped by unit; exit 1 when any
/// process needs a restart (as `needrestart -b` users script on).
struct NeedsRestart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needs-restart",
        abstract: "List the processes, by systemd unit, that still run what a package upgrade replaced.",
        discussion: """
            From the last scan: each process that runs an executable or maps a library its package has \
            since upgraded, with the package. Exits 0 when there is none and 1 when there are some. Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print one JSON array of objects (unit, pid, comm, path, package, package_version).")
    var json = false

    func run() throws {
        let entries: [BusClient.RestartNeeded]
        var versions = HostPackageVersions()
        do throws(BusClient.Failure) {
            entries = try BusClient(user: bus.bus == .user).listRestartNeeded()
        } catch .busUnavailable, .notRunning {
            let local = LocalRestartScan.run()
            Output.note(local.note)
            entries = local.entries.map {
                BusClient.RestartNeeded(
                    unit: $0.unit?.description ?? "", pid: UInt32(bitPattern: $0.pid), comm: $0.comm?.description ?? "",
                    path: $0.path.description, package: $0.package)
            }
            versions = HostPackageVersions(local.entries)
        } catch {
            throw CtlFailure(error, bus: bus.bus)
        }
        if json {
            typealias K = ReportKey.RestartNeeded
            Output.json(
                .array(
                    entries.map {
                        .object([
                            (K.unit, $0.unit.isEmpty ? .null : .string($0.unit)), (K.pid, .uint(UInt64($0.pid))),
                            (K.comm, .string($0.comm)), (K.path, .string($0.path)), (K.package, .string($0.package)),
                            (
                                K.packageVersion,
                                .optional(versions.version(of: $0.package, pid: Int32(bitPattern: $0.pid)))
                            ),
                        ])
                    }))
        } else if entries.isEmpty {
            Output.line("No process needs a restart.")
        } else {
            var units: [String] = []
            var byUnit: [String: [BusClient.RestartNeeded]] = [:]
            for entry in entries {
                let unit = entry.unit.isEmpty ? "(no unit)" : entry.unit
                if byUnit[unit] == nil { units.append(unit) }
                byUnit[unit, default: []].append(entry)
            }
            for unit in units {
                Output.line(unit.controlCharactersEscaped + ":")
                for e in byUnit[unit]! {
                    Output.line(
                        "  \(e.comm.controlCharactersEscaped)[\(e.pid)] \(e.path.controlCharactersEscaped) "
                            + "(\(e.package.controlCharactersEscaped))")
                }
            }
        }
        Output.flush()
        if !entries.isEmpty { throw ArgumentParser.ExitCode(ProcWardenKit.ExitCode.failure.code) }
    }
}

/// The version of a package as this host's dpkg `status` shows it, for a
/// process whose root is the host's (the bus names only the package). A
/// process in another root (a container) has its own database: nil.
struct HostPackageVersions {
    private let versions: [String: String]
    private let hostRoot: ImageKey?
    /// From a local scan: each process's own package version.
    private var byProcess: [Int32: String] = [:]

    /// The versions a local scan found, per process (any root).
    init(_ entries: [RestartNeeded]) {
        self.init()
        for entry in entries { byProcess[entry.pid] = entry.version }
    }

    init() {
        let bytes = (try? DurableFile.read("/var/lib/dpkg/status", limit: 64 << 20)) ?? nil
        var versions: [String: String] = [:]
        for package in DpkgStatus.parse(bytes ?? []).packages where package.isInstalled {
            versions[package.name] = package.version
        }
        self.versions = versions
        hostRoot = Self.root(of: "/proc/1/root/")
    }

    func version(of package: String, pid: Int32) -> String? {
        if let known = byProcess[pid] { return known }
        guard let hostRoot, Self.root(of: "/proc/\(pid)/root/") == hostRoot else { return nil }
        return versions[package]
    }

    private static func root(of path: String) -> ImageKey? {
        var st = stat()
        return stat(path, &st) == 0 ? ImageKey(st) : nil
    }
}
