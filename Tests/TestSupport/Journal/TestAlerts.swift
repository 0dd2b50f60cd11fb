import Foundation
import ProcWardenKit

/// Alerts for the tests, with every `PROCWARDEN_*` field set and a dedup
/// key unique to the test run, so each can be found in the journal again.
public enum TestAlerts {
    /// SPEC §3, copied here so the tests check the table, not the code:
    /// rule, MESSAGE_ID, PRIORITY, severity.
    public static let specTable: [(AlertRule, String, Int, String)] = [
        (.diskMismatch, "05674463b65b43e1ae2a10a72f71ccde", 3, "high"),
        (.memfdExec, "b1c8952fe09b4e0da423f4e024ae7712", 3, "high"),
        (.binaryChange, "e22e57dc98644c238f6d977e558ee1b3", 4, "medium"),
        (.binaryUpdate, "f8c57eb5e1524f888bef99885294fc25", 5, "low"),
        (.coverageDegraded, "1014ecde9a324914965e81762eaa5a52", 4, "medium"),
        (.procHidden, "625d01adc3614fe9986035a4bdfe1691", 3, "high"),
        (.libraryMismatch, "b2d5bf46982741a696ac6eb654b95632", 4, "medium"),
        (.untrustedCode, "c2107e26a820438887e619c83cb7e950", 3, "high"),
        (.preload, "3799f046b6c044909d4d2e1c42fad85c", 4, "medium"),
    ]

    public static func uniqueKey() -> String { "pwtest-" + UUID().uuidString.lowercased() }

    public static func make(
        _ rule: AlertRule, pid: Int32 = getpid(), comm: ByteString = "pwtest",
        exe: ByteString = "/usr/bin/pwtest", message: ByteString? = nil, dedupKey: String = uniqueKey()
    ) -> Alert {
        let fields: [Alert.Field] = [
            .init(.dedupKey, ByteString(dedupKey)),
            .init(.pid, ByteString(String(pid))),
            .init(.uid, "0"),
            .init(.comm, comm),
            .init(.exe, exe),
            .init(.exeState, rule == .memfdExec ? "memfd" : "deleted"),
            .init(.sha256, ByteString(String(repeating: "ab", count: 32))),
            .init(.ssdeep, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"),
            .init(.reason, "deleted"),
            .init(.onDiskSha256, ByteString(String(repeating: "cd", count: 32))),
            .init(.baselineSha256, ByteString(String(repeating: "ef", count: 32))),
            .init(.baselineSsdeep, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2D"),
            .init(.similarity, "42"),
            .init(.threshold, "80"),
            .init(.memfdName, "pwtest-memfd"),
            .init(.object, ByteString(ObjectKind.library.rawValue)),
            .init(.library, "/usr/lib/libpwtest.so.1"),
            .init(.preload, "/tmp/libpwtest.so"),
            .init(.processCount, "3"),
        ]
        let text = message ?? ByteString(Array("\(comm.escaped)[\(pid)]: test alert for ".utf8) + exe.bytes)
        return Alert(rule: rule, message: text, pid: pid, fields: fields, raisedAtMicroseconds: 1_700_000_000_000_000)
    }
}
