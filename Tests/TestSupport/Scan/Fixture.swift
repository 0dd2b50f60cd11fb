import Foundation

/// Files under Fixtures/, which SwiftPM copies into the test bundle.
public enum Fixture {
    public static var directory: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw TestFailure("the Fixtures resource directory is missing from the test bundle")
            }
            return url
        }
    }

    public static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A fake /proc with pids 2 (kthreadd), 77 (zombie), 1234 (no exe link),
    /// 999 (garbage stat) and a non-numeric entry.
    public static var procRoot: String { get throws { try directory.appendingPathComponent("proc").path } }
}
