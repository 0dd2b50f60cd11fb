/// How a file mapped executable into a process relates to the file at its
/// path (SPEC §2 Shared objects), decided as for the exe.
public enum ObjectState: String, Sendable, CaseIterable, Codable {
    /// The file at the path (under the process's root or the host's) has
    /// the mapping's (dev, ino), or is on a file system where that cannot
    /// be decided (`identityUnverified`).
    case onDisk = "on_disk"
    /// Nothing at the path, or another file there and the kernel's
    /// " (deleted)" suffix on the mapping.
    case deleted
    /// Another file at the path, and no suffix.
    case replaced
    /// A memfd_create(2) file: `/memfd:<name>`.
    case memfd
    /// The file at the path cannot be stat'ed with the daemon's rights
    /// (a FUSE mount without allow_other): nothing is claimed.
    case inaccessible
}
