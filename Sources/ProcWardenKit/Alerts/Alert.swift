/// One alert, with every fact it carries frozen at the moment it was raised,
/// so a deferred alert is delivered with the facts it had.
public struct Alert: Sendable, Equatable, Codable {
    public var rule: AlertRule
    /// One human line, e.g. `sshd[812]: running executable /usr/sbin/sshd was deleted from disk`.
    public var message: ByteString
    public var pid: Int32
    /// The alert's `PROCWARDEN_*` fields besides rule and severity, in order.
    public var fields: [Field]
    /// Realtime of raising, µs since the epoch.
    public var raisedAtMicroseconds: UInt64
    /// The start time of `pid` (field 22 of /proc/<pid>/stat) when the
    /// alert was raised, so a late delivery can tell whether the pid still
    /// names that process; nil when unknown (or stored by an older version).
    public var processStartTime: UInt64?
    /// A severity other than the rule's (integrity.preload of an untrusted
    /// object is high); nil for the rule's own. Absent in older state files.
    public var severityOverride: Severity?

    public struct Field: Sendable, Equatable, Codable {
        public var name: AlertField
        public var value: ByteString

        public init(_ name: AlertField, _ value: ByteString) {
            self.name = name
            self.value = value
        }
    }

    public init(
        rule: AlertRule, message: ByteString, pid: Int32, fields: [Field], raisedAtMicroseconds: UInt64,
        processStartTime: UInt64? = nil
    ) {
        self.rule = rule
        self.message = message
        self.pid = pid
        self.fields = fields
        self.raisedAtMicroseconds = raisedAtMicroseconds
        self.processStartTime = processStartTime
    }

    public var severity: Severity { severityOverride ?? rule.severity }

    /// syslog priority of `severity`.
    public var priority: Int {
        switch severity {
        case .high: 3
        case .medium: 4
        case .low: 5
        }
    }

    public subscript(_ name: AlertField) -> ByteString? {
        if name == .rule { return ByteString(rule.rawValue) }
        if name == .severity { return ByteString(severity.rawValue) }
        return fields.first { $0.name == name }?.value
    }

    /// The dedup key: rule + executable identity (baseline key + SHA-256).
    public var dedupKey: String { self[.dedupKey]?.description ?? "" }

    /// Every `PROCWARDEN_*` field including rule and severity, in journal order.
    public var allFields: [Field] {
        [Field(.rule, ByteString(rule.rawValue)), Field(.severity, ByteString(severity.rawValue))] + fields
    }

    /// Adds `PROCWARDEN_RAISED_REALTIME` (`raisedAtMicroseconds`), as the
    /// monitor does to every alert the rules raise: the entry's own time is
    /// its delivery time, later for a deferred alert.
    public mutating func stampRaisedRealtime() {
        fields.removeAll { $0.name == .raisedRealtime }
        fields.append(Field(.raisedRealtime, ByteString(String(raisedAtMicroseconds))))
    }
}

extension Alert {
    /// Fields whose values are numbers in JSON output.
    static let numericFields: Set<AlertField> = [.pid, .uid, .similarity, .threshold, .raisedRealtime, .processCount]

    /// One element of the report's `alerts` array: every `PROCWARDEN_*` field
    /// in lower case without the prefix, plus `message`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = allFields.map { field in
            if Self.numericFields.contains(field.name), let s = field.value.utf8String, let n = Int64(s) {
                return (field.name.jsonKey, .int(n))
            }
            return (field.name.jsonKey, .bytes(field.value))
        }
        members.append((ReportKey.Alert.message, .bytes(message)))
        return .object(members)
    }
}
