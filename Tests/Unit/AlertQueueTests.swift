import FoundationEssentials
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// The one queue of SPEC §4: rate-limited and undelivered alerts, tokens
/// spent at delivery, the bound, and the late-delivery count.
@Suite struct AlertQueueTests {
    static func alert(_ n: Int, rule: AlertRule = .diskMismatch) -> Alert { AlertDeliveryTests.alert(n, rule: rule) }
    /// Times past every test alert's raise time by more than the late threshold.
    static let later = AlertQueue.lateAfterMicroseconds + 1_000

    /// One delivery round in which journald takes the first `accepted`
    /// alerts released (all by default).
    static func round(_ queue: inout AlertQueue, now: UInt64, accepted: Int = .max) -> (
        release: AlertQueue.Release, delivered: [Int32], late: Int?
    ) {
        let release = queue.release(now: now)
        let n = min(accepted, release.batch.count)
        let late = queue.settle(release, delivered: n, now: now)
        return (release, release.batch.prefix(n).map(\.pid), late)
    }

    @Test func rateLimitDefersOldestFirstAndReportsPerWindow() {
        var queue = AlertQueue(burst: 100, intervalMicroseconds: 1_000)
        let alerts = (0..<300).map { Self.alert($0, rule: $0 % 3 == 0 ? .memfdExec : .diskMismatch) }
        let admission = queue.enqueue(alerts, now: 0)
        #expect(admission == .init(immediate: 100, suppressed: 200))
        let first = Self.round(&queue, now: 0)
        #expect(first.delivered == Array(0..<100))
        #expect(first.release.suppressed.isEmpty)
        #expect(Self.round(&queue, now: 500).delivered.isEmpty, "no tokens left in the window")

        let second = Self.round(&queue, now: 1_000)
        #expect(second.release.suppressed.count == 1)
        #expect(second.release.suppressed.first?.totalDeferred == 200)
        #expect(second.release.suppressed.first?.deferred[.memfdExec] == (100..<300).filter { $0 % 3 == 0 }.count)
        #expect(second.delivered == Array(100..<200))

        let third = Self.round(&queue, now: 2_000)
        #expect(third.release.suppressed.first?.totalDeferred == 100)
        #expect(third.delivered == Array(200..<300))

        let fourth = Self.round(&queue, now: 3_000)
        #expect(fourth.release.suppressed.isEmpty && fourth.delivered.isEmpty)
        #expect(third.late == nil && queue.alerts.isEmpty)
    }

    @Test func newAlertsQueueBehindWaitingOnes() {
        var queue = AlertQueue(burst: 2, intervalMicroseconds: 1_000)
        _ = queue.enqueue([Self.alert(1), Self.alert(2), Self.alert(3)], now: 0)
        #expect(Self.round(&queue, now: 0).delivered == [1, 2])
        let admission = queue.enqueue([Self.alert(4)], now: 1_500)
        #expect(admission == .init(immediate: 1, suppressed: 0), "the new window's second token covers it")
        #expect(Self.round(&queue, now: 1_500).delivered == [3, 4])
    }

    @Test func boundKeepsTheOldestAndCountsDropsPerRule() {
        var queue = AlertQueue(burst: 1, intervalMicroseconds: 1_000_000)
        let n = AlertQueue.bound + 6
        let admission = queue.enqueue(
            (0..<n).map { Self.alert($0, rule: $0 >= AlertQueue.bound + 4 ? .memfdExec : .diskMismatch) }, now: 0)
        #expect(admission == .init(immediate: 1, suppressed: n - 1))
        #expect(queue.alerts.count == AlertQueue.bound)
        #expect(queue.alerts.first?.pid == 0 && queue.alerts.last?.pid == Int32(AlertQueue.bound - 1))
        #expect(queue.droppedTotal == 6)
        _ = Self.round(&queue, now: 0)
        let report = queue.closeForShutdown()
        let later = queue.release(now: 1_000_000)
        #expect(report?.dropped == [.diskMismatch: 4, .memfdExec: 2])
        #expect(report?.totalDeferred == AlertQueue.bound - 1)
        // Reported once: the window's end does not report it again.
        #expect(later.suppressed.isEmpty)
    }

