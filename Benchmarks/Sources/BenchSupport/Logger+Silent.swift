import Logging

extension Logger {
    /// A logger that drops everything: the scanner's per-scan debug lines
    /// would otherwise be part of what is measured.
    public static var silent: Logger {
        Logger(label: "procwarden.bench", factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
