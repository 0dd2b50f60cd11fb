import Glibc
import Testing
@testable import ProcWardenKit

/// /proc/<pid>/status parsing on fixture files (proc(5)).
struct ProcStatusTests {
    /// The second Uid column is the effective uid; real, saved and fs differ
    /// in the fixture so a wrong column shows.
    @Test func normal() throws {
        #expect(try ProcStatus(parsing: Fixture.bytes("status-normal")).effectiveUID == 1001)
    }

    @Test func missingUid() throws {
        #expect(throws: ProcParseError.truncated(file: "status")) {
            try ProcStatus(parsing: Fixture.bytes("status-no-uid"))
        }
    }

    @Test func malformedUid() throws {
        #expect(throws: ProcParseError.malformed(file: "status", detail: "bad Uid line")) {
            try ProcStatus(parsing: Fixture.bytes("status-bad-uid"))
        }
    }

    @Test func uidLineWithOneColumn() throws {
        #expect(throws: ProcParseError.self) { try ProcStatus(parsing: Fixture.bytes("status-short-uid")) }
    }

    @Test func liveSelf() throws {
        #expect(try ProcStatus(parsing: TestFile.read("/proc/self/status")).effectiveUID == geteuid())
    }
}
