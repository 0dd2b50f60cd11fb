/// The ssdeep half of the digester. A seam: production uses `LibFuzzy`;
/// tests substitute an engine that fails, to exercise degraded coverage.
public protocol FuzzyHashing: Sendable {
    /// Starts a digest of exactly `totalLength` bytes, or nil on failure.
    func start(totalLength: UInt64) -> (any FuzzyHashState)?
}
