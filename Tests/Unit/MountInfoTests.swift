import ProcWardenKit
import Testing

/// /proc/<pid>/mountinfo parsing (proc(5)) and the mounts that hide a process.
@Suite struct MountInfoTests {
    static let sample = """
        22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
        23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        24 23 0:22 / /proc/sys/fs/binfmt_misc rw,relatime shared:13 - autofs systemd-1 rw
        90 23 254:1 /srv/empty /proc/4242 rw,relatime shared:1 - ext4 /dev/vda1 rw
        91 23 0:40 /decoy /proc/777/maps rw,relatime - tmpfs tmp\\040fs rw
        92 90 0:41 / /proc/4242/fd rw - tmpfs inner rw
        93 23 0:42 / /proc/self/x rw - tmpfs self rw
        94 22 0:43 /with\\012newline /mnt/a\\040b rw - tmpfs src\\134x rw
        broken line
        """

    @Test func fieldsAreDecoded() throws {
        let info = MountInfo(parsing: Array(Self.sample.utf8))
        #expect(info.mounts.count == 8)
        let odd = try #require(info.mounts.last)
        #expect(odd.root == "/with\nnewline")
        #expect(odd.mountPoint == "/mnt/a b")
        #expect(odd.source == "src\\x")
        #expect(odd.fsType == "tmpfs")
        #expect(info.rootMount?.source == "/dev/vda1")
        #expect(info.rootMount?.device == "254:1")
    }

    /// Mounts on /proc/<pid> or below it count, the outermost per pid;
    /// /proc/sys/… and /proc/self/… are not processes.
    @Test func mountsOverProcessDirectoriesByPid() {
        let hidden = MountInfo(parsing: Array(Self.sample.utf8)).mountsOverProcesses(in: "/proc")
        #expect(Set(hidden.keys) == [4242, 777])
        #expect(hidden[4242]?.mountPoint == "/proc/4242")
        #expect(hidden[4242]?.source == "/dev/vda1")
        #expect(hidden[777]?.mountPoint == "/proc/777/maps")
        #expect(hidden[777]?.source == "tmp fs")
        #expect(MountInfo(parsing: Array(Self.sample.utf8)).mountsOverProcesses(in: "/proc2").isEmpty)
    }
}
