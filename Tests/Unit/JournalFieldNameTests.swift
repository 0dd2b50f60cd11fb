import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@Suite struct JournalFieldNameTests {
    @Test(arguments: ["A", "MESSAGE", "PROCWARDEN_SHA256", "A1_", String(repeating: "X", count: 64)])
    func acceptsValidNames(_ name: String) throws {
        #expect(try JournalFieldName(name).rawValue == name)
    }

    @Test func rejectsInvalidNamesWithTheRuleTheyBreak() {
        let cases: [(String, InvalidJournalFieldName.Reason)] = [
            ("", .empty),
            (String(repeating: "X", count: 65), .tooLong(65)),
            ("_PID", .leadingUnderscore),
            ("__CURSOR", .leadingUnderscore),
            ("1ABC", .leadingDigit),
            ("procwarden_rule", .invalidByte(UInt8(ascii: "p"))),
            ("A-B", .invalidByte(UInt8(ascii: "-"))),
            ("A=B", .invalidByte(UInt8(ascii: "="))),
            ("A\nB", .invalidByte(0x0a)),
            ("A B", .invalidByte(0x20)),
            ("ÄB", .invalidByte(0xc3)),
        ]
        for (name, reason) in cases {
            #expect(throws: InvalidJournalFieldName(name: ByteString(name), reason: reason)) {
                try JournalFieldName(name)
            }
        }
    }

    @Test func errorIsOneEscapedLine() {
        let error = InvalidJournalFieldName(name: "A\nB\u{1b}", reason: .invalidByte(0x0a))
        #expect(!error.description.contains("\n"))
        #expect(!error.description.contains("\u{1b}"))
        #expect(
            error.description == #"invalid journal field name "A\nB\x1b": byte \n is not allowed; use A-Z, 0-9 and _"#)
    }

    @Test func appendingAnInvalidNameThrowsAndAddsNothing() {
        var entry = JournalEntry()
        #expect(throws: InvalidJournalFieldName.self) { try entry.append("bad name", "x") }
        #expect(entry.fields.isEmpty)
    }

    @Test func everyFixedNameIsValid() {
        var names = AlertField.allCases.map(\.rawValue) + OperationalField.allCases.map(\.rawValue)
        names += [
            JournalField.message, JournalField.messageID, JournalField.priority,
            JournalField.syslogIdentifier, JournalField.objectPID,
        ]
        names += AlertRule.allCases.flatMap {
            [OperationalField.suppressed($0).rawValue, OperationalField.dropped($0).rawValue]
        }
        for name in names {
            #expect(JournalFieldName.violation(in: name) == nil, "\(name)")
        }
    }

    @Test func perRuleSuppressionNamesSpellTheRule() {
        #expect(OperationalField.suppressed(.diskMismatch).rawValue == "PROCWARDEN_SUPPRESSED_INTEGRITY_DISK_MISMATCH")
        #expect(
            OperationalField.suppressed(.coverageDegraded).rawValue
                == "PROCWARDEN_SUPPRESSED_INTEGRITY_COVERAGE_DEGRADED")
        #expect(OperationalField.dropped(.memfdExec).rawValue == "PROCWARDEN_DROPPED_INTEGRITY_MEMFD_EXEC")
    }
}
