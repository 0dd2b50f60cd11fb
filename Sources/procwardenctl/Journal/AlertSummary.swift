import ProcWardenKit

/// `procwardenctl alerts --summary`: one row per host and rule, with how many
/// alerts, the highest severity and the newest time. Hosts are told apart by
/// `_MACHINE_ID` as well as `_HOSTNAME`, since names repeat across a fleet.
public struct AlertSummary: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var host: ByteString?
        public var machineID: ByteString?
        public var rule: AlertRule
        public var count: Int
        public var severity: Severity
        /// The newest alert's realtime, µs since the epoch.
        public var lastRealtime: UInt64

        /// `{"host":…,"machine_id":…,"rule":…,"count":…,"severity":…,"last_realtime":…}`.
        public var json: JSONValue {
            .object([
                (ReportKey.AlertSummary.host, .optional(host)),
                (ReportKey.AlertSummary.machineID, .optional(machineID)),
                (ReportKey.AlertSummary.rule, .string(rule.rawValue)),
                (ReportKey.AlertSummary.count, .uint(UInt64(count))),
                (ReportKey.AlertSummary.severity, .string(severity.rawValue)),
                (ReportKey.AlertSummary.lastRealtime, .uint(lastRealtime)),
            ])
        }
    }

    private struct Key: Hashable {
        var host: ByteString?
        var machineID: ByteString?
        var rule: AlertRule
    }

    private var rowsByKey: [Key: Row] = [:]

    public init() {}

    /// Counts one alert entry.
    public mutating func add(
        host: ByteString?, machineID: ByteString?, rule: AlertRule, severity: Severity, realtime: UInt64
    ) {
        let key = Key(host: host, machineID: machineID, rule: rule)
        guard var row = rowsByKey[key] else {
            rowsByKey[key] = Row(
                host: host, machineID: machineID, rule: rule, count: 1, severity: severity, lastRealtime: realtime)
            return
        }
        row.count += 1
        row.severity = max(row.severity, severity)
        row.lastRealtime = max(row.lastRealtime, realtime)
        rowsByKey[key] = row
    }

    /// By host name, machine ID, then rule in SPEC §3's order.
    public var rows: [Row] {
        let ruleOrder = Dictionary(uniqueKeysWithValues: AlertRule.allCases.enumerated().map { ($1, $0) })
        return rowsByKey.values.sorted { a, b in
            let hostA = a.host?.bytes ?? []
            let hostB = b.host?.bytes ?? []
            if hostA != hostB { return hostA.lexicographicallyPrecedes(hostB) }
            let idA = a.machineID?.bytes ?? []
            let idB = b.machineID?.bytes ?? []
            if idA != idB { return idA.lexicographicallyPrecedes(idB) }
            return ruleOrder[a.rule]! < ruleOrder[b.rule]!
        }
    }

    /// The table `alerts --summary` prints: a header, then one line per
    /// row, every value terminal-safe.
    public var lines: [String] {
        let missing = "-"
        var table = [["HOST", "MACHINE ID", "RULE", "COUNT", "SEVERITY", "LAST"]]
        for row in rows {
            table.append([
                row.host?.escaped ?? missing, row.machineID?.escaped ?? missing, row.rule.rawValue,
                String(row.count), row.severity.rawValue, JournalTime.format(row.lastRealtime),
            ])
        }
        let widths = (0..<6).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            var line = ""
            for (column, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // The count aligns right, words left; the last column is not padded.
                line += column == 3 ? padding + cell : (column == 5 ? cell : cell + padding)
                if column < 5 { line += "  " }
            }
            return line
        }
    }
}
