extension ByteString: Codable {
    /// Encoded as a string when valid UTF-8, else as an array of bytes, the
    /// same convention as the JSON report.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) {
            self.init(s)
        } else {
            self.init(try container.decode([UInt8].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let s = utf8String { try container.encode(s) } else { try container.encode(bytes) }
    }
}
