import ProcWardenKit
import Testing

/// The `libraries` and `loaded_program` members of a process in the
/// `--once --json` report (SPEC §8).
@Suite struct LibrariesReportTests {
    static func object(_ path: ByteString, _ inode: UInt64, _ state: ObjectState, memfd: ByteString? = nil)
        -> ObjectRecord
    {
        var object = ObjectRecord(key: ImageKey(device: 2049, inode: inode), path: path, state: state)
        object.memfdName = memfd
        return object
    }

    static var record: ProcessRecord {
        var record = ProcessRecord(pid: 42, exeState: .onDisk)
        record.exe = "/usr/bin/app"
        record.image = FileIdentity(
            key: ImageKey(device: 2049, inode: 1), size: 1, mtimeNanoseconds: 0, ctimeNanoseconds: 0)
        record.objects = [
            Self.object("/usr/bin/app", 1, .onDisk),
            Self.object("/usr/lib/libc.so.6", 2, .onDisk),
            Self.object("/usr/lib/libold.so.1", 3, .deleted),
            Self.object("/tmp/libdrop.so", 4, .onDisk),
            Self.object("/memfd:doublemapper", 5, .memfd, memfd: "doublemapper"),
            Self.object("/memfd:x", 6, .memfd, memfd: "x"),
        ]
        return record
    }

    @Test func countsTheLibrariesAndListsOnlyFindings() {
        let text = Self.record.json(settings: RuleSettings()).text
        #expect(text.contains(#""loaded_program":null"#), "\(text)")
        let expected =
            #""libraries":{"count":5,"findings":["#
            + #"{"path":"/usr/lib/libold.so.1","object_state":"deleted","untrusted":false,"package":null,"package_verified":null},"#
            + #"{"path":"/tmp/libdrop.so","object_state":"on_disk","untrusted":true,"package":null,"package_verified":null},"#
            + #"{"path":"/memfd:doublemapper","object_state":"memfd","untrusted":false,"package":null,"package_verified":null},"#
            + #"{"path":"/memfd:x","object_state":"memfd","untrusted":true,"package":null,"package_verified":null}]}"#
        #expect(text.contains(expected), "\(text)")
    }

    /// The `--once` table marks a row whose libraries have findings, and
    /// only such a row.
    @Test func tableMarksRowsWithLibraryFindings() {
        var clean = ProcessRecord(pid: 7, exeState: .onDisk)
        clean.exe = "/usr/bin/clean"
        clean.objects = [Self.object("/usr/lib/libc.so.6", 2, .onDisk)]
        let table = ScanReport(summary: ScanSummary(), processes: [Self.record, clean]).table()
        let rows = table.split(separator: "\n")
        let flagged = try? #require(rows.first { $0.hasPrefix("42 ") })
        #expect(flagged?.hasSuffix("/usr/bin/app  [libraries: 1 deleted, 2 memfd, 2 untrusted]") == true, "\(table)")
        let plain = try? #require(rows.first { $0.hasPrefix("7 ") })
        #expect(plain?.hasSuffix("/usr/bin/clean") == true, "\(table)")
    }

    @Test func loadedProgramIsNamed() {
        var record = ProcessRecord(pid: 42, exeState: .onDisk)
        record.exe = "/usr/lib64/ld-linux-x86-64.so.2"
        var program = Self.object("/srv/payload", 7, .deleted)
        program.kind = .loadedProgram
        record.objects = [program]
        let text = record.json(settings: RuleSettings()).text
        #expect(text.contains(#""loaded_program":"/srv/payload""#), "\(text)")
        #expect(text.contains(#""object_state":"deleted""#), "\(text)")
    }
}
