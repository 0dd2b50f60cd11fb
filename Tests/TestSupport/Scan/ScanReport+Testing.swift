import Glibc
import ProcWardenKit

extension ScanReport {
    public func record(pid: pid_t) -> ProcessRecord? { processes.first { $0.pid == pid } }

    /// The record of `pid`, or a failure naming it.
    public func require(pid: pid_t) throws -> ProcessRecord {
        guard let record = record(pid: pid) else {
            throw TestFailure("no record for pid \(pid) in scan \(summary.scanID)")
        }
        return record
    }

    /// Every file this scan has a digest for (running images and files now on
    /// disk), keyed as the digest cache keys them. After a scan the cache
    /// holds exactly these.
    public var digestedFiles: [DigestCacheKey: UInt64] {
        var out: [DigestCacheKey: UInt64] = [:]
        for p in processes {
            if p.digest != nil, let image = p.image { out[image.cacheKey] = image.size }
            if p.onDiskDigest != nil, let file = p.onDiskImage { out[file.cacheKey] = file.size }
        }
        return out
    }

    /// `digestedFiles` plus the files at mapped objects' paths, which share
    /// the cache: an image already read as some process's library is not
    /// read again as an executable.
    public var digestedFilesWithObjects: [DigestCacheKey: UInt64] {
        var out = digestedFiles
        for file in objectFiles.values where file.digest != nil { out[file.identity.cacheKey] = file.identity.size }
        return out
    }

    /// Files this scan has digests for that `previous` (the scan before, on
    /// the same scanner) did not: exactly what this scan had to read.
    /// `withObjects`: count the mapped objects' files too (`readCount`).
    public func newlyDigested(since previous: ScanReport?, withObjects: Bool = false) -> [DigestCacheKey: UInt64] {
        let before = (withObjects ? previous?.digestedFilesWithObjects : previous?.digestedFiles) ?? [:]
        return (withObjects ? digestedFilesWithObjects : digestedFiles).filter { before[$0.key] == nil }
    }

    /// Files read this scan, executables and mapped objects together.
    public var readCount: Int { summary.hashed + summary.objectsHashed }
    /// Bytes read this scan, executables and mapped objects together.
    public var readBytes: UInt64 { summary.bytesHashed + summary.objectBytesHashed }
}
