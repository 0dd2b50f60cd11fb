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

    @Test func rateLimitDefersOldestFirstAndReportsPerWindow() {
        var limiter = AlertRateLimiter(burst: 100, intervalMicroseconds: 1_000)
        let alerts = (0..<300).map { Self.alert($0, rule: $0 % 3 == 0 ? .memfdExec : .diskMismatch) }
        let first = limiter.submit(alerts, now: 0)
        #expect(first.deliver.map(\.pid) == Array(0..<100))
        #expect(first.newlySuppressed == 200)
        #expect(first.suppressed.isEmpty)

        let second = limiter.tick(now: 1_000)
        #expect(second.suppressed.count == 1)
        #expect(second.suppressed.first?.totalDeferred == 200)
        #expect(second.suppressed.first?.deferred[.memfdExec] == (100..<300).filter { $0 % 3 == 0 }.count)
        #expect(second.deliver.map(\.pid) == Array(100..<200))

        let third = limiter.tick(now: 2_000)
        #expect(third.suppressed.first?.totalDeferred == 100)
        #expect(third.deliver.map(\.pid) == Array(200..<300))

        let fourth = limiter.tick(now: 3_000)
        #expect(fourth.suppressed.isEmpty && fourth.deliver.isEmpty)
    }

    @Test func newAlertsQueueBehindDeferredOnes() {
        var limiter = AlertRateLimiter(burst: 2, intervalMicroseconds: 1_000)
        _ = limiter.submit([Self.alert(1), Self.alert(2), Self.alert(3)], now: 0)
        let out = limiter.submit([Self.alert(4)], now: 1_500)
        #expect(out.deliver.map(\.pid) == [3, 4])
    }

    @Test func queueIsBoundedAndDropsAreCounted() {
        var limiter = AlertRateLimiter(burst: 1, intervalMicroseconds: 1_000_000)
        let n = AlertRateLimiter.queueBound + 6
        let out = limiter.submit((0..<n).map { Self.alert($0) }, now: 0)
        #expect(out.deliver.count == 1)
        #expect(limiter.queue.count == AlertRateLimiter.queueBound)
        #expect(limiter.droppedTotal == 5)
        let report = limiter.closeForShutdown()
        let later = limiter.tick(now: 1_000_000)
        #expect(report?.totalDropped == 5)
        #expect(report?.totalDeferred == AlertRateLimiter.queueBound)
        // Reported once: the window's end does not report it again.
        #expect(later.suppressed.isEmpty)
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
