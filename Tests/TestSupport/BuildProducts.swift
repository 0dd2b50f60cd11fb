import Glibc

/// Executables built next to the test bundle (.build/<triple>/debug), found
/// from /proc/self/exe.
public enum BuildProducts {
    public static var directory: String {
        get throws {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes {
                readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
            }
            guard n > 0, let slash = buffer[..<n].lastIndex(of: UInt8(ascii: "/")) else {
                throw TestFailure("readlink /proc/self/exe failed")
            }
            return String(decoding: buffer[..<slash], as: UTF8.self)
        }
    }

    /// The product `name`, which must have been built.
    public static func path(_ name: String) throws -> String {
        let path = try directory + "/" + name
        guard access(path, X_OK) == 0 else {
            throw TestFailure("\(path) is missing; build with `swift build --build-tests`")
        }
        return path
    }

    public static var procwardend: String { get throws { try path("procwardend") } }
    public static var memfdExec: String { get throws { try path("pw-memfd-exec") } }
}
