import ProcWardenKit
import Testing

@testable import procwardenctl

/// The aggregation behind `alerts --summary`, on hand-made entries.
@Suite struct AlertSummaryTests {
    @Test func countsHighestSeverityAndNewestTimePerHostMachineAndRule() {
        var summary = AlertSummary()
        summary.add(host: "b", machineID: "m2", rule: .preload, severity: .medium, realtime: 30)
        summary.add(host: "b", machineID: "m2", rule: .preload, severity: .high, realtime: 10)
        summary.add(host: "b", machineID: "m2", rule: .preload, severity: .medium, realtime: 20)
        summary.add(host: "a", machineID: "m1", rule: .memfdExec, severity: .high, realtime: 5)
        summary.add(host: "a", machineID: "m1", rule: .diskMismatch, severity: .high, realtime: 7)
        // The same name on another machine is another row.
        summary.add(host: "a", machineID: "m3", rule: .diskMismatch, severity: .high, realtime: 9)
        summary.add(host: nil, machineID: nil, rule: .diskMismatch, severity: .low, realtime: 1)
        let rows = summary.rows
        #expect(
            rows.map { "\($0.host?.escaped ?? "-") \($0.machineID?.escaped ?? "-") \($0.rule.rawValue)" } == [
                "- - integrity.disk_mismatch",
                "a m1 integrity.disk_mismatch",
                "a m1 integrity.memfd_exec",
                "a m3 integrity.disk_mismatch",
                "b m2 integrity.preload",
            ])
        let preload = rows[4]
        #expect(preload.count == 3 && preload.severity == .high && preload.lastRealtime == 30)
        #expect(
            preload.json.text
                == #"{"host":"b","machine_id":"m2","rule":"integrity.preload","count":3,"severity":"high","last_realtime":30}"#
        )
        #expect(rows[0].json.text.hasPrefix(#"{"host":null,"machine_id":null,"#))
    }

    @Test func tableHasAHeaderAndEscapesHostileNames() {
        var summary = AlertSummary()
        summary.add(host: "evil\u{1b}[2Jhost", machineID: "m", rule: .memfdExec, severity: .high, realtime: 0)
        let lines = summary.lines
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("HOST "))
        #expect(!lines[1].contains("\u{1b}"), "\(lines[1])")
        #expect(lines[1].contains("integrity.memfd_exec"))
    }
}
