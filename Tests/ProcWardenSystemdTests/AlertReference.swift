import ProcWardenKit

/// Digests and similarity from the reference command-line tools, which the
/// daemon's must equal.
enum AlertReference {
    /// `sha256sum PATH`.
    static func sha256(_ path: String) throws -> String {
        let run = try ToolRun.run(["sha256sum", "--", path])
        let digest = String(run.stdoutText.drop(while: { $0 == "\\" }).prefix(64))
        guard run.succeeded, digest.count == 64, digest.allSatisfy(\.isHexDigit) else { throw AlertTestFailure(run.summary) }
        return digest
    }

    /// `ssdeep -s PATH`: the second line is `digest,"path"`.
    static func ssdeep(_ path: String) throws -> String {
        let run = try ToolRun.run(["ssdeep", "-s", "--", path])
        let lines = run.stdoutText.split(separator: "\n")
        guard run.succeeded, lines.count >= 2, lines[0].hasPrefix("ssdeep,"), let comma = lines[1].firstIndex(of: ",") else {
            throw AlertTestFailure(run.summary)
        }
        return String(lines[1][..<comma])
    }

    /// `ssdeep -a -d OLD NEW`, which prints `NEW matches OLD (N)`: the
    /// fuzzy_compare score of the two files, 0–100.
    static func similarity(_ old: String, _ new: String) throws -> Int {
        let run = try ToolRun.run(["ssdeep", "-s", "-a", "-d", old, new])
        guard run.succeeded, let open = run.stdoutText.lastIndex(of: "("),
              let close = run.stdoutText.lastIndex(of: ")"), open < close,
              let score = Int(run.stdoutText[run.stdoutText.index(after: open)..<close]) else {
            throw AlertTestFailure(run.summary + run.stdoutText)
        }
        return score
    }
}
