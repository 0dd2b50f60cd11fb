import ProcWardenKit
import ProcWardenSystemd

/// One alert entry read back from the journal: the alert as the daemon
/// raised it, when journald stored it, and on which host.
public struct JournalAlert: Sendable, Equatable {
    public var alert: Alert
    /// The entry's realtime (`__REALTIME_TIMESTAMP`), µs since the epoch.
    public var timestamp: UInt64
    /// `_HOSTNAME`, which tells the hosts of a shipped journal apart.
    public var hostname: ByteString?
    /// `_MACHINE_ID`, which stays apart where host names repeat.
    public var machineID: ByteString?

    public init(alert: Alert, timestamp: UInt64, hostname: ByteString?, machineID: ByteString? = nil) {
        self.alert = alert
        self.timestamp = timestamp
        self.hostname = hostname
        self.machineID = machineID
    }

    /// The alert in an entry's fields; nil unless `PROCWARDEN_RULE` names a
    /// rule of SPEC §3. Of a repeated field the first value counts.
    public init?(fields: [(name: String, value: ByteString)], timestamp: UInt64) {
        var first: [String: ByteString] = [:]
        for (name, value) in fields where first[name] == nil { first[name] = value }
        guard let ruleName = first[AlertField.rule.rawValue]?.utf8String, let rule = AlertRule(rawValue: ruleName)
        else {
            return nil
        }
        let carried = AlertField.allCases.filter { $0 != .rule && $0 != .severity }.compactMap { name in
            first[name.rawValue].map { Alert.Field(name, $0) }
        }
        let pid = first[AlertField.pid.rawValue]?.utf8String.flatMap { Int32($0) } ?? 0
        // Entries of versions before PROCWARDEN_RAISED_REALTIME: raised when stored.
        let raised = first[AlertField.raisedRealtime.rawValue]?.utf8String.flatMap { UInt64($0) } ?? timestamp
        self.init(
            alert: Alert(
                rule: rule, message: first[JournalField.message] ?? "", pid: pid, fields: carried,
                raisedAtMicroseconds: raised),
            timestamp: timestamp, hostname: first[JournalField.hostname], machineID: first[JournalField.machineID])
    }

    /// The JSON object of `procwardenctl alerts --json`: the report's alert
    /// object (the `PROCWARDEN_*` fields in lower case without the prefix,
    /// plus `message`), then `timestamp` (µs), `host` and `machine_id`.
    public var json: JSONValue {
        guard case .object(var members) = alert.json else { return alert.json }
        members.append((ReportKey.Alert.timestamp, .uint(timestamp)))
        members.append((ReportKey.Alert.host, .optional(hostname)))
        members.append((ReportKey.Alert.machineID, .optional(machineID)))
        return .object(members)
    }

    /// One terminal-safe line:
    /// `2026-11-26 10:00:00 web1 [high] integrity.disk_mismatch pid=812 comm=sshd exe=/usr/sbin/sshd: sshd[812]: …`.
    /// Every value is escaped (`ByteString.escaped`), so hostile bytes can
    /// neither add lines nor move the cursor.
    public var line: String {
        let missing = "-"
        return "\(JournalTime.format(timestamp)) \(hostname?.escaped ?? missing) [\(alert.severity.rawValue)] "
            + "\(alert.rule.rawValue) pid=\(alert[.pid]?.escaped ?? missing) comm=\(alert[.comm]?.escaped ?? missing) "
            + "exe=\(alert[.exe]?.escaped ?? missing): \(alert.message.escaped)"
    }
}
