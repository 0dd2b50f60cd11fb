/// Why an image has no digest this pass (SPEC §2, `unhashed_reason`).
public enum UnhashedReason: String, Sendable, Codable, CaseIterable {
    /// Larger than `MaxFileSize`.
    case tooLarge = "too_large"
    /// Not finished within `HashTimeoutSec`; the read may still be hung.
    case timeout
    /// Not reached before `HashBudgetSec` ran out; goes first next pass.
    case pending
    /// read(2) failed (EIO and the like); retried next pass.
    case readError = "read_error"
    /// Matches `IgnorePaths`.
    case ignored
}
