/// The alert rules of SPEC §3, with their fixed names, severities,
/// journal priorities and MESSAGE_IDs.
public enum AlertRule: String, Sendable, Codable, CaseIterable {
    case diskMismatch = "integrity.disk_mismatch"
    case memfdExec = "integrity.memfd_exec"
    case binaryChange = "integrity.binary_change"
    case binaryUpdate = "integrity.binary_update"
    case coverageDegraded = "integrity.coverage.degraded"
    case procHidden = "integrity.proc_hidden"
    case libraryMismatch = "integrity.library_mismatch"
    case untrustedCode = "integrity.untrusted_code"
    /// Medium; high when the preloaded object is under `UntrustedCodePaths`
    /// (the alert's own severity says which).
    case preload = "integrity.preload"
    /// A running image or object at a packaged path differs from the MD5
    /// its package recorded (SPEC §2 Package verification).
    case packageMismatch = "integrity.package_mismatch"
    /// A process still runs what its package has since upgraded; raised
    /// instead of disk_mismatch / library_mismatch.
    case restartNeeded = "integrity.restart_needed"

    public var severity: Severity {
        switch self {
        case .diskMismatch, .memfdExec, .procHidden, .untrustedCode, .packageMismatch: .high
        case .binaryChange, .coverageDegraded, .libraryMismatch, .preload: .medium
        case .binaryUpdate, .restartNeeded: .low
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
        case .procHidden: "625d01adc3614fe9986035a4bdfe1691"
        case .libraryMismatch: "b2d5bf46982741a696ac6eb654b95632"
        case .untrustedCode: "c2107e26a820438887e619c83cb7e950"
        case .preload: "3799f046b6c044909d4d2e1c42fad85c"
        case .packageMismatch: "7b448bbd53904609b117ff51dbef879a"
        case .restartNeeded: "8fa08e5e7e924d8fa425b50d011b7d10"
        }
    }
}
