import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// The hash pass reads each unique image once, and a warm rescan reads
/// nothing. Other processes on the machine may start images of their own
/// meanwhile, so counters are checked against exactly the files a scan has
/// digests for that the scan before did not (see `newlyDigested`).
@Suite(.serialized)
struct HashPassTests {
    @Test func fiftyProcessesOneImageHashedOnce() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwmany")
        try TestFile.copy("/bin/sleep", to: exe)
        let size = UInt64(try TestFile.status(exe).st_size)
        let sha256 = try ReferenceDigest.sha256(exe)
        let before = SharedScanner.scan()

        var children: [ChildProcess] = []
        defer { for child in children { child.stop() } }
        for _ in 0..<50 { children.append(try ChildProcess(exe, ["pwmany", "600"])) }
        let after = SharedScanner.scan()

        let key = try #require(try after.require(pid: children[0].pid).image?.cacheKey)
        let fresh = after.newlyDigested(since: before, withObjects: true)
        #expect(fresh[key] == size)
        // A new file may come from the cache when it was read before as some
        // process's library; none is read twice.
        #expect(after.readCount <= fresh.count, "every new image once, however many processes run it")
        #expect(after.readBytes <= fresh.values.reduce(0, +))
        #expect(after.readBytes >= size, "the test's image was read")
        for child in children {
            let record = try after.require(pid: child.pid)
            #expect(record.exeState == .onDisk)
            #expect(record.image?.cacheKey == key)
            #expect(record.digest?.sha256 == sha256)
        }
    }

    @Test func warmRescanReadsNothingUntilTouched() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwwarm")
        try TestFile.copy("/bin/sleep", to: exe)
        let size = UInt64(try TestFile.status(exe).st_size)
        let sha256 = try ReferenceDigest.sha256(exe)
        let child = try ChildProcess(exe, ["pwwarm", "600"])
        defer { child.stop() }

        var previous = SharedScanner.scan()
        let key = try #require(try previous.require(pid: child.pid).image?.cacheKey)
        #expect(previous.digestedFiles[key] == size)

        // Retried only because another process may start a new image between
        // two scans; the image under test must never be read again.
        var quiet = false
        for _ in 0..<8 where !quiet {
            let report = SharedScanner.scan()
            #expect(try report.require(pid: child.pid).digest?.sha256 == sha256)
            let fresh = report.newlyDigested(since: previous, withObjects: true)
            #expect(fresh[key] == nil, "an unchanged image is not read again")
            #expect(report.readCount <= fresh.count)
            #expect(report.readBytes <= fresh.values.reduce(0, +))
            if fresh.isEmpty {
                #expect(report.summary.hashed == 0)
                #expect(report.summary.bytesHashed == 0)
                #expect(report.summary.cacheHits == report.digestedFiles.count)
                quiet = true
            }
            previous = report
        }
        #expect(quiet, "no two consecutive scans without a new image on this machine")

        try TestFile.touch(exe, seconds: 1_000_000_000)
        let touched = SharedScanner.scan()
        let record = try touched.require(pid: child.pid)
        let newKey = try #require(record.image?.cacheKey)
        #expect(newKey != key)
        let fresh = touched.newlyDigested(since: previous, withObjects: true)
        #expect(fresh[newKey] == size, "a touched image is read again")
        #expect(touched.readCount <= fresh.count)
        #expect(touched.readBytes <= fresh.values.reduce(0, +))
        #expect(touched.summary.bytesHashed >= size)
        #expect(record.digest?.sha256 == sha256)
    }
}
