/// The new-process passes between full scans (SPEC §15): which pids /proc
/// lists that no scan has seen, and which of those seen are gone.
struct NewProcessPass {
    /// The pids seen by the scans, less those gone since (`changes`).
    private var knownPIDs: Set<Int32> = []
    /// Processes the new-process passes took in lately, with the exe link
    /// each showed, and how many passes have looked at it since.
    private var young: [Int32: (link: ByteString?, passes: Int)] = [:]

    /// How many passes a process taken in by one is looked at again for an
    /// exec in place: about 3 s at the default 0.5 s.
    static let youngPasses = 6

    /// /proc's last pid when a pass last listed /proc, and the passes since.
    private var listedAtPID: Int32?
    private var passesSinceListing = 0

    /// A pass lists /proc only when a pid was handed out since it last did
    /// (`ProcFS.lastPID`), or after this many passes, to see exits.
    static let listEvery = 4

    /// A scan read `pids`: all of /proc (`full`) or only those.
    mutating func scanned(_ pids: [Int32], full: Bool) {
        if full { knownPIDs = Set(pids) } else { knownPIDs.formUnion(pids) }
    }

    /// The processes in /proc that no scan has seen, and those seen that
    /// are gone (SPEC §15's new-process pass): a readdir(3) of /proc, plus
    /// the exe link of the processes recent passes took in. A pid that
    /// left the listing and came back (reused) counts as new.
    ///
    /// A process that calls execve(2) keeps its pid and start time. One
    /// that does so soon after it started (a loader that fexecve()s a
    /// memfd, a wrapper that execs its payload) may have been taken in
    /// before the exec: its exe link is read again for `youngPasses`
    /// passes, and a change counts it as new. Older processes are left to
    /// the full scans (rereading every exe link costs more than the pass).
    ///
    /// Listing /proc is the pass's cost (the kernel fills an entry per
    /// process), so it is skipped while no pid has been handed out since
    /// the last listing, except every `listEvery` passes, which notice
    /// exits (and let their watches go).
    mutating func changes(_ procfs: ProcFS) -> (appeared: [Int32], gone: [Int32]) {
        let lastPID = procfs.lastPID()
        passesSinceListing += 1
        guard lastPID == nil || lastPID != listedAtPID || passesSinceListing >= Self.listEvery else {
            return (youngExecs(procfs, listed: nil), [])
        }
        guard let pids = try? procfs.listPIDs() else { return ([], []) }
        listedAtPID = lastPID
        passesSinceListing = 0
        let listed = Set(pids)
        let gone = knownPIDs.filter { !listed.contains($0) }
        knownPIDs.subtract(gone)
        var appeared = pids.filter { !knownPIDs.contains($0) }
        appeared += youngExecs(procfs, listed: listed)
        for pid in appeared where young[pid] == nil { young[pid] = (procfs.exeLink(pid), 0) }
        return (appeared, Array(gone))
    }

    /// The young processes whose exe link changed since the last pass
    /// (`listed`: the pids /proc lists now, when it was listed).
    private mutating func youngExecs(_ procfs: ProcFS, listed: Set<Int32>?) -> [Int32] {
        var changed: [Int32] = []
        for (pid, entry) in young {
            guard listed?.contains(pid) ?? true, entry.passes < Self.youngPasses else {
                young[pid] = nil
                continue
            }
            let link = procfs.exeLink(pid)
            young[pid] = (link, entry.passes + 1)
            if link != entry.link { changed.append(pid) }
        }
        return changed
    }
}
