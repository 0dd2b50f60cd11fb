import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// Paths looked up in a process's root (/proc/<pid>/root) and in the
/// host's (/proc/1/root) resolve their symlinks and ".." inside that root,
/// as the process's own lookups do. Through the magic link alone, an
/// absolute symlink or a ".." would resolve against the daemon's root: a
/// link planted in a container could name any file of the host.
@Suite(.serialized)
struct RootedLookupTests {
    /// A root tree holding `etc/list` as a symlink (absolute, "..", or
    /// through a symlinked directory) towards a file of the daemon's root,
    /// `outside`, whose path the root does not have; and a host file the
    /// links must never reach.
    struct Tree {
        let root: ScratchDirectory
        let outside: ScratchDirectory
        let secret: String

        init(_ label: String) throws {
            root = try ScratchDirectory("rooted-\(label)")
            outside = try ScratchDirectory("rooted-outside-\(label)")
            secret = try outside.write("secret", "host secret\n")
            _ = try root.makeDirectory("etc")
        }

        /// `etc/<name>` -> `target` in the root.
        func link(_ name: String, to target: String) throws {
            try #require(symlink(target, root("etc/\(name)")) == 0, "symlink: \(String(cString: strerror(errno)))")
        }

        /// The secret's path inside the root, with the root's own content.
        func plantInside(_ text: String) throws {
            var path = ""
            for component in outside.path.split(separator: "/") {
                path += "/\(component)"
                if !TestFile.exists(ByteString(root.path + path)) {
                    try TestFile.makeDirectory(ByteString(root.path + path))
                }
            }
            try DurableFile.write(Array(text.utf8), to: root.path + secret)
        }

        /// Every way a link in etc/ could point at the secret.
        func linkEveryWay() throws {
            try link("absolute", to: secret)
            try link("dotdot", to: String(repeating: "../", count: 40) + secret.dropFirst())
            _ = try root.makeDirectory("var")
            try #require(symlink(outside.path, root("var/outside")) == 0)
            try link("through-directory", to: "../var/outside/secret")
        }

        static let links = ["absolute", "dotdot", "through-directory"]
    }

    static func contents(_ fd: Int32) -> String {
        let file = OpenFile(adopting: fd)
        return String(decoding: file.read(limit: 4096), as: UTF8.self)
    }

    /// HostRoot over a procfs whose 1/root is the tree: the links stop at
    /// its root, and find the root's own file when it has one.
    @Test func hostRootStaysInsideItsRoot() throws {
        let tree = try Tree("host")
        try tree.linkEveryWay()
        let procfs = try ScratchDirectory("rooted-procfs")
        _ = try procfs.makeDirectory("1")
        try #require(symlink(tree.root.path, procfs("1/root")) == 0)
        let host = HostRoot(procfs: ProcFS(root: procfs.path))
        #expect(host.path == procfs("1/root"))

        for name in Tree.links {
            let path = ByteString("/etc/\(name)")
            #expect(throws: SystemError.self, "\(name)") { try host.stat(path) }
            #expect(throws: SystemError.self, "\(name)") { try host.open(path, followLast: true) }
        }
        try tree.plantInside("the root's own\n")
        for name in Tree.links {
            let path = ByteString("/etc/\(name)")
            let fd = try host.open(path, followLast: true)
            #expect(Self.contents(fd) == "the root's own\n", "\(name)")
            #expect(try host.stat(path).st_size == 15, "\(name)")
            // Not followed in the last component unless asked.
            #expect(throws: SystemError.self, "\(name)") { try host.open(path) }
        }
    }

    /// A chrooted process: the same through its /proc/<pid>/root.
    @Test func processRootStaysInsideItsRoot() throws {
        let tree = try Tree("process")
        try tree.linkEveryWay()
        try ChrootTree.populate(tree.root.path, with: "/bin/sleep")
        // Ready once chroot(8) has run sleep in the tree, not at its own exec.
        let child = try ChildProcess(["chroot", tree.root.path, "/bin/sleep", "600"]) {
            $0.comm() == "sleep" && ChrootTree.rootLink(of: $0.pid) == ByteString(tree.root.path)
        }
        defer { child.stop() }
        let dir = try ProcFS().openProcess(child.pid)

        for name in Tree.links {
            let path = ByteString("/etc/\(name)")
            #expect(throws: SystemError.self, "\(name)") { try dir.statInRoot(path) }
            #expect(throws: SystemError.self, "\(name)") { try dir.openInRoot(path, followLast: true) }
        }
        // The image itself is found in the root, as before.
        #expect(try dir.statInRoot("/bin/sleep").st_ino == TestFile.status(ByteString(tree.root("bin/sleep"))).st_ino)
        try tree.plantInside("the root's own\n")
        for name in Tree.links {
            let fd = try dir.openInRoot(ByteString("/etc/\(name)"), followLast: true)
            #expect(Self.contents(fd) == "the root's own\n", "\(name)")
        }
    }
}
