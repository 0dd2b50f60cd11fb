import Glibc
import ProcWardenKit

/// A directory under /tmp for one test (mkdtemp(3)), removed with `rm -rf`
/// when dropped.
final class ScratchDirectory: Sendable {
    let path: String

    init(_ label: String) throws {
        var template = Array("/tmp/procwarden-\(label).XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw SystemError("mkdtemp") }
        path = String(cString: dir)
    }

    deinit { _ = try? ToolRun.run(["rm", "-rf", "--one-file-system", path]) }

    /// chmod 0755, for a daemon that runs as another user without
    /// CAP_DAC_READ_SEARCH.
    func makeTraversable() throws {
        guard chmod(path, 0o755) == 0 else { throw SystemError("chmod \(path)") }
    }

    /// `path/name`.
    func callAsFunction(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `path/name` (mode 0644) and returns the path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let file = self(name)
        try DurableFile.write(Array(text.utf8), to: file)
        guard chmod(file, mode) == 0 else { throw SystemError("chmod \(file)") }
        return file
    }

    /// mkdir(2) `path/name` with `mode`, owned by `owner` (uid and gid) if given.
    @discardableResult
    func makeDirectory(_ name: String, mode: mode_t = 0o755, owner: uid_t? = nil) throws -> String {
        let dir = self(name)
        guard mkdir(dir, mode) == 0, chmod(dir, mode) == 0 else { throw SystemError("mkdir \(dir)") }
        if let owner, chown(dir, owner, owner) != 0 { throw SystemError("chown \(dir)") }
        return dir
    }
}
