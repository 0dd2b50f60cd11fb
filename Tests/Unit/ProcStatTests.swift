import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// /proc/<pid>/stat parsing on fixture files (proc(5)).
struct ProcStatTests {
    @Test func normalLine() throws {
        let stat = try ProcStat(parsing: Fixture.bytes("stat-normal"))
        var expected = ProcStat(pid: 12914, comm: "cat", state: UInt8(ascii: "R"), flags: 4_194_304, startTime: 65132)
        expected.virtualSize = 3_133_440
        #expect(stat == expected)
        #expect(!stat.isKernelThread)
        #expect(!stat.isZombie)
    }

    /// comm runs to the last `)`, so a name built to look like more fields
    /// shifts nothing.
    @Test func commWithSpacesAndParentheses() throws {
        let stat = try ProcStat(parsing: Fixture.bytes("stat-comm-parens"))
        #expect(stat.pid == 4242)
        #expect(stat.comm == "a) R (b")
        #expect(stat.state == UInt8(ascii: "S"))
        #expect(stat.flags == 4_194_560)
        #expect(stat.startTime == 987_654)
    }

    @Test func kernelThreadFlags() throws {
        let stat = try ProcStat(parsing: Fixture.bytes("stat-kthread"))
        #expect(stat.comm == "kthreadd")
        #expect(stat.flags == 0x20_8040)
        #expect(stat.isKernelThread)
        #expect(stat.startTime == 24)
    }

    @Test func zombieState() throws {
        let stat = try ProcStat(parsing: Fixture.bytes("proc/77/stat"))
        #expect(stat.comm == "defunct child")
        #expect(stat.isZombie)
        #expect(!stat.isKernelThread)
    }

    @Test func truncatedLine() throws {
        #expect(throws: ProcParseError.truncated(file: "stat")) {
            try ProcStat(parsing: Fixture.bytes("stat-truncated"))
        }
    }

    @Test func garbage() throws {
        #expect(throws: ProcParseError.malformed(file: "stat", detail: "no (comm)")) {
            try ProcStat(parsing: Fixture.bytes("stat-garbage"))
        }
    }

    @Test func nonDecimalFlags() throws {
        #expect(throws: ProcParseError.self) { try ProcStat(parsing: Fixture.bytes("stat-bad-flags")) }
    }

    @Test(arguments: ["", "(", ")(", "x (a) R", "-1 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"])
    func rejectsMalformed(line: String) {
        #expect(throws: ProcParseError.self) { try ProcStat(parsing: Array(line.utf8)) }
    }

    /// The live file of this very process parses, with this process's pid.
    @Test func liveSelf() throws {
        let stat = try ProcStat(parsing: TestFile.read("/proc/self/stat"))
        #expect(stat.pid == getpid())
        #expect(!stat.isKernelThread)
        #expect(stat.startTime > 0)
    }
}
