extension ChildProcess {
    /// /proc/<pid>/stat as read now, independently of the scanner.
    public var liveStat: LiveStat? { LiveStat(pid: pid) }
}
