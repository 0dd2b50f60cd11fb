import Glibc
import ProcWardenKit

/// A fresh directory under /tmp (mkdtemp(3)), removed with everything in it
/// when released. Mode 0755 by default, so processes run as nobody can
/// execute copies inside it.
final class TemporaryDirectory {
    let path: ByteString

    init(mode: mode_t = 0o755) throws {
        var template = Array("/tmp/procwarden-test.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw TestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        path = ByteString(template.dropLast().map { UInt8(bitPattern: $0) })
        guard path.withCString({ chmod($0, mode) }) == 0 else { throw TestFailure("chmod \(path)") }
    }

    deinit {
        // Names inside may be any bytes; rm handles them where FileManager's
        // String paths would not.
        _ = try? Command.run(["/bin/rm", "-rf", "--", path])
    }

    /// A path inside the directory.
    func appending(_ name: ByteString) -> ByteString { path.appending(name) }
}
