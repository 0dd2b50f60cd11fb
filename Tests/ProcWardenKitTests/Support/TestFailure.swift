/// A setup step of a test failed (a spawn, a file operation, a tool); the
/// message says which, so the failure reads as a reason rather than a crash.
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
