import Foundation
import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// Paths are byte strings: newlines, spaces, invalid UTF-8 and " (deleted)"
/// in the middle survive classification and the JSON report unchanged.
@Suite(.serialized)
struct PathBytesTests {
    /// Runs a copy of sleep at `name` inside `directory` (both created in a
    /// fresh temp dir) and returns the scan's record and its JSON object.
    private func scanCopy(directory: ByteString, name: ByteString)
        throws -> (
            exe: ByteString, record: ProcessRecord, json: [String: Any], dir: ScratchDirectory, child: ChildProcess
        )
    {
        let dir = try ScratchDirectory()
        try TestFile.makeDirectory(dir.appending(directory))
        let exe = dir.appending(directory).appending(name)
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, [name, "60"])
        let report = SharedScanner.scan()
        let record = try report.require(pid: child.pid)
        let json = try #require(try JSONBytes.processes(JSONBytes.object(report.json().rendered()))[child.pid])
        return (exe, record, json, dir, child)
    }

    @Test func invalidUTF8NewlineAndSpaceSurviveJSON() throws {
        let name = ByteString([0x70, 0x77, 0x20, 0x0a, 0xff, 0x73])  // "pw \n\xffs"
        let run = try scanCopy(directory: ByteString(Array("new\nline dir ".utf8) + [0xff, 0xfe]), name: name)
        defer { run.child.stop() }
        #expect(run.record.exeState == .onDisk)
        #expect(run.record.exe == run.exe)
        #expect(run.record.comm == name)
        #expect(run.json[ReportKey.Process.exe] is [NSNumber], "invalid UTF-8 is rendered as an array of bytes")
        #expect(JSONBytes.decode(run.json[ReportKey.Process.exe]) == run.exe)
        #expect(JSONBytes.decode(run.json[ReportKey.Process.comm]) == name)
        #expect(run.json[ReportKey.Process.exeState] as? String == "on_disk")
    }

    @Test func validUTF8WithControlsSurvivesJSONAsString() throws {
        let run = try scanCopy(directory: "quote\" back\\slash\ttab \u{1} é\nline", name: "pw\u{7f} x")
        defer { run.child.stop() }
        #expect(run.record.exeState == .onDisk)
        #expect(run.record.exe == run.exe)
        #expect(run.json[ReportKey.Process.exe] is String, "valid UTF-8 is rendered as a string")
        #expect(JSONBytes.decode(run.json[ReportKey.Process.exe]) == run.exe)
        #expect(JSONBytes.decode(run.json[ReportKey.Process.comm]) == "pw\u{7f} x")
    }

    /// Only a trailing " (deleted)" is the kernel's; one in the middle is
    /// part of the name, running or deleted.
    @Test func deletedMarkerInTheMiddle() throws {
        let run = try scanCopy(directory: "a (deleted) b", name: "pwmid (deleted) x")
        defer { run.child.stop() }
        #expect(run.record.exeState == .onDisk)
        #expect(run.record.exe == run.exe)
        #expect(JSONBytes.decode(run.json[ReportKey.Process.exe]) == run.exe)

        try TestFile.unlink(run.exe)
        let deleted = try SharedScanner.scan().require(pid: run.child.pid)
        #expect(deleted.exeState == .deleted)
        #expect(deleted.exe == run.exe)
    }

    /// A path of exactly `length` bytes inside `dir`, in directories of 200 bytes.
    func longPath(in dir: ScratchDirectory, length: Int) throws -> ByteString {
        var path = ByteString(dir.path)
        while path.count < length - 256 - 1 {
            path = path.appending(ByteString([UInt8](repeating: UInt8(ascii: "d"), count: 200)))
            try TestFile.makeDirectory(path)
        }
        return path.appending(ByteString([UInt8](repeating: UInt8(ascii: "s"), count: length - path.count - 1)))
    }

    /// The longest path execve(2) accepts (PATH_MAX - 1 bytes) is classified
    /// and reported in full.
    @Test func longestPathOnDisk() throws {
        let dir = try ScratchDirectory()
        let exe = try longPath(in: dir, length: 4095)
        #expect(exe.count == 4095)
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, ["pwlong", "60"])
        defer { child.stop() }

        let report = SharedScanner.scan()
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.exe == exe)
        #expect(record.failure == nil)
        let json = try #require(try JSONBytes.processes(JSONBytes.object(report.json().rendered()))[child.pid])
        #expect(JSONBytes.decode(json[ReportKey.Process.exe]) == exe)
    }

    /// The longest replaced path whose exe link, " (deleted)" included, still
    /// fits in PATH_MAX; the file now there is hashed too.
    @Test func longestReplacedPath() throws {
        let dir = try ScratchDirectory()
        let exe = try longPath(in: dir, length: 4095 - " (deleted)".utf8.count)
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, ["pwlong", "60"])
        defer { child.stop() }
        try TestFile.link(exe, dir.appending("keep"))
        let update = dir.appending("new")
        try TestFile.write(DeterministicBytes.make(count: 4321, seed: 9), to: update)
        try TestFile.rename(update, exe)

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .replaced)
        #expect(record.exe == exe)
        #expect(record.failure == nil)
        #expect(record.onDiskDigest?.sha256 == (try ReferenceDigest.sha256(exe)))
    }
}

extension PathBytesTests {
    /// A 4095-byte path whose exe link no longer fits once the kernel adds
    /// " (deleted)" (readlink fails with ENAMETOOLONG): still `deleted`,
    /// with the full path recovered from /proc/<pid>/maps, never `vanished`.
    @Test func deletedPathTooLongForTheExeLink() throws {
        let dir = try ScratchDirectory()
        let exe = try longPath(in: dir, length: 4095)
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, ["pwlong", "60"])
        defer { child.stop() }
        try TestFile.unlink(exe)

        let record = try SharedScanner.scan().require(pid: child.pid)
        #expect(record.exeState == .deleted)
        #expect(record.exe == exe)
        #expect(record.failure == nil)
        #expect(record.digest?.sha256 == (try ReferenceDigest.sha256("/bin/sleep")))
    }
}
