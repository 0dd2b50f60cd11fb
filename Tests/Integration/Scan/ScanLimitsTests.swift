import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// MaxFileSize and HashBudgetSec (SPEC §2, hash pass limits).
@Suite(.serialized)
struct ScanLimitsTests {
    /// Over MaxFileSize: SHA-256 without ssdeep; over MaxHashSize: not
    /// hashed (`too_large`). Sizes are st_size (SPEC §2 Limits).
    @Test func overMaxFileSizeIsSHA256OnlyAndOverMaxHashSizeIsTooLarge() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwlarge")
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, ["pwlarge", "60"])
        defer { child.stop() }
        var limits = ScanLimits()
        limits.maxFileSize = 1024

        let report = Scanner.forTests(limits).scan()
        let record = try report.require(pid: child.pid)
        #expect(record.exeState == .onDisk)
        #expect(record.unhashedReason == nil)
        #expect(
            record.digest == ImageDigest(sha256: try ReferenceDigest.sha256(exe), ssdeep: nil, tooLargeForSsdeep: true))
        #expect(report.summary.hashed == report.newlyDigested(since: nil).count)
        #expect(report.summary.bytesHashed == report.newlyDigested(since: nil).values.reduce(0, +))

        limits.maxHashSize = 1024
        let unhashed = try Scanner.forTests(limits).scan().require(pid: child.pid)
        #expect(unhashed.unhashedReason == .tooLarge)
        #expect(unhashed.digest == nil)
    }

    /// "Larger than": a file of exactly MaxFileSize gets ssdeep, one of
    /// exactly MaxHashSize is hashed.
    @Test func sizeLimitBoundaries() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending("pwedge")
        try TestFile.copy("/bin/sleep", to: exe)
        let size = UInt64(try TestFile.status(exe).st_size)
        let child = try ChildProcess(exe, ["pwedge", "60"])
        defer { child.stop() }

        var limits = ScanLimits()
        limits.maxFileSize = size
        let exact = try Scanner.forTests(limits).scan().require(pid: child.pid)
        #expect(exact.digest?.sha256 == (try ReferenceDigest.sha256(exe)))
        #expect(exact.digest?.ssdeep == (try ReferenceDigest.ssdeep(exe)))
        #expect(exact.unhashedReason == nil)

        limits.maxFileSize = size - 1
        let over = try Scanner.forTests(limits).scan().require(pid: child.pid)
        #expect(over.digest?.sha256 == (try ReferenceDigest.sha256(exe)))
        #expect(over.digest?.ssdeep == nil)
        #expect(over.digest?.tooLargeForSsdeep == true)

        limits.maxHashSize = size
        #expect(try Scanner.forTests(limits).scan().require(pid: child.pid).digest != nil)
        limits.maxFileSize = size - 2
        limits.maxHashSize = size - 1
        let tooLarge = try Scanner.forTests(limits).scan().require(pid: child.pid)
        #expect(tooLarge.unhashedReason == .tooLarge)
        #expect(tooLarge.digest == nil)
    }

    /// An image the budget did not reach is `pending` and is read first in
    /// the next pass, ahead of a smaller new image that size order alone
    /// would put first. inotify shows the order of the worker's reads.
    @Test func pendingImagesGoFirst() throws {
        let dir = try ScratchDirectory()
        let big = dir.appending("pwbig")
        try TestFile.copy("/bin/sleep", to: big, appending: DeterministicBytes.make(count: 64 << 20, seed: 64))
        let small = dir.appending("pwsmall")
        try TestFile.copy("/bin/sleep", to: small)
        let bigSize = UInt64(try TestFile.status(big).st_size)

        var limits = ScanLimits()
        limits.hashWorkers = 1
        // Nothing larger than the image under test competes for the worker.
        limits.maxFileSize = bigSize
        limits.maxHashSize = bigSize
        let scanner = Scanner.forTests(limits)
        _ = scanner.scan()

        let bigChild = try ChildProcess(big, ["pwbig", "60"])
        defer { bigChild.stop() }
        var tight = limits
        tight.hashBudget = .milliseconds(1)
        scanner.update(limits: tight)
        let starved = try scanner.scan().require(pid: bigChild.pid)
        #expect(starved.unhashedReason == .pending)
        #expect(starved.digest == nil)

        // Let the worker notice it was stopped and leave the abandoned read.
        usleep(300_000)
        let smallChild = try ChildProcess(small, ["pwsmall", "60"])
        defer { smallChild.stop() }
        let watch = try InotifyWatch([big, small])
        scanner.update(limits: limits)
        let report = scanner.scan()
        let reads = watch.accesses()

        let bigRecord = try report.require(pid: bigChild.pid)
        #expect(bigRecord.unhashedReason == nil)
        #expect(bigRecord.digest?.sha256 == (try ReferenceDigest.sha256(big)))
        #expect(bigRecord.digest?.ssdeep == (try ReferenceDigest.ssdeep(big)))
        #expect(try report.require(pid: smallChild.pid).digest?.sha256 == (try ReferenceDigest.sha256(small)))
        #expect(reads.first == big, "the pending image is read before the new, smaller one")
        #expect(reads.contains(small))
    }
}
