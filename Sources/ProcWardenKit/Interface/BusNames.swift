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
    }

    public enum Signal {
        public static let scanCompleted = "ScanCompleted"
        public static let alertRaised = "AlertRaised"
    }

    /// Reply and argument signatures.
    public enum Signature {
        public static let rescanReply = "(tuuuuuut)"
        public static let executable = "(stssssbu)"
        public static let scanCompleted = "tuuu"
        public static let alertRaised = "sssus"
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

        /// The D-Bus type signature of the property.
        public var signature: String {
            switch self {
            case .version, .state, .capabilities, .coverage: "s"
            case .similarityThreshold, .processes, .executables: "u"
            case .scanIntervalUSec, .lastScanTimestamp, .lastScanDurationUSec, .bytesHashed,
                 .cacheHits, .ssdeepFailures, .alertsRaised, .alertsSuppressed: "t"
            }
        }
    }

    /// Named errors; callers who are not allowed get the standard AccessDenied.
    public enum Error {
        public static let invalidThreshold = "org.procwarden.Monitor1.Error.InvalidThreshold"
        public static let notFound = "org.procwarden.Monitor1.Error.NotFound"
        public static let invalidConfig = "org.procwarden.Monitor1.Error.InvalidConfig"
        public static let accessDenied = "org.freedesktop.DBus.Error.AccessDenied"
        public static let serviceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
        public static let nameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner"
    }
}
