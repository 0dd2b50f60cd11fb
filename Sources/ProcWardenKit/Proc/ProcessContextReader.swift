/// Reads a process's `ProcessContext` from /proc/<pid>/cgroup, root,
/// ns/mnt and mountinfo. Only where it is shown (alerts, the JSON report):
/// a scan does not pay for it.
public struct ProcessContextReader: Sendable {
    public var procfs: ProcFS
    /// /proc/1/ns/mnt and the daemon's own /proc/self/ns/mnt: a process in
    /// either is in "the host's" mount namespace, where /proc/<pid>/root
    /// reads as a host path (under the unit the daemon has a namespace of
    /// its own, a copy of the host's).
    let hostNamespaces: Set<ByteString>
    /// The host's root mount (/proc/1/mountinfo): a namespace of its own
    /// on the same root (a service's `PrivateTmp=`) says nothing about
    /// where its files come from.
    let hostRootMount: MountInfo.Mount?

    public init(procfs: ProcFS = ProcFS()) {
        self.procfs = procfs
        var namespaces = Set<ByteString>()
        var hostRootMount: MountInfo.Mount?
        if let dir = try? procfs.openProcess(1) {
            if let ns = try? dir.readLink("ns/mnt") { namespaces.insert(ns) }
            hostRootMount = (try? dir.read("mountinfo", limit: 16 << 20)).flatMap { MountInfo(parsing: $0).rootMount }
        }
        self.hostRootMount = hostRootMount
        if let dir = try? procfs.openSelf(), let ns = try? dir.readLink("ns/mnt") { namespaces.insert(ns) }
        hostNamespaces = namespaces
    }

    /// The context of `record`'s process, or nil when the pid no longer
    /// names the process with that start time (nothing read for a reused pid).
    public func read(_ record: ProcessRecord) -> ProcessContext? {
        guard let startTime = record.startTime, let dir = try? procfs.openProcess(record.pid) else { return nil }
        var context = (try? dir.read("cgroup", limit: 16384)).map(ProcessContext.fromCgroup) ?? ProcessContext()
        context.root = root(dir)
        guard let stat = try? dir.read("stat", limit: 2048, oneRecord: true), let parsed = try? ProcStat(parsing: stat),
            parsed.startTime == startTime
        else { return nil }
        return context
    }

    private func root(_ dir: borrowing ProcessDirectory) -> ByteString? {
        let link = try? dir.readLink("root")
        let chroot = link.flatMap { $0 == "/" ? nil : $0 }
        guard let ns = try? dir.readLink("ns/mnt"), !hostNamespaces.isEmpty, !hostNamespaces.contains(ns) else {
            return chroot
        }
        // Another mount namespace: readlink says "/" there, so the root
        // mount is what tells where the process's files come from.
        guard let mountinfo = try? dir.read("mountinfo", limit: 4 << 20),
            let mount = MountInfo(parsing: mountinfo).rootMount
        else { return chroot ?? ns }
        if let host = hostRootMount, host.device == mount.device, host.root == mount.root { return chroot }
        var text = mount.root.bytes + Array(" on ".utf8) + mount.source.bytes
        if let chroot { text += Array(", chroot ".utf8) + chroot.bytes }
        return ByteString(text)
    }
}
