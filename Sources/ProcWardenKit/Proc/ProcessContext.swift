/// Where a process runs, in words an operator knows (SPEC §2 Roots): the
/// context fields of alerts (`PROCWARDEN_UNIT`, `PROCWARDEN_CONTAINER`,
/// `PROCWARDEN_ROOT`) and of the JSON report. Each is nil when it says nothing.
public struct ProcessContext: Sendable, Equatable, Codable {
    /// The innermost systemd unit or scope in /proc/<pid>/cgroup.
    public var unit: ByteString?
    /// The container's unit: the child of `machine.slice`
    /// (`systemd-nspawn@web.service`), or a `docker-<id>.scope` / `libpod-<id>.scope`.
    public var container: ByteString?
    /// A root other than the host's: the chroot directory as the daemon
    /// reads /proc/<pid>/root, or for another mount namespace its root mount
    /// (`<root> on <source>`) from /proc/<pid>/mountinfo.
    public var root: ByteString?

    public init(unit: ByteString? = nil, container: ByteString? = nil, root: ByteString? = nil) {
        self.unit = unit
        self.container = container
        self.root = root
    }

    public var isEmpty: Bool { unit == nil && container == nil && root == nil }

    static let unitSuffixes: [ByteString] = [".service", ".scope", ".socket", ".mount", ".swap"]

    /// Unit and container from /proc/<pid>/cgroup: the cgroup v2 line
    /// (`0::/path`), else (a hybrid or v1 host, where v2 may say only `/`)
    /// the `name=systemd` hierarchy systemd tracks units in.
    public static func fromCgroup(_ bytes: [UInt8]) -> ProcessContext {
        var unified: [ByteString] = []
        var named: [ByteString] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let components = parts[2].split(separator: UInt8(ascii: "/")).map { ByteString($0) }
            if parts[0].elementsEqual("0".utf8) && parts[1].isEmpty { unified = components }
            if parts[1].elementsEqual("name=systemd".utf8) { named = components }
        }
        let components = unified.isEmpty ? named : unified
        var context = ProcessContext()
        context.unit = components.last { c in unitSuffixes.contains { c.hasSuffix($0) } }
        for (i, c) in components.enumerated() {
            let underMachine = i > 0 && components[i - 1] == "machine.slice" && !c.hasSuffix(".slice")
            let runtimeScope = (c.hasPrefix("docker-") || c.hasPrefix("libpod-")) && c.hasSuffix(".scope")
            if underMachine || runtimeScope {
                context.container = c
                break
            }
        }
        return context
    }
}
