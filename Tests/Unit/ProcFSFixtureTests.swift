import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// The readers and classifier on a fixture /proc: every reader takes a root
/// path, so the rules that need no live process are checked on files.
struct ProcFSFixtureTests {
    /// The uid of a fixture process directory: the classifier reads the
    /// effective uid as the owner of /proc/<pid>, as the kernel sets it.
    static func owner(_ pid: Int32) throws -> UInt32 {
        var st = stat()
        guard stat("\(try Fixture.procRoot)/\(pid)", &st) == 0 else { throw TestFailure("stat fixture \(pid)") }
        return st.st_uid
    }

    @Test func listsNumericEntriesOnly() throws {
        let pids = try ProcFS(root: Fixture.procRoot).listPIDs()
        #expect(Set(pids) == [2, 77, 999, 1234])
        #expect(pids.count == 4)
    }

    /// The new-process pass lists /proc only when the last pid moved.
    @Test func lastPIDIsLoadavgsFifthField() throws {
        let scratch = try ScratchDirectory("loadavg")
        let procfs = ProcFS(root: scratch.path)
        #expect(procfs.lastPID() == nil, "no loadavg")
        try scratch.write("loadavg", "0.52 0.58 0.59 2/1234 456789\n")
        #expect(procfs.lastPID() == 456789)
        try scratch.write("loadavg", "0.52 0.58 0.59 2/1234 \n")
        #expect(procfs.lastPID() == nil)
        #expect(ProcFS().lastPID().map { $0 > 0 } == true, "this machine's /proc/loadavg")
    }

    @Test func kernelThreadFromFlags() throws {
        let c = ExeClassifier(procfs: ProcFS(root: try Fixture.procRoot)).classify(pid: 2)
        #expect(c.record.exeState == .kernel)
        #expect(c.record.comm == "kthreadd")
        #expect(c.record.startTime == 24)
        #expect(c.record.uid == 0)
        #expect(c.image == nil)
    }

    @Test func zombieFromState() throws {
        let c = ExeClassifier(procfs: ProcFS(root: try Fixture.procRoot)).classify(pid: 77)
        #expect(c.record.exeState == .zombie)
        #expect(c.record.comm == "defunct child")
        #expect(c.record.startTime == 5555)
        #expect(c.record.uid == (try Self.owner(77)), "uid is the owner of /proc/<pid>")
    }

    /// A process whose exe link is gone (ENOENT) exited midway: vanished,
    /// never an error.
    @Test func missingExeIsVanished() throws {
        let c = ExeClassifier(procfs: ProcFS(root: try Fixture.procRoot)).classify(pid: 1234)
        #expect(c.record.exeState == .vanished)
        #expect(c.record.failure == nil)
        #expect(c.record.startTime == 7777)
        #expect(c.record.uid == (try Self.owner(1234)))
    }

    @Test func missingDirectoryIsVanished() throws {
        let c = ExeClassifier(procfs: ProcFS(root: try Fixture.procRoot)).classify(pid: 4321)
        #expect(c.record.exeState == .vanished)
        #expect(c.record.startTime == nil)
        #expect(c.record.failure == nil)
    }

    /// A malformed stat is a per-item failure, recorded, not thrown.
    @Test func garbageStatIsRecordedFailure() throws {
        let c = ExeClassifier(procfs: ProcFS(root: try Fixture.procRoot)).classify(pid: 999)
        #expect(c.record.exeState == .inaccessible)
        #expect(c.record.failure == ProcParseError.malformed(file: "stat", detail: "no (comm)").description)
        #expect(c.image == nil)
    }
}
