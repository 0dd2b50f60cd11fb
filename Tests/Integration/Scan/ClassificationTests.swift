import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// SPEC §2 classification, on real processes started from temporary copies.
@Suite(.serialized)
struct ClassificationTests {
    static let sleep: ByteString = "/bin/sleep"

    @Test func runningCopyIsOnDisk() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwsleep")
        try TestFile.copy(Self.sleep, to: exe)
        // Run as nobody, so the uid is not the scanner's own.
        let child = try ChildProcess(
            "setpriv", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", exe, "60"])
        defer { child.stop() }
        try child.waitForExe(exe)

        let report = SharedScanner.scan()
        let live = try #require(child.liveStat)
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.exe == exe)
        #expect(record.startTime == live.startTime)
        #expect(record.uid == 65534)
        #expect(record.comm == "pwsleep")
        #expect(record.image?.key == (try TestFile.imageKey(exe)))
        #expect(record.digest?.sha256 == (try ReferenceDigest.sha256(exe)))
        #expect(record.digest?.ssdeep == (try ReferenceDigest.ssdeep(exe)))
        #expect(record.onDiskDigest == nil)
        #expect(record.unhashedReason == nil)
        #expect(record.failure == nil)
    }

    @Test func unlinkedImageIsDeleted() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwdeleted")
        try TestFile.copy(Self.sleep, to: exe)
        let runningSHA = try ReferenceDigest.sha256(exe)
        let child = try ChildProcess(exe, ["pwdeleted", "60"])
        defer { child.stop() }
        try TestFile.unlink(exe)
        #expect(child.exeLink == exe + " (deleted)", "precondition: the kernel marks the link")

        let first = try SharedScanner.scan().require(pid: child.pid)
        #expect(first.exeState == .deleted)
        #expect(first.exe == exe)
        #expect(first.image?.linkCount == 0)
        #expect(first.digest?.sha256 == runningSHA)
        #expect(first.onDiskDigest == nil, "nothing is at the path")

        // Something new is installed at the path: it is hashed as on_disk_sha256.
        try TestFile.write(DeterministicBytes.make(count: 12_345, seed: 7), to: exe)
        let second = try SharedScanner.scan().require(pid: child.pid)
        #expect(second.exeState == .deleted)
        #expect(second.exe == exe)
        #expect(second.digest?.sha256 == runningSHA)
        #expect(second.onDiskDigest?.sha256 == (try ReferenceDigest.sha256(exe)))
        #expect(second.onDiskDigest?.sha256 != runningSHA)
    }

    @Test func imageRenamedOverIsReplaced() throws {
        let dir = try ScratchDirectory()
        try TestFile.makeDirectory(dir.appending("bin"))
        try TestFile.makeDirectory(dir.appending("keep"))
        let exe = dir.appending("bin/pwreplaced")
        try TestFile.copy(Self.sleep, to: exe)
        let runningSHA = try ReferenceDigest.sha256(exe)
        let child = try ChildProcess(exe, ["pwreplaced", "60"])
        defer { child.stop() }
        try TestFile.link(exe, dir.appending("keep/pwreplaced"))
        let update = dir.appending("bin/.pwreplaced.new")
        try TestFile.write(DeterministicBytes.make(count: 54_321, seed: 11), to: update)
        try TestFile.rename(update, exe)

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .replaced)
        #expect(record.exe == exe)
        #expect(record.image?.linkCount == 1)
        #expect(record.digest?.sha256 == runningSHA)
        #expect(record.onDiskImage?.key == (try TestFile.imageKey(exe)))
        #expect(record.onDiskDigest?.sha256 == (try ReferenceDigest.sha256(exe)))
        #expect(record.onDiskDigest?.sha256 != runningSHA)
    }

    /// A memfd name may itself end in " (deleted)"; only the kernel's own
    /// suffix is removed.
    @Test(arguments: ["pw-memfd-test", "pw evil (deleted)"])
    func memfdExecution(name: String) throws {
        let child = try ChildProcess(
            ByteString(try BuildProducts.memfdExec), ["pw-memfd-exec", ByteString(name), Self.sleep, "sleep", "60"])
        defer { child.stop() }
        try child.wait(for: "fexecve from the memfd") { child.exeLink?.hasPrefix("/memfd:") == true }

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .memfd)
        #expect(record.memfdName == ByteString(name))
        #expect(child.exeLink == ByteString("/memfd:\(name) (deleted)"))
        #expect(record.exe == ByteString("/memfd:\(name)"), "the kernel's suffix is stripped, as for any path")
        #expect(record.digest?.sha256 == (try ReferenceDigest.sha256(Self.sleep)))
        #expect(record.digest?.ssdeep == (try ReferenceDigest.ssdeep(Self.sleep)))
    }

    /// A real file called `x (deleted)` is on disk: the suffix never decides alone.
    @Test func literalDeletedSuffixIsOnDisk() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("x (deleted)")
        try TestFile.copy(Self.sleep, to: exe)
        // A file at the stripped path too, which a suffix-trusting classifier would pick.
        try TestFile.write(DeterministicBytes.make(count: 100, seed: 3), to: dir.appending("x"))
        let child = try ChildProcess(exe, ["x", "60"])
        defer { child.stop() }

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.exe == exe)
        #expect(record.onDiskDigest == nil)
    }

    /// Deleting `x (deleted)` shows `x (deleted) (deleted)`; one suffix goes.
    @Test func deletedFileWithLiteralSuffix() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("x (deleted)")
        try TestFile.copy(Self.sleep, to: exe)
        let child = try ChildProcess(exe, ["x", "60"])
        defer { child.stop() }
        try TestFile.unlink(exe)

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .deleted)
        #expect(record.exe == exe)
    }

    /// A process that execs between the classifier's readlink of
    /// /proc/<pid>/exe and its open would pair the old path with the new
    /// image and look `replaced`: a false disk_mismatch alert. These children
    /// exec back and forth between sh and env for as long as they live.
    @Test func execDuringClassificationIsNotReplaced() throws {
        let dir = try ScratchDirectory()
        let script = dir.appending("pw-exec-loop")
        try TestFile.write(Array("#!/bin/sh\nexec /usr/bin/env /bin/sh \"$0\"\n".utf8), to: script)
        var children: [ChildProcess] = []
        defer { for child in children { child.stop() } }
        for _ in 0..<4 { children.append(try ChildProcess("/bin/sh", ["sh", script])) }
        let images: Set<ByteString> = [try TestFile.realPath("/bin/sh"), try TestFile.realPath("/usr/bin/env")]

        let classifier = ExeClassifier(procfs: ProcFS())
        var classified = 0
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            for child in children {
                let record = classifier.classify(pid: child.pid).record
                classified += 1
                guard record.exeState != .onDisk || !images.contains(record.exe ?? "") else { continue }
                Issue.record("pid \(child.pid) mid-exec: \(record.exeState.rawValue) \(record.exe?.escaped ?? "-")")
                return
            }
        }
        #expect(classified > 1000)
    }

    /// The same race with the scans' memory of each process (`ExeMemory`):
    /// a link and image that match the last scan's skip the second read of
    /// the link, so a pair read across an exec must still never match.
    @Test func execDuringClassificationWithMemoryIsNotReplaced() throws {
        let dir = try ScratchDirectory()
        let script = dir.appending("pw-exec-loop")
        try TestFile.write(Array("#!/bin/sh\nexec /usr/bin/env /bin/sh \"$0\"\n".utf8), to: script)
        var children: [ChildProcess] = []
        defer { for child in children { child.stop() } }
        for _ in 0..<4 { children.append(try ChildProcess("/bin/sh", ["sh", script])) }
        let images: Set<ByteString> = [try TestFile.realPath("/bin/sh"), try TestFile.realPath("/usr/bin/env")]

        let classifier = ExeClassifier(procfs: ProcFS())
        let memory = ExeMemory()
        var classified = 0
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            memory.beginScan()
            for child in children {
                let record = classifier.classify(pid: child.pid, memory: memory).record
                classified += 1
                guard record.exeState != .onDisk || !images.contains(record.exe ?? "") else { continue }
                Issue.record("pid \(child.pid) mid-exec: \(record.exeState.rawValue) \(record.exe?.escaped ?? "-")")
                return
            }
            memory.endScan()
        }
        #expect(classified > 1000)
    }

    /// A process that execs in place (same pid and start time) is seen
    /// running the new image by the next scan, though the memory holds the
    /// old one.
    @Test func execInPlaceIsSeenDespiteMemory() throws {
        let dir = try ScratchDirectory()
        let trigger = dir.appending("go")
        let child = try ChildProcess(
            "/bin/sh", ["sh", "-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done; exec /bin/sleep 60", trigger])
        defer { child.stop() }
        try child.wait(for: "the shell") { child.exeLink == (try? TestFile.realPath("/bin/sh")) }
        let classifier = ExeClassifier(procfs: ProcFS())
        let memory = ExeMemory()
        memory.beginScan()
        let before = classifier.classify(pid: child.pid, memory: memory).record
        #expect(before.exe == (try TestFile.realPath("/bin/sh")))
        memory.endScan()

        try TestFile.write([], to: trigger)
        let sleep = try TestFile.realPath("/bin/sleep")
        try child.wait(for: "exec of sleep") { child.exeLink == sleep }
        memory.beginScan()
        let after = classifier.classify(pid: child.pid, memory: memory).record
        #expect(after.startTime == before.startTime)
        #expect(after.exe == sleep)
        #expect(after.exeState == .onDisk)
        #expect(after.comm == "sleep")
    }

    @Test func kernelThreadsAreKernel() throws {
        let report = SharedScanner.scan()
        var checked = 0
        for record in report.processes {
            // Compare only with processes still the same one after the scan.
            guard let live = LiveStat(pid: record.pid), live.startTime == record.startTime else { continue }
            if live.isKernelThread {
                #expect(record.exeState == .kernel, "pid \(record.pid) (\(live.comm)) has PF_KTHREAD")
                #expect(record.exe == nil)
                #expect(record.digest == nil)
                checked += 1
            } else {
                #expect(record.exeState != .kernel, "pid \(record.pid) (\(live.comm)) is not a kernel thread")
            }
        }
        #expect(checked > 0, "no kernel thread (e.g. kthreadd, pid 2) is visible in this /proc")
    }

    @Test func unreapedChildIsZombie() throws {
        let child = try ChildProcess("/bin/true", ["true"])
        defer { child.stop() }
        try child.wait(for: "the child to exit") { child.liveStat?.state == UInt8(ascii: "Z") }

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .zombie)
        #expect(record.comm == "true")
        #expect(record.startTime == child.liveStat?.startTime)
        #expect(record.digest == nil)
        #expect(record.exe == nil)
    }
}
