import Glibc
import ProcWardenKit

/// A fresh directory /tmp/pwalert.XXXXXX (mkdtemp(3)), mode 0755, removed
/// with everything in it when released. Its random name makes every path
/// under it unique to one test, so journal entries can be matched on it and
/// the daemon's `IgnorePaths` can be narrowed to it (see `AlertConfig`).
final class AlertScratch {
    let path: String

    init() throws {
        var template = Array("/tmp/pwalert.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw AlertTestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard chmod(path, 0o755) == 0 else { throw AlertTestFailure("chmod \(path)") }
    }

    deinit {
        // Names inside may be any bytes; rm copes where String paths would not.
        _ = try? ToolRun.run(["/bin/rm", "-rf", "--", path])
    }

    /// `path + "/" + name` as bytes.
    func file(_ name: ByteString) -> ByteString { AlertFiles.join(ByteString(path), name) }

    /// `path + "/" + name` as a String, for names that are plain text.
    func file(_ name: String) -> String { path + "/" + name }
}
