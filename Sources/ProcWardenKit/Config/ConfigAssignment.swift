/// One `Key=Value` line of a configuration file, in a known section.
public struct ConfigAssignment: Sendable, Equatable {
    public var key: ConfigKey
    /// The value with surrounding whitespace removed; may be empty.
    public var value: String
    public var path: String
    /// 1-based; for a continued line, the line it starts on.
    public var line: Int

    public init(key: ConfigKey, value: String, path: String, line: Int) {
        self.key = key
        self.value = value
        self.path = path
        self.line = line
    }
}
