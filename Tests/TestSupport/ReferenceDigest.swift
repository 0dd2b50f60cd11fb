import ProcWardenKit

/// Digests and similarity from the reference command-line tools, which the
/// scanner's own must equal byte for byte.
public enum ReferenceDigest {
    /// `sha256sum PATH`: the 64 hex digits before the file name (after a
    /// backslash when the name needed escaping).
    public static func sha256(_ path: ByteString) throws -> String {
        let run = try ToolRun.run(["sha256sum", "--", path])
        let digest = String(run.stdoutText.drop(while: { $0 == "\\" }).prefix(64))
        guard run.succeeded, digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
            throw TestFailure("sha256sum printed \(run.stdoutText); \(run.summary)")
        }
        return digest
    }

    public static func sha256(_ path: String) throws -> String { try sha256(ByteString(path)) }

    /// `ssdeep -s PATH`: the second line is `digest,"path"`.
    public static func ssdeep(_ path: ByteString) throws -> String {
        let run = try ToolRun.run(["ssdeep", "-s", "--", path])
        let lines = run.stdoutText.split(separator: "\n")
        guard run.succeeded, lines.count >= 2, lines[0].hasPrefix("ssdeep,"), let comma = lines[1].firstIndex(of: ",")
        else {
            throw TestFailure("ssdeep printed \(run.stdoutText); \(run.summary)")
        }
        return String(lines[1][..<comma])
    }

    public static func ssdeep(_ path: String) throws -> String { try ssdeep(ByteString(path)) }

    /// `ssdeep -a -d OLD NEW`, which prints `NEW matches OLD (N)`: the
    /// fuzzy_compare score of the two files, 0–100.
    public static func similarity(_ old: String, _ new: String) throws -> Int {
        let run = try ToolRun.run(["ssdeep", "-s", "-a", "-d", old, new])
        guard run.succeeded, let open = run.stdoutText.lastIndex(of: "("),
            let close = run.stdoutText.lastIndex(of: ")"), open < close,
            let score = Int(run.stdoutText[run.stdoutText.index(after: open)..<close])
        else {
            throw TestFailure("ssdeep printed \(run.stdoutText); \(run.summary)")
        }
        return score
    }
}
