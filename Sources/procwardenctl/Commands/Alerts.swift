import ArgumentParser
import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// `alerts`: procwarden's alert entries read back with the sd_journal API.
struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show procwarden alerts from the journal.",
        discussion: """
            Reads entries with SYSLOG_IDENTIFIER=procwardend and a PROCWARDEN_RULE field through the \
            sd_journal API, from the local journal or from journal files shipped from other hosts. \
            TIME is in journalctl's formats: now, today, yesterday, tomorrow, -1h, +30min, '5min ago', \
            '2026-11-26 10:00:00', '2026-11-26 10:00', 2026-11-26, 10:00 (today), @EPOCH; local time \
            unless it ends in UTC. On a collector of systemd-journal-remote, --directory \
            /var/log/journal/remote reads every host's alerts; --host picks hosts by _HOSTNAME and \
            --summary counts alerts per host and rule.
            """
    )

    // .unconditional: `--since -1h` takes "-1h" as the value, as getopt does.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only alerts at or after TIME.", valueName: "time"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only alerts at or before TIME.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Only alerts of this rule.", valueName: "rule"))
    var rule: AlertRule?

    @Option(
        help: ArgumentHelp("Only alerts of this severity or a higher one (low < medium < high).", valueName: "severity")
    )
    var severity: Severity?

    @Option(
        name: [.customShort("n"), .customLong("lines")],
        help: ArgumentHelp("Only the newest N matching alerts.", valueName: "N"))
    var lines: Int?

    @Flag(
        name: [.customShort("f"), .customLong("follow")],
        help: "Keep printing new alerts as they arrive, until interrupted (the newest 10 first, unless -n or --since).")
    var follow = false

    @Flag(help: "Print one JSON object per alert and line (JSON Lines).")
    var json = false

    @Option(
        name: [.customShort("D"), .customLong("directory")],
        help: ArgumentHelp("Read the journal files in this directory instead of the local journal.", valueName: "dir"))
    var directory: String?

    @Option(
        name: .customLong("file"),
        help: ArgumentHelp("Read this journal file instead of the local journal; may be repeated.", valueName: "file"))
    var files: [String] = []

    @Flag(
        help:
            "Read remote journals too (/var/log/journal/remote), interleaved with the local one, as journalctl --merge."
    )
    var merge = false

    @Option(
        name: .customLong("host"),
        help: ArgumentHelp("Only alerts from this host (_HOSTNAME); may be repeated.", valueName: "name"))
    var hosts: [String] = []

    @Flag(help: "One row per host and rule: count, highest severity and newest time.")
    var summary = false

    func validate() throws {
        if directory != nil && !files.isEmpty { throw ValidationError("--directory and --file cannot be combined") }
        if merge && (directory != nil || !files.isEmpty) {
            throw ValidationError(
                "--merge reads this machine's journals; it cannot be combined with --directory or --file")
        }
        if summary && (follow || lines != nil) {
            throw ValidationError("--summary cannot be combined with --follow or -n")
        }
        if follow && until != nil { throw ValidationError("--follow and --until cannot be combined") }
        if let lines, lines < 0 { throw ValidationError("invalid -n '\(lines)'; use 0 or more") }
    }

    func run() throws {
        let now = WallClock.microseconds()
        var query = JournalAlertQuery(rule: rule, minimumSeverity: severity, limit: lines, hosts: hosts)
        query.since = try since.map { text throws(CtlFailure) in try Self.time(text, option: "--since", now: now) }
        query.until = try until.map { text throws(CtlFailure) in try Self.time(text, option: "--until", now: now) }
        if follow && query.limit == nil && query.since == nil { query.limit = 10 }

        let source: JournalReader.Source =
            directory.map { .directory($0) } ?? (files.isEmpty ? (merge ? .merged : .local) : .files(files))
        let place =
            switch source {
            case .local, .merged: "the journal"
            case .directory(let path): "the journal in \(path)"
            case .files(let paths): "the journal files \(paths.joined(separator: ", "))"
            }
        if source == .local || source == .merged, let hint = Self.accessHint() { Self.warn(hint) }
        if summary {
            let counted: AlertSummary
            do {
                counted = try JournalReader.summary(source, query)
            } catch {
                throw CtlFailure("cannot read \(place) (\(error)); check the path and that you may read it")
            }
            if json { for row in counted.rows { Output.json(row.json) } } else { counted.lines.forEach(Output.line) }
            return
        }
        let reader: JournalReader
        do {
            reader = try JournalReader(source)
            try reader.addMatches(for: query)
        } catch {
            throw CtlFailure("cannot open \(place) (\(error)); check the path and that you may read it")
        }

        do {
            for alert in try reader.alerts(query) { emit(alert) }
            guard follow else { return }
            Output.flush()
            let signals = Self.blockTerminationSignals()
            try reader.follow(
                query, shouldStop: { Self.pending(signals) },
                deliver: { alert in
                    emit(alert)
                    Output.flush()
                })
        } catch {
            throw CtlFailure("cannot read the journal: \(error)")
        }
    }

    private func emit(_ alert: JournalAlert) {
        if json { Output.json(alert.json) } else { Output.line(alert.line) }
    }

    private static func time(_ text: String, option: String, now: UInt64) throws(CtlFailure) -> UInt64 {
        guard let value = JournalTime.parse(text, now: now) else {
            throw .invalid(
                "invalid time '\(text)' for \(option); use e.g. '2026-11-26 10:00:00', '10:00', "
                    + "yesterday or -1h")
        }
        return value
    }

    /// Without root or the systemd-journal or adm group, sd_journal shows
    /// only the caller's own journal: say so, as journalctl does.
    private static func accessHint() -> String? {
        guard geteuid() != 0 else { return nil }
        var groups = [gid_t](repeating: 0, count: max(0, Int(getgroups(0, nil))))
        let count = groups.withUnsafeMutableBufferPointer { getgroups(Int32($0.count), $0.baseAddress) }
        var mine = Set(groups.prefix(max(0, Int(count))))
        mine.insert(getegid())
        for name in ["systemd-journal", "adm"] {
            if let group = getgrnam(name), mine.contains(group.pointee.gr_gid) { return nil }
        }
        return "alerts in the system journal are not visible to this user; run as root or join group systemd-journal"
    }

    private static func warn(_ message: String) {
        let line = "procwardenctl: \(message)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// SIGINT and SIGTERM end --follow cleanly (exit 0): they are blocked
    /// and polled between waits instead of killing the process mid-line.
    private static func blockTerminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_BLOCK, &set, nil)
        return set
    }

    private static func pending(_ signals: sigset_t) -> Bool {
        var pending = sigset_t()
        sigpending(&pending)
        var watched = signals
        return sigismember(&pending, SIGINT) == 1
            || (sigismember(&pending, SIGTERM) == 1 && sigismember(&watched, SIGTERM) == 1)
    }
}
