/// The D-Bus names of SPEC §9, defined once for the daemon and procwardenctl.
public enum BusNames {
    public static let service = "org.procwarden.Monitor1"
    public static let objectPath = "/org/procwarden/Monitor1"
    public static let interface = "org.procwarden.Monitor1"

    public enum Method {
        public static let rescan = "Rescan"
        public static let setSimilarityThreshold = "SetSimilarityThreshold"
        public static let reload = "Reload"
        public static let resetBaseline = "ResetBaseline"
        public static let listExecutables = "ListExecutables"
        public static let listObjects = "ListObjects"
        public static let listRestartNeeded = "ListRestartNeeded"

        /// Every method with its argument (`input`) and reply (`output`)
        /// signatures, as the vtable in CShims declares them.
        public static let signatures: [String: (input: String, output: String)] = [
            rescan: ("", Signature.rescanReply),
            setSimilarityThreshold: (Signature.setSimilarityThresholdArguments, ""),
            reload: ("", ""),
            resetBaseline: (Signature.resetBaselineArguments, ""),
            listExecutables: ("", Signature.listExecutablesReply),
            listObjects: ("", Signature.listObjectsReply),
            listRestartNeeded: ("", Signature.listRestartNeededReply),
        ]
    }

    public enum Signal {
        public static let scanCompleted = "ScanCompleted"
        public static let alertRaised = "AlertRaised"

        /// Every signal with its signature, as the vtable declares it.
        public static let signatures: [String: String] = [
            scanCompleted: Signature.scanCompleted,
            alertRaised: Signature.alertRaised,
        ]
    }

    /// Argument and reply signatures. sd-bus opens a struct by its contents
    /// and an array by its element, so those parts have names of their own.
    public enum Signature {
        /// `Rescan`'s reply struct: scan_id, processes, executables, hashed,
        /// cache_hits, alerts, suppressed, duration_usec.
        public static let scanSummaryContents = "tuuuuuut"
        public static let rescanReply = "(" + scanSummaryContents + ")"
        /// One `ListExecutables` element: path, size, sha256, ssdeep,
        /// exe_state, on_disk_sha256, degraded, process_count.
        public static let executableContents = "stssssbu"
        public static let executable = "(" + executableContents + ")"
        public static let listExecutablesReply = "a" + executable
        /// One `ListObjects` element: path, object_state, size, sha256,
        /// package, package_verified, process_count.
        public static let objectContents = "sstsssu"
        public static let object = "(" + objectContents + ")"
        public static let listObjectsReply = "a" + object
        /// One `ListRestartNeeded` element: unit, pid, comm, path (executable
        /// or object), package.
        public static let restartNeededContents = "susss"
        public static let restartNeeded = "(" + restartNeededContents + ")"
        public static let listRestartNeededReply = "a" + restartNeeded
        /// threshold, runtime.
        public static let setSimilarityThresholdArguments = "ub"
        /// path.
        public static let resetBaselineArguments = "s"
        /// scan_id, processes, executables, alerts.
        public static let scanCompleted = "tuuu"
        /// rule, severity, executable, pid, message.
        public static let alertRaised = "sssus"
    }

    /// `package_verified` in `ListObjects`: yes, no, or empty when unknown.
    public enum Verified {
        public static let yes = "yes"
        public static let no = "no"
    }

    /// Values of the `State` property.
    public enum State {
        public static let idle = "idle"
        public static let scanning = "scanning"
    }

    /// sd-bus's local pseudo-service: the sender and interface of the
    /// `Disconnected` signal it synthesises when the connection drops.
    public enum Local {
        public static let name = "org.freedesktop.DBus.Local"
        public static let disconnected = "Disconnected"
    }

    public enum Property: String, CaseIterable, Sendable {
        case version = "Version"
        case similarityThreshold = "SimilarityThreshold"
        case scanIntervalUSec = "ScanIntervalUSec"
        case state = "State"
        case lastScanTimestamp = "LastScanTimestamp"
        case lastScanDurationUSec = "LastScanDurationUSec"
        case processes = "Processes"
        case executables = "Executables"
        case bytesHashed = "BytesHashed"
        case cacheHits = "CacheHits"
        case ssdeepFailures = "SsdeepFailures"
        case alertsRaised = "AlertsRaised"
        case alertsSuppressed = "AlertsSuppressed"
        case capabilities = "Capabilities"
        case coverage = "Coverage"
        case watchedDirectories = "WatchedDirectories"

        /// The D-Bus type signature of the property.
        public var signature: String {
            switch self {
            case .version, .state, .capabilities, .coverage: "s"
            case .similarityThreshold, .processes, .executables, .watchedDirectories: "u"
            case .scanIntervalUSec, .lastScanTimestamp, .lastScanDurationUSec, .bytesHashed,
                .cacheHits, .ssdeepFailures, .alertsRaised, .alertsSuppressed:
                "t"
            }
        }
    }

    /// Named errors; callers who are not allowed get the standard AccessDenied.
    public enum Error {
        public static let invalidThreshold = "org.procwarden.Monitor1.Error.InvalidThreshold"
        public static let notFound = "org.procwarden.Monitor1.Error.NotFound"
        public static let invalidConfig = "org.procwarden.Monitor1.Error.InvalidConfig"
        /// A string argument the daemon cannot use (Unicode noncharacters).
        public static let invalidArgument = "org.procwarden.Monitor1.Error.InvalidArgument"
        public static let accessDenied = "org.freedesktop.DBus.Error.AccessDenied"
        public static let serviceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
        public static let nameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner"
        public static let noReply = "org.freedesktop.DBus.Error.NoReply"
        public static let unknownObject = "org.freedesktop.DBus.Error.UnknownObject"
        /// Anything else that went wrong in a handler.
        public static let failed = "org.freedesktop.DBus.Error.Failed"
    }
}
