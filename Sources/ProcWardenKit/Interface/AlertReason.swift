/// Values of `PROCWARDEN_REASON` (SPEC §3), by rule.
public enum AlertReason: String, Sendable, CaseIterable {
    /// integrity.disk_mismatch: the running image was unlinked.
    case deleted
    /// integrity.disk_mismatch: the path names another file under every root tried.
    case replaced
    /// integrity.coverage.degraded: SHA-256 succeeded, ssdeep failed.
    case ssdeepFailed = "ssdeep_failed"
    /// integrity.coverage.degraded: larger than `MaxFileSize` (no ssdeep) or
    /// `MaxHashSize` (not hashed at all).
    case tooLarge = "too_large"
    /// integrity.binary_change: the SHA-256 changed and no ssdeep exists on one side.
    case similarityUnknown = "similarity_unknown"
    /// integrity.memfd_exec: the memfd's name is allowlisted, its content is
    /// none of `MemfdAllowImages`.
    case allowlistedNameUnknownContent = "allowlisted_name_unknown_content"
}
