import FoundationEssentials
import ProcWardenKit
import Testing

/// A scan holds one record per process (two while the next scan is built),
/// so what most processes never have is boxed, and digests are shared.
struct ProcessRecordTests {
    /// 10,000 processes at this size are 2.4 MiB a scan; the fields boxed
    /// in `ProcessRecord.Rare` took it past 500 bytes inline.
    @Test func aRecordStaysSmall() {
        #expect(MemoryLayout<ProcessRecord>.stride <= 256, "\(MemoryLayout<ProcessRecord>.stride) bytes")
        #expect(MemoryLayout<ImageDigest>.stride == 8)
        #expect(MemoryLayout<ImageDigest?>.stride == 8)
    }

    @Test func rareFieldsReadBackAndCopiesStayApart() {
        var record = ProcessRecord(pid: 7, exeState: .replaced)
        let plain = record
        record.preload = "/tmp/x.so"
        record.failure = "malformed stat"
        record.onDiskDigest = ImageDigest(sha256: "ab", ssdeep: nil)
        var copy = record
        copy.preload = nil
        #expect(record.preload == "/tmp/x.so")
        #expect(record.failure == "malformed stat")
        #expect(record.onDiskDigest?.sha256 == "ab")
        #expect(copy.preload == nil)
        #expect(copy.failure == "malformed stat")
        #expect(record != plain)
        copy.failure = nil
        copy.onDiskDigest = nil
        #expect(copy == plain, "cleared fields compare equal to never-set ones")
    }

    @Test func digestsCompareByValueAndChangeOnlyTheCopy() {
        let a = ImageDigest(sha256: "aa", ssdeep: "3:a:b", md5: "cc")
        var b = a
        let c = ImageDigest(sha256: "aa", ssdeep: "3:a:b", md5: "cc")
        #expect(a == c)
        #expect(a.hashValue == c.hashValue)
        b.md5 = nil
        #expect(a.md5 == "cc")
        #expect(b.md5 == nil)
        #expect(a != b)
    }

    /// The boxed digest encodes as the plain struct did: the same keys.
    @Test func digestCodingKeepsItsKeys() throws {
        let digest = ImageDigest(sha256: "aa", ssdeep: "3:a:b", degraded: true, md5: "cc")
        let data = try JSONEncoder().encode(digest)
        let object = String(decoding: data, as: UTF8.self)
        for key in [
            "\"sha256\":\"aa\"", "\"ssdeep\":\"3:a:b\"", "\"degraded\":true", "\"tooLargeForSsdeep\":false",
            "\"md5\":\"cc\"",
        ] {
            #expect(object.contains(key), "\(object)")
        }
        #expect(try JSONDecoder().decode(ImageDigest.self, from: data) == digest)
    }
}
