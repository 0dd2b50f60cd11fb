/// A test setup step that did not work, with what was tried.
struct AlertTestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
