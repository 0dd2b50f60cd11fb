import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// /proc/<pid>/maps into executable file-backed objects (proc(5)), from a
/// fixture of the shapes the kernel prints.
@Suite struct ProcMapsTests {
    @Test func executableFileBackedObjectsOnceEach() throws {
        let objects = ProcMaps.objects(in: try Fixture.bytes("maps/mixed"))
        #expect(
            objects.map(\.printed) == [
                "/usr/bin/sleep", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/tmp/dir with spaces/libx.so",
                "/tmp/new\\012line.so (deleted)", "/memfd:doublemapper (deleted)", "/srv/named (deleted)",
            ])
        #expect(objects[0].key == ImageKey(device: ProcMaps.makedev(major: 0xfe, minor: 1), inode: 1_312_034))
        #expect(objects[5].key == ImageKey(device: ProcMaps.makedev(major: 0x103, minor: 2), inode: 5))
    }

    @Test func deletedMemfdAndAmbiguousNames() throws {
        let objects = ProcMaps.objects(in: try Fixture.bytes("maps/mixed"))
        let byPath = Dictionary(uniqueKeysWithValues: objects.map { ($0.printed.description, $0) })
        let libc = try #require(byPath["/usr/lib/x86_64-linux-gnu/libc.so.6"])
        #expect(!libc.markedDeleted && libc.memfdName == nil)
        #expect(libc.pathCandidates == ["/usr/lib/x86_64-linux-gnu/libc.so.6"])

        let newline = try #require(byPath["/tmp/new\\012line.so (deleted)"])
        #expect(newline.markedDeleted)
        #expect(
            newline.pathCandidates == [
                "/tmp/new\nline.so", "/tmp/new\\012line.so", "/tmp/new\nline.so (deleted)",
                "/tmp/new\\012line.so (deleted)",
            ], "decoded before literal, unlinked before a name that ends in (deleted)")

        let memfd = try #require(byPath["/memfd:doublemapper (deleted)"])
        #expect(memfd.memfdName == "doublemapper" && memfd.pathCandidates.isEmpty)
    }

    /// A long maps file (a process with thousands of mappings) is read whole.
    @Test func longFiles() {
        var text = ""
        for i in 0..<20_000 {
            let perms = i % 3 == 0 ? "r-xp" : "r--p"
            text +=
                "7f\(String(i, radix: 16))000-7f\(String(i, radix: 16))fff \(perms) 00000000 fe:01 \(i / 2 + 1)  /lib/l\(i / 2).so\n"
        }
        let objects = ProcMaps.objects(in: Array(text.utf8))
        let expected = Set((0..<20_000).filter { $0 % 3 == 0 }.map { $0 / 2 + 1 })
        #expect(objects.count == expected.count)
        #expect(Set(objects.map { Int($0.key.inode) }) == expected)
    }

    @Test func emptyAndGarbage() {
        #expect(ProcMaps.objects(in: []).isEmpty)
        #expect(ProcMaps.objects(in: Array("\n\n \n-- r-xp".utf8)).isEmpty)
    }
}