    /// journald takes nothing: no token is spent, the released alerts stay
    /// at the front (held), later ones queue behind, and a window with only
    /// held alerts is not reported as rate limited. Held alerts delivered
    /// more than a second after they were raised are counted once.
    @Test func undeliveredAlertsStayInFrontAndSpendNoToken() {
        let t = Self.later
        var queue = AlertQueue(burst: 3, intervalMicroseconds: 1_000)
        _ = queue.enqueue([Self.alert(1), Self.alert(2)], now: t)
        let refused = Self.round(&queue, now: t, accepted: 0)
        #expect(refused.release.alreadyHeld == 0)
        #expect(queue.held == 2 && queue.alerts.map(\.pid) == [1, 2])
        _ = queue.enqueue([Self.alert(3)], now: t + 10)
        let again = Self.round(&queue, now: t + 20, accepted: 1)
        #expect(again.release.batch.map(\.pid) == [1, 2, 3], "three tokens: nothing was spent")
        #expect(again.release.alreadyHeld == 2, "the caller copies only alert 3 to stderr")
        #expect(again.delivered == [1] && again.late == nil)
        #expect(queue.held == 2 && queue.alerts.map(\.pid) == [2, 3])
        #expect(queue.release(now: t + 1_000).suppressed.isEmpty, "held alerts are not rate limited")

        let drained = Self.round(&queue, now: t + 1_100)
        #expect(drained.delivered == [2, 3])
        #expect(drained.late == 3, "1, 2 and 3 were delivered late")
        #expect(queue.held == 0 && queue.deliveredLate == 0)
        #expect(Self.round(&queue, now: t + 1_200).late == nil, "reported once")
    }

    /// journald's queue full for a moment (EAGAIN) holds alerts back, but
    /// delivering them within a second is not a late delivery.
    @Test func aMomentarilyFullSocketIsNotALateDelivery() {
        var queue = AlertQueue(burst: 10, intervalMicroseconds: 1_000_000)
        _ = queue.enqueue((1...4).map { Self.alert($0) }, now: 0)
        _ = Self.round(&queue, now: 5, accepted: 2)
        #expect(queue.held == 2)
        let drained = Self.round(&queue, now: 900_000)
        #expect(drained.delivered == [3, 4] && drained.late == nil && queue.held == 0)
    }

    /// A token is spent only for what journald took: a window whose
    /// deliveries all failed still has its whole burst.
    @Test func tokensAreSpentAtDeliveryOnly() {
        var queue = AlertQueue(burst: 2, intervalMicroseconds: 1_000)
        _ = queue.enqueue((1...4).map { Self.alert($0) }, now: 0)
        for t in [0, 100, 200] as [UInt64] { _ = Self.round(&queue, now: t, accepted: 0) }
        #expect(Self.round(&queue, now: 300).delivered == [1, 2])
        #expect(Self.round(&queue, now: 400).delivered == [])
        #expect(Self.round(&queue, now: 1_000).delivered == [3, 4])
    }

    @Test func codableRoundTripKeepsHeldAndLateCounts() throws {
        var queue = AlertQueue(burst: 5, intervalMicroseconds: 1_000)
        _ = queue.enqueue((1...3).map { Self.alert($0) }, now: 0)
        _ = Self.round(&queue, now: 0, accepted: 1)
        _ = Self.round(&queue, now: Self.later, accepted: 1)
        let state = MonitorState(queue: queue)
        let decoded = try JSONDecoder().decode(MonitorState.self, from: JSONEncoder().encode(state))
        #expect(decoded.queue == queue)
        #expect(decoded.queue.held == 1 && decoded.queue.deliveredLate == 1)
    }
}
