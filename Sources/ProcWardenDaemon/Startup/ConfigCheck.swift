import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// `procwardend --check-config`: loads the main file and drop-ins and says
/// whether they are valid.
public struct ConfigCheck {
    public var options: DaemonOptions

    public init(options: DaemonOptions) { self.options = options }

    /// 0 when valid (printing the files applied and those masked by
    /// /dev/null), 78 (EX_CONFIG) otherwise.
    public func run() -> Int32 {
        let loader = options.configLoader
        do {
            let (_, files, masked) = try loader.loadListingFiles()
            var line =
                files.isEmpty
                ? "configuration valid (built-in defaults; no files)"
                : "configuration valid: \(files.joined(separator: " "))"
            if !masked.isEmpty { line += " (masked: \(masked.joined(separator: " ")))" }
            print(line)
            return ExitCode.success.code
        } catch {
            Startup.printError(error.description)
            return ExitCode.configuration.code
        }
    }
}
