import ProcWardenKit

extension Alert {
    /// The alert as one readable line for a terminal, used for the stderr
    /// echo of `--journal auto`:
    /// `procwardend: [high] integrity.disk_mismatch: sshd[812]: running executable … was deleted from disk`.
    /// The message is escaped (`ByteString.escaped`), so a hostile comm or
    /// path cannot add lines or emit terminal control sequences.
    public var terminalLine: String {
        "\(JournalField.identifier): [\(severity.rawValue)] \(rule.rawValue): \(message.escaped)"
    }
}
