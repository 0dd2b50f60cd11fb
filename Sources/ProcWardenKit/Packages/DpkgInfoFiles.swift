/// Parsers of dpkg's per-package info files in `<admindir>/info/`.
public enum DpkgInfoFiles {
    /// Calls `body` with each path of `<pkg>.list` (one absolute path per
    /// line, directories included), in place.
    public static func forEachListedPath(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if bytes[start] == UInt8(ascii: "/") { body(bytes[start..<end]) }
            start = end + 1
        }
    }

    /// The MD5 recorded for `path` in `<pkg>.md5sums` (lines of 32 hex
    /// digits, two spaces, the path without its leading `/`); nil when the
    /// file has no valid line for it.
    public static func md5(of path: ByteString, inMd5sums bytes: [UInt8]) -> String? {
        let relative = Array(path.bytes.drop { $0 == UInt8(ascii: "/") })
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard line.count > 34 else { continue }
            let digest = line.prefix(32)
            var rest = line.dropFirst(32)
            guard rest.first == UInt8(ascii: " ") else { continue }
            rest = rest.drop { $0 == UInt8(ascii: " ") }
            // Some md5sums files hold absolute paths; accept both.
            rest = rest.drop { $0 == UInt8(ascii: "/") }
            guard rest.elementsEqual(relative), digest.allSatisfy(Self.isLowerHex) else { continue }
            return String(decoding: digest, as: UTF8.self)
        }
        return nil
    }

    /// Lines of a `<pkg>.md5sums` that are not 32 lowercase hex digits,
    /// white space and a path: a damaged file.
    public static func malformedMd5sumsLines(_ bytes: [UInt8]) -> Int {
        bytes.split(separator: UInt8(ascii: "\n")).count { line in
            line.count <= 34 || !line.prefix(32).allSatisfy(Self.isLowerHex)
                || line.dropFirst(32).first != UInt8(ascii: " ")
        }
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// One entry of `diversions`: files of other packages at `from` are put
    /// at `to` instead, and `from` belongs to `package` (`:` for a local
    /// diversion made by the admin).
    public struct Diversion: Sendable, Equatable {
        public var from: ByteString
        public var to: ByteString
        public var package: String

        public var isLocal: Bool { package == ":" }
    }

    /// `diversions`: groups of three lines (from, to, package). A trailing
    /// incomplete group is ignored.
    public static func diversions(_ bytes: [UInt8]) -> [Diversion] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var result: [Diversion] = []
        var i = 0
        while i + 2 < lines.count {
            let (from, to, package) = (lines[i], lines[i + 1], lines[i + 2])
            i += 3
            guard from.first == UInt8(ascii: "/"), to.first == UInt8(ascii: "/"), !package.isEmpty else { continue }
            result.append(
                Diversion(
                    from: ByteString(Array(from)), to: ByteString(Array(to)),
                    package: String(decoding: package, as: UTF8.self)))
        }
        return result
    }
}
