import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// The one-pass digest equals the reference tools byte for byte: SHA-256 as
/// `sha256sum` prints it and ssdeep as the `ssdeep` CLI prints it.
@Suite(.serialized)
struct DigestReferenceTests {
    /// Both ssdeep engines (`SsdeepEngine=native` and `libfuzzy`), each with
    /// the default 1 MiB reads and an odd chunk size so buffers straddle every
    /// internal block boundary of both hashes.
    static let digesters = SsdeepEngine.allCases.flatMap { engine in
        [ImageDigester(fuzzy: engine.hashing), ImageDigester(fuzzy: engine.hashing, chunkSize: 4099)]
    }

    @Test(arguments: [1, 5000, 1 << 20, 64 << 20])
    func matchesReferenceTools(size: Int) throws {
        let dir = try ScratchDirectory()
        let path = dir.appending(ByteString("content-\(size)"))
        try TestFile.write(DeterministicBytes.make(count: size, seed: UInt64(size)), to: path, mode: 0o644)
        let sha256 = try ReferenceDigest.sha256(path)
        let ssdeep = try ReferenceDigest.ssdeep(path)

        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        try #require(fd >= 0)
        defer { close(fd) }
        for digester in Self.digesters {
            let outcome = digester.digest(fd: fd)
            guard case .digest(let digest, let bytesRead) = outcome else {
                Issue.record("chunk size \(digester.chunkSize): \(outcome)")
                continue
            }
            #expect(bytesRead == UInt64(size))
            #expect(digest.sha256 == sha256, "chunk size \(digester.chunkSize)")
            #expect(digest.ssdeep == ssdeep, "\(String(describing: digester.fuzzy)), chunk size \(digester.chunkSize)")
            #expect(!digest.degraded)
        }
    }

    /// With Ssdeep=no only SHA-256 is computed, and that is not degraded.
    @Test func shaOnly() throws {
        let dir = try ScratchDirectory()
        let path = dir.appending("content")
        try TestFile.write(DeterministicBytes.make(count: 70_000, seed: 5), to: path, mode: 0o644)
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        try #require(fd >= 0)
        defer { close(fd) }
        let outcome = ImageDigester(fuzzy: nil).digest(fd: fd)
        guard case .digest(let digest, _) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(digest.sha256 == (try ReferenceDigest.sha256(path)))
        #expect(digest.ssdeep == nil)
        #expect(!digest.degraded)
    }
}
