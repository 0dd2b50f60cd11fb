import ProcWardenKit

extension OperationalField {
    public var name: JournalFieldName { JournalFieldName(fixed: rawValue) }

    /// `PROCWARDEN_SUPPRESSED_<RULE>`: alerts of one rule deferred plus dropped.
    public static func suppressed(_ rule: AlertRule) -> JournalFieldName {
        JournalFieldName(fixed: suppressed.perRule(rule))
    }

    /// `PROCWARDEN_DROPPED_<RULE>`: alerts of one rule dropped because the
    /// deferred queue was full.
    public static func dropped(_ rule: AlertRule) -> JournalFieldName {
        JournalFieldName(fixed: dropped.perRule(rule))
    }
}
