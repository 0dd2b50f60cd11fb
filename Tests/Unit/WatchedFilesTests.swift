import ProcWardenKit
import Testing

/// What the inotify watches are built from (SPEC §15): the directories and
/// names of the files each process runs or maps.
struct WatchedFilesTests {
    static func record(
        _ pid: Int32, exe: ByteString?, state: ExeState = .onDisk, objects: [(ByteString, ObjectState)] = [],
        root: ImageKey? = nil
    ) -> ProcessRecord {
        var record = ProcessRecord(pid: pid, exeState: state)
        record.exe = exe
        record.keyRoot = root
        record.objects = objects.map { path, state in
            var object = ObjectRecord(key: ImageKey(device: 1, inode: UInt64(path.count)), path: path, state: state)
            object.keyRoot = root
            return object
        }
        return record
    }

    @Test func directoriesAndNamesOfRunningFiles() {
        let files = WatchedFiles([
            Self.record(10, exe: "/usr/sbin/sshd", objects: [("/usr/lib/libc.so.6", .onDisk)]),
            Self.record(11, exe: "/usr/sbin/cron", state: .deleted, objects: [("/usr/lib/libc.so.6", .deleted)]),
            Self.record(12, exe: "/memfd:x", state: .memfd, objects: [("/memfd:lib", .memfd)]),
            Self.record(13, exe: "/init", objects: [("/lib/inaccessible.so", .inaccessible)]),
            Self.record(14, exe: nil, state: .kernel),
        ])
        let host = { WatchedDirectory(root: nil, path: $0) }
        #expect(files.directories[host("/usr/sbin")] == ["sshd": [10], "cron": [11]])
        #expect(files.directories[host("/usr/lib")] == ["libc.so.6": [10, 11]])
        #expect(files.directories[host("/")] == ["init": [13]])
        #expect(files.directories.count == 3, "no memfd, no inaccessible object, no kernel thread")
        #expect(files.opener[host("/usr/sbin")].map { [10, 11].contains($0) } == true)
    }

    @Test func anotherRootIsAnotherDirectory() {
        let root = ImageKey(device: 9, inode: 99)
        let files = WatchedFiles([
            Self.record(20, exe: "/usr/bin/app"), Self.record(21, exe: "/usr/bin/app", root: root),
        ])
        #expect(files.directories[WatchedDirectory(root: nil, path: "/usr/bin")] == ["app": [20]])
        #expect(files.directories[WatchedDirectory(root: root, path: "/usr/bin")] == ["app": [21]])
        #expect(files.opener[WatchedDirectory(root: root, path: "/usr/bin")] == 21)
    }

    /// A targeted scan's pids are forgotten, then added as they are now; a
    /// directory nobody uses goes, and the opener moves to a pid still there.
    @Test func removingProcessesDropsWhatOnlyTheyUsed() {
        var files = WatchedFiles([
            Self.record(30, exe: "/opt/a/bin"), Self.record(31, exe: "/opt/a/bin"), Self.record(32, exe: "/srv/b"),
        ])
        files.remove(pids: [30, 32])
        #expect(files.directories[WatchedDirectory(root: nil, path: "/opt/a")] == ["bin": [31]])
        #expect(files.opener[WatchedDirectory(root: nil, path: "/opt/a")] == 31)
        #expect(files.directories[WatchedDirectory(root: nil, path: "/srv")] == nil)
        #expect(files.opener[WatchedDirectory(root: nil, path: "/srv")] == nil)
        files.add(Self.record(30, exe: "/opt/a.old/bin"))
        #expect(files.directories[WatchedDirectory(root: nil, path: "/opt/a.old")] == ["bin": [30]])
    }

    @Test func pathsWithoutAFileNameAreNotWatched() {
        let files = WatchedFiles([
            Self.record(40, exe: "relative/x"), Self.record(41, exe: "/dir/"), Self.record(42, exe: "/"),
        ])
        #expect(files.directories.isEmpty)
    }
}
