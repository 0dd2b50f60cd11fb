/// A configuration that cannot be used, with where the problem is.
///
/// Its description is one line naming `file:line`, the key, the value and
/// the valid values, e.g.
/// `/etc/procwarden/procwarden.conf:12: SimilarityThreshold=100 is out of range (valid: 1–99)`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// EX_CONFIG from sysexits.h: the exit status of `procwardend` when its
    /// configuration is bad at start or under `--check-config` (SPEC §5).
    public static let exitCode = ExitCode.configuration.code

    /// The file, or nil for a value that came from elsewhere (a D-Bus call).
    public var path: String?
    /// 1-based line number; nil when the problem concerns the whole file.
    public var line: Int?
    public var problem: ConfigProblem

    public init(path: String?, line: Int? = nil, problem: ConfigProblem) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    public var description: String {
        switch (path, line) {
        case (let path?, let line?): "\(path.controlCharactersEscaped):\(line): \(problem)"
        case (let path?, nil): "\(path.controlCharactersEscaped): \(problem)"
        case (nil, _): problem.description
        }
    }
}
