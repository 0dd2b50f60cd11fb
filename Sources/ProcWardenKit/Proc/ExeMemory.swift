/// What the scans read of each process's image, kept from one scan to the
/// next and updated in place (one copy, not one per scan).
///
/// Two uses. The exe link is read twice around the stat of the image, to
/// catch an execve(2) in between; a link and image identical to what the
/// same process (pid and start time) showed last time are a consistent
/// pair already, so the second read is skipped. And a path or command name
/// equal to last time's keeps last time's storage: a scan's records then
/// share one copy instead of holding one each.
///
/// And within one scan, a path that resolved to a process's image under
/// a mount namespace and root is not looked up again for another process
/// of the same image there (as `ObjectClassifier` does for objects).
public final class ExeMemory {
    struct Seen {
        var startTime: UInt64
        var link: ByteString
        /// The image's (dev, ino) and ctime: what any change to the file
        /// or another file at the link moves.
        var image: ImageKey
        var ctimeNanoseconds: Int64
        var comm: ByteString?
        /// The scan that last saw the process.
        var generation: UInt32 = 0

        func matches(_ link: ByteString, _ identity: FileIdentity) -> Bool {
            image == identity.key && ctimeNanoseconds == identity.ctimeNanoseconds && self.link == link
        }
    }

    /// An image found at its path, by where it was looked up.
    struct Lookup: Hashable {
        var namespace: ByteString
        var root: ImageKey
        var path: ByteString
        var image: ImageKey
    }

    private var entries: [Int32: Seen] = [:]
    private var generation: UInt32 = 0
    private var found: Set<Lookup> = []

    public init() {}

    /// Starts a scan: what it does not see again, `endScan` may forget.
    public func beginScan() {
        generation &+= 1
        found.removeAll(keepingCapacity: true)
    }

    /// Whether this scan found `lookup.image` at its path already.
    func wasFound(_ lookup: Lookup) -> Bool { found.contains(lookup) }

    func recordFound(_ lookup: Lookup) { found.insert(lookup) }

    /// After a full scan, forgets the processes it did not see.
    public func endScan() {
        let gone = entries.compactMap { $0.value.generation == generation ? nil : $0.key }
        for pid in gone { entries[pid] = nil }
    }

    /// The last entry for the same process, if any.
    func seen(pid: Int32, startTime: UInt64) -> Seen? {
        guard let seen = entries[pid], seen.startTime == startTime else { return nil }
        return seen
    }

    func remember(pid: Int32, _ seen: Seen) {
        var seen = seen
        seen.generation = generation
        entries[pid] = seen
    }
}
