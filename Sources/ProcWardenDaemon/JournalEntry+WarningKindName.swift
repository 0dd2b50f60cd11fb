import ProcWardenKit
import ProcWardenSystemd

// Transitional, until Daemon.swift (being rewritten on main) passes a
// WarningKind; removed when that rewrite is merged.
extension JournalEntry {
    static func warning(_ message: ByteString, kind: String) -> JournalEntry {
        warning(message, kind: WarningKind(rawValue: kind)!)
    }
}
