import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// `procwardend --check-config`: loads the main file and drop-ins and says
/// whether they are valid.
public struct ConfigCheck {
    public var options: DaemonOptions

    public init(options: DaemonOptions) { self.options = options }

    /// 0 when valid (printing the files read), 78 (EX_CONFIG) otherwise.
    public func run() -> Int32 {
        let loader = options.configLoader
        do {
            _ = try loader.load()
            let files = try loader.files().filter { access($0, F_OK) == 0 }
            print(
                files.isEmpty
                    ? "configuration valid (built-in defaults; no files)"
                    : "configuration valid: \(files.joined(separator: " "))")
            return ExitCode.success.code
        } catch {
            Startup.printError(error.description)
            return ExitCode.configuration.code
        }
    }
}
