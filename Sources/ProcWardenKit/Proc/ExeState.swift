/// How a process's running image relates to the file at its path (SPEC §2).
public enum ExeState: String, Sendable, CaseIterable, Codable {
    /// fstat of /proc/<pid>/exe has the (st_dev, st_ino) of <path> under
    /// /proc/<pid>/root or under the host's root.
    case onDisk = "on_disk"
    /// st_nlink == 0 on the fd opened through /proc/<pid>/exe.
    case deleted
    /// The path names a different file (or none) under both the process's and
    /// the host's root, while the image is still linked elsewhere.
    case replaced
    /// The exe link target starts with `/memfd:`.
    case memfd
    /// PF_KTHREAD in /proc/<pid>/stat flags.
    case kernel
    /// State `Z` in /proc/<pid>/stat.
    case zombie
    /// ENOENT/ESRCH at some step: the process exited during the scan.
    case vanished
    /// EACCES/EPERM: the daemon lacks the rights to inspect it.
    case inaccessible
    /// Something is mounted over /proc/<pid> or a path inside it (found in
    /// /proc/self/mountinfo): nothing read there can be trusted.
    case hidden

    /// States whose process runs an image the scanner can read and hash.
    public var hasImage: Bool {
        switch self {
        case .onDisk, .deleted, .replaced, .memfd: true
        case .kernel, .zombie, .vanished, .inaccessible, .hidden: false
        }
    }

    /// States whose image came from a file with a path (not a memfd).
    public var runsFile: Bool { self == .onDisk || self == .deleted || self == .replaced }
}
