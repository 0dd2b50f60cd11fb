import ProcWardenTestSupport

extension ChildProcess {
    /// /proc/<pid>/stat as read now, independently of the scanner.
    var liveStat: LiveStat? { LiveStat(pid: pid) }
}
