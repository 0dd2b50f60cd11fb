import Glibc

/// The dpkg databases one scanner consults (SPEC §2 Package verification):
/// the host's, and with `VerifyOtherRoots` each other root's own, reached
/// through /proc/<pid>/root of a process in it. Indexes live as long as the
/// scanner (each rebuilds itself when its `status` changes); lookups are
/// remembered for one scan.
public final class PackageVerifier {
    private let host: DpkgIndex
    private let verifyOtherRoots: Bool
    private var others: [ImageKey: (pid: Int32, index: DpkgIndex)] = [:]
    private var owners: [BaselineKey: DpkgIndex.Ownership?] = [:]
    private let procRoot: String

    /// `hostRoot`: the host's root as the daemon reaches it (`/proc/1/root`
    /// or `/`).
    public init(hostRoot: String, procRoot: String = "/proc", verifyOtherRoots: Bool) {
        host = DpkgIndex(root: hostRoot)
        self.procRoot = procRoot
        self.verifyOtherRoots = verifyOtherRoots
    }

    /// Forgets the last scan's lookups and brings the host's index up to
    /// date (built at the first scan and again after dpkg changed
    /// `status`), so that this does not eat into the enumeration deadline.
    public func beginScan() {
        owners.removeAll(keepingCapacity: true)
        host.refreshIfNeeded()
    }

    /// The owner of `path` under `root` (nil: the host's), as the database
    /// of that root says; `pid` is a process in that root. Nil for an
    /// unowned path, a root without a database, or another root without
    /// `VerifyOtherRoots`.
    public func owner(of path: ByteString, root: ImageKey?, pid: Int32) -> DpkgIndex.Ownership? {
        let key = BaselineKey(root: root, path: path)
        if let known = owners[key] { return known }
        let owner = index(for: root, pid: pid)?.owner(of: path)
        owners[key] = owner
        return owner
    }

    /// Problems the databases met, for warnings.
    public var problems: [String] { host.problems + others.values.flatMap(\.index.problems) }

    private func rootIdentity(of pid: Int32) -> ImageKey? {
        var st = stat()
        return stat("\(procRoot)/\(pid)/root/", &st) == 0 ? ImageKey(st) : nil
    }

    private func index(for root: ImageKey?, pid: Int32) -> DpkgIndex? {
        guard let root else { return host }
        guard verifyOtherRoots else { return nil }
        // The index reaches the root through one process's /proc/<pid>/root;
        // once that pid no longer shows this root, another process's does.
        if let known = others[root], rootIdentity(of: known.pid) == root { return known.index }
        let index = DpkgIndex(root: "\(procRoot)/\(pid)/root")
        others[root] = (pid, index)
        return index
    }
}
