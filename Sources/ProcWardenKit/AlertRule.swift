/// The alert rules of SPEC §3, with their fixed names, severities,
/// journal priorities and MESSAGE_IDs.
public enum AlertRule: String, Sendable, Codable, CaseIterable {
    case diskMismatch = "integrity.disk_mismatch"
    case memfdExec = "integrity.memfd_exec"
    case binaryChange = "integrity.binary_change"
    case binaryUpdate = "integrity.binary_update"
    case coverageDegraded = "integrity.coverage.degraded"

    public var severity: Severity {
        switch self {
        case .diskMismatch, .memfdExec: .high
        case .binaryChange, .coverageDegraded: .medium
        case .binaryUpdate: .low
        }
    }

    /// syslog priority: 3 err, 4 warning, 5 notice.
    public var priority: Int {
        switch severity {
        case .high: 3
        case .medium: 4
        case .low: 5
        }
    }

    public var messageID: String {
        switch self {
        case .diskMismatch: "05674463b65b43e1ae2a10a72f71ccde"
        case .memfdExec: "b1c8952fe09b4e0da423f4e024ae7712"
        case .binaryChange: "e22e57dc98644c238f6d977e558ee1b3"
        case .binaryUpdate: "f8c57eb5e1524f888bef99885294fc25"
        case .coverageDegraded: "1014ecde9a324914965e81762eaa5a52"
        }
    }
}

/// `PROCWARDEN_SEVERITY`.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: Severity, b: Severity) -> Bool {
        let order: [Severity] = [.low, .medium, .high]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// MESSAGE_IDs of the daemon's operational entries, which are not alerts.
public enum OperationalMessage: String, Sendable, CaseIterable {
    case suppressed = "b60f2af80cbf468eacdfbaeff74617ae"
    case scanCompleted = "5f1e5cf51ee64e26b44f1b6444ed69ba"
    case started = "45783e68828d45ab9e9a4b6c5a7067f2"

    public var messageID: String { rawValue }

    public var priority: Int {
        switch self {
        case .suppressed: 4
        case .scanCompleted: 6
        case .started: 5
        }
    }
}
