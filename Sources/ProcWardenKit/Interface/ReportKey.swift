/// JSON keys of the `--once --json` report (SPEC §8). Defined once; the
/// daemon writes them and procwardenctl and the tests read them.
public enum ReportKey {
    public static let summary = "summary"
    public static let processes = "processes"
    public static let alerts = "alerts"

    /// In each element of `alerts`, after the fields: the entry's MESSAGE.
    public enum Alert {
        public static let message = "message"
        /// procwardenctl alerts --json: when journald stored the entry (µs).
        public static let timestamp = "timestamp"
        /// procwardenctl alerts --json: the entry's `_HOSTNAME`.
        public static let host = "host"
        /// procwardenctl alerts --json: the entry's `_MACHINE_ID`.
        public static let machineID = "machine_id"
    }

    /// One row of `procwardenctl alerts --summary --json`: a host and rule.
    public enum AlertSummary {
        public static let host = "host"
        public static let machineID = "machine_id"
        public static let rule = "rule"
        public static let count = "count"
        /// The highest severity among the row's alerts.
        public static let severity = "severity"
        /// The newest alert's realtime (µs).
        public static let lastRealtime = "last_realtime"
    }

    public enum Summary {
        /// procwardenctl rescan --json only: the scan's id, before the summary keys.
        public static let scanID = "scan_id"
        public static let processes = "processes"
        public static let executables = "executables"
        public static let hashed = "hashed"
        public static let cacheHits = "cache_hits"
        public static let bytesHashed = "bytes_hashed"
        public static let ssdeepFailures = "ssdeep_failures"
        public static let alerts = "alerts"
        public static let suppressed = "suppressed"
        public static let durationUsec = "duration_usec"
        public static let coverage = "coverage"
    }

    public enum Process {
        public static let pid = "pid"
        public static let startTime = "start_time"
        public static let uid = "uid"
        public static let comm = "comm"
        public static let exe = "exe"
        public static let exeState = "exe_state"
        public static let sha256 = "sha256"
        public static let ssdeep = "ssdeep"
        public static let onDiskSha256 = "on_disk_sha256"
        public static let degraded = "degraded"
        public static let unhashedReason = "unhashed_reason"
        public static let root = "root"
        public static let unit = "unit"
        public static let container = "container"
        /// The program a loader-run process really runs (SPEC §2), or null.
        public static let loadedProgram = "loaded_program"
        /// The `LD_PRELOAD` value, or null.
        public static let preload = "preload"
        public static let package = "package"
        public static let packageVersion = "package_version"
        /// true, false or null (SPEC §2 Package verification).
        public static let packageVerified = "package_verified"
        /// `{"count": n, "findings": [...]}`: the mapped objects.
        public static let libraries = "libraries"
    }

    /// The `libraries` object of a process and its `findings`.
    public enum Libraries {
        public static let count = "count"
        public static let findings = "findings"
        public static let path = "path"
        public static let objectState = "object_state"
        public static let untrusted = "untrusted"
    }

    /// An element of `procwardenctl needs-restart --json` (ListRestartNeeded).
    public enum RestartNeeded {
        public static let unit = "unit"
        public static let pid = "pid"
        public static let comm = "comm"
        public static let path = "path"
        public static let package = "package"
        /// From this host's dpkg status, for a process in the host's root; else null.
        public static let packageVersion = "package_version"
    }

    /// An element of `procwardenctl list --json` (ListExecutables); the
    /// digests and state are named as in `Process`.
    public enum Executable {
        public static let path = "path"
        public static let size = "size"
        public static let processCount = "process_count"
    }
}
