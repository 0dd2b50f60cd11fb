/// The persisted form is a versioned document whose setting names are the
/// configuration keys:
/// `{"settings":{"SimilarityThreshold":70},"version":1}`.
/// Decoding rejects another version and out-of-range values, so a file
/// written by a newer daemon, or edited by hand into nonsense, is never
/// half-applied.
extension SettingsOverrides: Codable {
    enum CodingKeys: String, CodingKey {
        case version
        case settings
    }

    enum SettingKeys: String, CodingKey {
        case similarityThreshold = "SimilarityThreshold"
    }

    public init(from decoder: any Decoder) throws {
        let document = try decoder.container(keyedBy: CodingKeys.self)
        let version = try document.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: document,
                debugDescription: "unknown version \(version), expected \(Self.formatVersion)")
        }
        let settings = try document.nestedContainer(keyedBy: SettingKeys.self, forKey: .settings)
        self.init(similarityThreshold: try settings.decodeIfPresent(Int.self, forKey: .similarityThreshold))
        if let similarityThreshold {
            do {
                try ConfigKey.similarityThreshold.validate(similarityThreshold)
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .similarityThreshold, in: settings,
                    debugDescription: error.description)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var document = encoder.container(keyedBy: CodingKeys.self)
        try document.encode(Self.formatVersion, forKey: .version)
        var settings = document.nestedContainer(keyedBy: SettingKeys.self, forKey: .settings)
        try settings.encodeIfPresent(similarityThreshold, forKey: .similarityThreshold)
    }
}
