/// Holds a benchmark's input between its setup and teardown hooks.
final class DigestFixture {
    var input: DigestInput?
}
