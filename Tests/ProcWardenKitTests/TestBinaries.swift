import Foundation

/// Locates executables built by this package (helpers and the products),
/// next to the test bundle in the build directory.
enum TestBinaries {
    static var directory: URL {
        var url = Bundle.main.bundleURL
        // swift-testing runs inside <build>/debug/...xctest or the runner; walk up to the dir holding products.
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("procwardend").path) { return url }
            url.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    static func path(_ name: String) -> String? {
        let candidate = directory.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}
