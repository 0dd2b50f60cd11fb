import Glibc
import ProcWardenKit

/// A fresh directory /tmp/procwarden-<label>.XXXXXX (mkdtemp(3), or under
/// `parent` when given, e.g. /dev/shm) for one
/// test, removed with everything in it when released. Its random name makes
/// every path under it unique to the test. Mode 0755 unless the test says
/// otherwise, so processes run as nobody can reach and run copies inside.
public final class ScratchDirectory: Sendable {
    public let path: String

    public init(_ label: String = "test", mode: mode_t = 0o755, in parent: String = "/tmp") throws {
        var template = Array("\(parent)/procwarden-\(label).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
        guard chmod(path, mode) == 0 else { throw TestFailure("chmod \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        // rm copes with names of any bytes; --one-file-system keeps it out
        // of a mount a test left inside (a FUSE server that never answers).
        _ = try? ToolRun.run(["rm", "-rf", "--one-file-system", "--", path])
    }

    /// `path/name`.
    public func callAsFunction(_ name: String) -> String { path + "/" + name }

    /// `path/name` for a name of any bytes.
    public func appending(_ name: ByteString) -> ByteString { ByteString(path).appending(name) }

    /// Writes `text` to `path/name` (replacing it, with `mode`) and returns the path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let file = self(name)
        try DurableFile.write(Array(text.utf8), to: file)
        guard chmod(file, mode) == 0 else { throw TestFailure("chmod \(file): \(String(cString: strerror(errno)))") }
        return file
    }

    /// mkdir(2) `path/name` with exactly `mode`, owned by `owner` (uid and
    /// gid) if given; returns the path.
    @discardableResult
    public func makeDirectory(_ name: String, mode: mode_t = 0o755, owner: uid_t? = nil) throws -> String {
        let directory = self(name)
        try TestFile.makeDirectory(ByteString(directory), mode: mode)
        if let owner, chown(directory, owner, owner) != 0 {
            throw TestFailure("chown \(directory): \(String(cString: strerror(errno)))")
        }
        return directory
    }
}
