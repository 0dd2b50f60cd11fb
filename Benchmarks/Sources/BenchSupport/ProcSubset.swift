import Glibc
import ProcWardenKit

/// A directory holding a symlink `<pid>` → /proc/<pid> for each given
/// process: a `ProcFS` root that lists exactly those processes, so a scan
/// benchmark measures N processes rather than whatever else the machine runs
/// (other builds' compilers would otherwise be hashed by every cold scan).
/// Every read below the pid goes to the real /proc/<pid>.
public final class ProcSubset {
    public let root: String

    public init(
        pids: [pid_t], proc: String = "/proc",
        directory parent: String = ScratchFile.temporaryDirectory
    ) throws(SystemError) {
        var template = Array("\(parent)/pw-bench-proc-XXXXXX".utf8CString)
        guard
            let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } })
        else {
            throw SystemError("mkdtemp \(parent)")
        }
        root = made
        for pid in pids {
            guard symlink("\(proc)/\(pid)", "\(root)/\(pid)") == 0 else {
                let error = SystemError("symlink \(root)/\(pid)")
                removeAll()
                throw error
            }
        }
    }

    public var procfs: ProcFS { ProcFS(root: root) }

    deinit { removeAll() }

    private func removeAll() {
        guard let dir = opendir(root) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { unlink("\(root)/\(name)") }
        rmdir(root)
    }
}
