import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

@Suite struct AlertDeliveryTests {
    static func alert(_ n: Int, rule: AlertRule = .diskMismatch) -> Alert {
        Alert(
            rule: rule, message: ByteString("alert \(n)"), pid: Int32(n),
            fields: [.init(.dedupKey, ByteString("key-\(n)"))], raisedAtMicroseconds: UInt64(n))
    }

    @Test func dedupAdmitsOncePerWindow() {
        var dedup = AlertDeduplicator(windowMicroseconds: 1_000)
        let answers = [
            dedup.admit(Self.alert(1), now: 10),
            dedup.admit(Self.alert(1), now: 500),
            dedup.admit(Self.alert(2), now: 500),
            dedup.admit(Self.alert(1), now: 1_010),
        ]
        #expect(answers == [true, false, true, true])
        var none = AlertDeduplicator(windowMicroseconds: 0)
        let both = [none.admit(Self.alert(1), now: 1), none.admit(Self.alert(1), now: 1)]
        #expect(both == [true, true])
    }

    @Test func baselineStoreEvictsLeastRecentlySeen() {
        var store = BaselineStore(capacity: 3)
        for i in 0..<3 {
            store.record(BaselineKey(path: ByteString("/b/\(i)")), sha256: "s", ssdeep: nil, at: UInt64(i))
        }
        store.touch(BaselineKey(path: "/b/0"), at: 10)
        store.record(BaselineKey(path: "/b/3"), sha256: "s", ssdeep: nil, at: 11)
        store.evictIfNeeded()
        #expect(store.count == 3)
        #expect(store[BaselineKey(path: "/b/1")] == nil)
        #expect(store[BaselineKey(path: "/b/0")] != nil)
    }
}
