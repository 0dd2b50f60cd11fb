import Glibc
import ProcWardenKit

/// Executables built next to the test bundle (.build/<triple>/debug), found
/// from /proc/self/exe.
enum BuildProducts {
    static var directory: ByteString {
        get throws {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
            guard n > 0, let slash = buffer[..<n].lastIndex(of: UInt8(ascii: "/")) else { throw TestFailure("readlink /proc/self/exe failed") }
            return ByteString(buffer[..<slash])
        }
    }

    static func path(_ name: ByteString) throws -> ByteString {
        let path = try directory.appending(name)
        guard TestFile.exists(path) else { throw TestFailure("\(path.escaped) is missing; build with `swift build --build-tests`") }
        return path
    }

    static var procwardend: ByteString { get throws { try path("procwardend") } }
    static var memfdExec: ByteString { get throws { try path("pw-memfd-exec") } }
}
