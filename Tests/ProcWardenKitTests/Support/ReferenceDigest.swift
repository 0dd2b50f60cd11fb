import ProcWardenKit

/// Digests computed by the reference command-line tools, which the scanner's
/// own digests must equal byte for byte.
enum ReferenceDigest {
    /// `sha256sum PATH`: the 64 hex digits before the file name (after a
    /// backslash when the name needed escaping).
    static func sha256(_ path: ByteString) throws -> String {
        let text = try Command.output(["sha256sum", "--", path]).stdoutText
        let digest = String(text.drop(while: { $0 == "\\" }).prefix(64))
        guard digest.count == 64, digest.allSatisfy(\.isHexDigit) else { throw TestFailure("sha256sum printed \(text)") }
        return digest
    }

    /// `ssdeep -s PATH`: the second line is `digest,"path"`.
    static func ssdeep(_ path: ByteString) throws -> String {
        let text = try Command.output(["ssdeep", "-s", "--", path]).stdoutText
        let lines = text.split(separator: "\n")
        guard lines.count >= 2, lines[0].hasPrefix("ssdeep,"), let comma = lines[1].firstIndex(of: ",") else {
            throw TestFailure("ssdeep printed \(text)")
        }
        return String(lines[1][..<comma])
    }
}
