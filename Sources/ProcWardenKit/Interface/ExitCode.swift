/// Exit statuses of procwardend (SPEC §5, §8) and procwardenctl (SPEC §10),
/// from sysexits.h where one fits. The executables, which also import
/// ArgumentParser, name that module's `ExitCode` in full.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    /// procwardend: `--once` raised a high-severity alert, or the daemon
    /// could not start. procwardenctl: the daemon could not carry out the
    /// request, or the journal could not be read.
    case failure = 1
    /// EX_USAGE: a bad option or value (ArgumentParser's own code, too).
    case usage = 64
    /// EX_UNAVAILABLE: no bus, or procwardend is not on it.
    case unavailable = 69
    /// EX_NOPERM: the daemon or the bus policy refused the caller.
    case permission = 77
    /// EX_CONFIG: bad configuration at start or under `--check-config`, or a
    /// reload rejected it.
    case configuration = 78

    public var code: Int32 { rawValue }

    /// The statuses procwardend exits with.
    public static let procwardend: [ExitCode] = [.success, .failure, .configuration]
    /// The statuses procwardenctl exits with.
    public static let procwardenctl: [ExitCode] = allCases
}
