import CSystemd
import Glibc
import ProcWardenKit

/// Reads journal entries through the sd_journal API (sd-journal(3)): the
/// local journal, a directory of journal files or single files, with
/// field matches, seeking by realtime, stepping either way, and waiting
/// for new entries. Field values are bytes: journald stores whatever the
/// sender gave, and alert values come from untrusted processes.
///
/// Not thread-safe, like the sd_journal object it wraps.
public final class JournalReader {
    /// Which journal files to read.
    public enum Source: Sendable, Equatable {
        /// The journals of this machine the caller may read:
        /// sd_journal_open(3) with SD_JOURNAL_LOCAL_ONLY, as journalctl does.
        case local
        /// Every journal of this machine the caller may read, remote ones
        /// (/var/log/journal/remote) included: sd_journal_open(3) without
        /// flags, as `journalctl --merge` does.
        case merged
        /// Every journal file in a directory: sd_journal_open_directory(3).
        case directory(String)
        /// These journal files: sd_journal_open_files(3).
        case files([String])
    }

    private let journal: OpaquePointer

    /// Opens `source`. Missing or unreadable paths are reported here with
    /// their errno rather than showing as an empty journal.
    public init(_ source: Source) throws(SystemError) {
        var j: OpaquePointer?
        switch source {
        case .local:
            try SystemCall.negativeErrno("sd_journal_open") { sd_journal_open(&j, Int32(SD_JOURNAL_LOCAL_ONLY)) }
        case .merged:
            try SystemCall.negativeErrno("sd_journal_open") { sd_journal_open(&j, 0) }
        case .directory(let path):
            var st = stat()
            try SystemCall.valueOrErrno("stat \(path)") { stat(path, &st) }
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw SystemError(path, errno: ENOTDIR) }
            try SystemCall.negativeErrno("sd_journal_open") { sd_journal_open_directory(&j, path, 0) }
        case .files(let paths):
            for path in paths { try SystemCall.valueOrErrno("open \(path)") { access(path, R_OK) } }
            var cPaths: [UnsafePointer<CChar>?] = paths.map { UnsafePointer(strdup($0)) } + [nil]
            defer { for p in cPaths { free(UnsafeMutablePointer(mutating: p)) } }
            try SystemCall.negativeErrno("sd_journal_open") { sd_journal_open_files(&j, &cPaths, 0) }
        }
        journal = j!
        // 0 lifts the 64 KiB default, so long messages and paths come back whole.
        _ = sd_journal_set_data_threshold(j, 0)
    }

    deinit { sd_journal_close(journal) }

    /// sd_journal_add_match(3) of `FIELD=value`. Matches on the same field
    /// are alternatives; matches on different fields must all hold.
    public func addMatch(_ field: String, _ value: ByteString) throws(SystemError) {
        let data = Array(field.utf8) + [UInt8(ascii: "=")] + value.bytes
        try SystemCall.negativeErrno("sd_journal_add_match \(field)") {
            data.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
        }
    }

    /// sd_journal_seek_head(3): the next `next()` reads the oldest entry.
    public func seekHead() throws(SystemError) {
        try SystemCall.negativeErrno("sd_journal_seek_head") { sd_journal_seek_head(journal) }
    }

    /// sd_journal_seek_tail(3): the next `previous()` reads the newest entry.
    public func seekTail() throws(SystemError) {
        try SystemCall.negativeErrno("sd_journal_seek_tail") { sd_journal_seek_tail(journal) }
    }

    /// sd_journal_seek_realtime_usec(3): the next `next()` reads the first
    /// entry at or after `microseconds`.
    public func seek(realtime microseconds: UInt64) throws(SystemError) {
        try SystemCall.negativeErrno("sd_journal_seek_realtime_usec") {
            sd_journal_seek_realtime_usec(journal, microseconds)
        }
    }

    /// sd_journal_get_cursor(3): an opaque name of the current entry.
    public func cursor() throws(SystemError) -> String {
        var text: UnsafeMutablePointer<CChar>?
        try SystemCall.negativeErrno("sd_journal_get_cursor") { sd_journal_get_cursor(journal, &text) }
        defer { free(text) }
        return text.map { String(cString: $0) } ?? ""
    }

    /// sd_journal_seek_cursor(3): the next `next()` or `previous()` reads
    /// the entry `cursor` names.
    public func seek(cursor: String) throws(SystemError) {
        try SystemCall.negativeErrno("sd_journal_seek_cursor") { sd_journal_seek_cursor(journal, cursor) }
    }

    /// sd_journal_next(3): false at the end.
    public func next() throws(SystemError) -> Bool {
        try SystemCall.negativeErrno("sd_journal_next") { sd_journal_next(journal) } > 0
    }

    /// sd_journal_previous(3): false at the start.
    public func previous() throws(SystemError) -> Bool {
        try SystemCall.negativeErrno("sd_journal_previous") { sd_journal_previous(journal) } > 0
    }

    /// sd_journal_get_realtime_usec(3) of the current entry.
    public func realtime() throws(SystemError) -> UInt64 {
        var usec: UInt64 = 0
        try SystemCall.negativeErrno("sd_journal_get_realtime_usec") { sd_journal_get_realtime_usec(journal, &usec) }
        return usec
    }

    /// Every field of the current entry in stored order, through
    /// sd_journal_restart_data(3) and
    /// sd_journal_enumerate_available_data(3), which skips a field this
    /// libsystemd cannot decompress instead of failing the entry. A field
    /// that occurs more than once appears once per value.
    public func fields() throws(SystemError) -> [(name: String, value: ByteString)] {
        var out: [(name: String, value: ByteString)] = []
        sd_journal_restart_data(journal)
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            let rc = try SystemCall.negativeErrno("sd_journal_enumerate_available_data") {
                sd_journal_enumerate_available_data(journal, &data, &length)
            }
            guard rc > 0, let data else { break }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            out.append((String(decoding: bytes[..<equals], as: UTF8.self), ByteString(bytes[(equals + 1)...])))
        }
        return out
    }

    /// The value of one field of the current entry, through
    /// sd_journal_get_data(3); nil when the entry lacks it. Cheaper than
    /// `fields()` when a few fields are all that is needed.
    public func field(_ name: String) throws(SystemError) -> ByteString? {
        var data: UnsafeRawPointer?
        var length = 0
        let rc = sd_journal_get_data(journal, name, &data, &length)
        if rc == -ENOENT { return nil }
        try SystemCall.negativeErrno("sd_journal_get_data \(name)") { rc }
        guard let data, length > name.utf8.count else { return nil }
        return ByteString(UnsafeRawBufferPointer(start: data, count: length)[(name.utf8.count + 1)...])
    }

    /// sd_journal_wait(3) up to `timeoutMicroseconds` for the journal to
    /// change; true when it did (new entries, or files added or removed).
    @discardableResult
    public func wait(timeoutMicroseconds: UInt64) throws(SystemError) -> Bool {
        let rc: Int32
        do {
            rc = try SystemCall.negativeErrno("sd_journal_wait") { sd_journal_wait(journal, timeoutMicroseconds) }
        } catch  where error.meansInterrupted {
            // A signal ended the wait early: no change, and the caller gets to check whether to stop.
            return false
        }
        return rc != Int32(SD_JOURNAL_NOP)
    }
}
