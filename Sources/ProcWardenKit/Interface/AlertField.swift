/// Journal field names of alert entries (SPEC §4), defined once for the
/// journal writer, the journal reader in procwardenctl and the JSON report,
/// whose keys are these names in lower case without the `PROCWARDEN_` prefix.
public enum AlertField: String, Sendable, CaseIterable, Codable {
    case rule = "PROCWARDEN_RULE"
    case severity = "PROCWARDEN_SEVERITY"
    case dedupKey = "PROCWARDEN_DEDUP_KEY"
    case pid = "PROCWARDEN_PID"
    case uid = "PROCWARDEN_UID"
    case comm = "PROCWARDEN_COMM"
    case exe = "PROCWARDEN_EXE"
    case exeState = "PROCWARDEN_EXE_STATE"
    case sha256 = "PROCWARDEN_SHA256"
    case ssdeep = "PROCWARDEN_SSDEEP"
    case reason = "PROCWARDEN_REASON"
    case onDiskSha256 = "PROCWARDEN_ON_DISK_SHA256"
    case baselineSha256 = "PROCWARDEN_BASELINE_SHA256"
    case baselineSsdeep = "PROCWARDEN_BASELINE_SSDEEP"
    case similarity = "PROCWARDEN_SIMILARITY"
    case threshold = "PROCWARDEN_THRESHOLD"
    case memfdName = "PROCWARDEN_MEMFD_NAME"
    /// What the alert is about: `ObjectKind` (executable, library, loaded_program).
    case object = "PROCWARDEN_OBJECT"
    /// The mapped object's path (a library, a preloaded or loader-run object).
    case library = "PROCWARDEN_LIBRARY"
    /// integrity.preload: the `LD_PRELOAD` value or /etc/ld.so.preload's content.
    case preload = "PROCWARDEN_PRELOAD"
    /// How many processes one alert stands for (one library, many processes).
    case processCount = "PROCWARDEN_PROCESS_COUNT"
    /// µs since the epoch when the alert was raised; the entry's own time is
    /// when journald received it, later for a deferred alert.
    case raisedRealtime = "PROCWARDEN_RAISED_REALTIME"
    /// The innermost systemd unit or scope in /proc/<pid>/cgroup.
    case unit = "PROCWARDEN_UNIT"
    /// The container's unit (the child of machine.slice, a docker-/libpod- scope).
    case container = "PROCWARDEN_CONTAINER"
    /// A root other than the host's: the chroot directory, or the root mount of another mount namespace.
    case root = "PROCWARDEN_ROOT"
    /// The package that owns the path (dpkg).
    case package = "PROCWARDEN_PACKAGE"
    /// Its version in dpkg's status now.
    case packageVersion = "PROCWARDEN_PACKAGE_VERSION"
    /// `yes` or `no`: whether the file matches the MD5 its package recorded.
    case packageVerified = "PROCWARDEN_PACKAGE_VERIFIED"
    /// integrity.restart_needed: the version the running image was seen as.
    case packageOldVersion = "PROCWARDEN_PACKAGE_OLD_VERSION"
    /// integrity.proc_hidden: what is mounted over /proc/<pid> (mountinfo's source).
    case mountSource = "PROCWARDEN_MOUNT_SOURCE"
    /// integrity.proc_hidden: where it is mounted.
    case mountPoint = "PROCWARDEN_MOUNT_POINT"

    public static let prefix = "PROCWARDEN_"

    /// The key in JSON output: `PROCWARDEN_ON_DISK_SHA256` → `on_disk_sha256`.
    public var jsonKey: String { String(rawValue.dropFirst(Self.prefix.count)).lowercased() }
}
