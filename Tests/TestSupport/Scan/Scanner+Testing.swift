import Logging
import ProcWardenKit

extension Scanner {
    /// A fresh scanner on the live /proc: an empty digest cache, nothing pending.
    public static func forTests(_ limits: ScanLimits = ScanLimits()) -> Scanner {
        Scanner(limits: limits, logger: Logger(label: "test"))
    }
}
