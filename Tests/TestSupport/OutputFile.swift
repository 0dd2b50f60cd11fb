import Glibc
import ProcWardenKit

/// A file in /tmp (mkstemp(3)) that a child's stdout or stderr is appended
/// to, read back whenever the test likes and removed when released. A file
/// rather than a pipe: however much the child writes, and however long a
/// grandchild keeps the descriptor open, nothing blocks.
final class OutputFile: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/procwarden-output.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw TestFailure("mkstemp: \(String(cString: strerror(errno)))") }
        close(fd)
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { unlink(path) }

    /// Everything written so far.
    var bytes: [UInt8] { (try? TestFile.read(ByteString(path))) ?? [] }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
