/// What a process asks the dynamic loader to load before everything else
/// (ld.so(8)): `LD_PRELOAD` in its initial environment and the system-wide
/// `/etc/ld.so.preload` of its root. Parsing only; reading the files and the
/// rules about them are the scanner's and the rules engine's.
public enum Preload {
    static let variable = Array("LD_PRELOAD=".utf8)
    /// The system-wide list, relative to a process's root.
    public static let systemFile = "/etc/ld.so.preload"
    /// More than any real list; the rest of a larger file is not read.
    static let systemFileLimit = 64 << 10

    /// The value of `LD_PRELOAD` in the contents of /proc/<pid>/environ
    /// (NUL-separated `NAME=value`), as the process started with it; nil when
    /// unset. An empty value is unset too: the loader loads nothing.
    /// The first assignment counts, as in getenv(3).
    public static func value(inEnviron environ: [UInt8]) -> ByteString? {
        for entry in environ.split(separator: 0, omittingEmptySubsequences: true)
        where entry.starts(with: variable) {
            let value = entry.dropFirst(variable.count)
            return value.isEmpty ? nil : ByteString(Array(value))
        }
        return nil
    }

    /// The objects a preload list names: ld.so splits `LD_PRELOAD` at
    /// spaces and colons, and /etc/ld.so.preload at any white space and
    /// colons. Empty items are dropped.
    public static func objects(in list: ByteString) -> [ByteString] {
        let separators: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "\t"), UInt8(ascii: "\n")]
        return list.bytes.split(omittingEmptySubsequences: true) { separators.contains($0) }.map {
            ByteString(Array($0))
        }
    }
}
