/// A setup step of a test failed (a spawn, a file operation, a tool, a wait
/// that timed out); the message says which, so the failure reads as a
/// reason rather than a crash.
public struct TestFailure: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
