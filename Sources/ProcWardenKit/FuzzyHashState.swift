/// One ssdeep digest in progress.
public protocol FuzzyHashState: AnyObject {
    /// Feeds bytes; false on failure.
    func update(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// The digest, or nil on failure.
    func finish() -> String?
}
