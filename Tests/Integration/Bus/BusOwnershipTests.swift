import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// Who may own org.procwarden.Monitor1, and the daemon on either bus kind.
@Suite(.serialized) struct BusOwnershipTests {
    static let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    @Test func theShippedPolicyKeepsNobodyFromOwningTheName() throws {
        try withDaemonOnBus(policy: .shipped, name: "squatter", prefix: Self.nobody, wait: false) { squatter, bus in
            let observer = try BusObserver(address: bus.address)

            let refused = Poll.eventually(timeout: .seconds(30)) {
                squatter.stderr.contains(
                    "system bus unavailable (sd_bus_request_name \(BusNames.service): Permission denied)")
            }
            #expect(refused, "\(squatter.stderr)")
            #expect(!observer.monitorHasOwner())
            #expect(squatter.process?.waitForExit(timeout: .zero) == nil, "without its bus name it carries on scanning")
            #expect(squatter.process?.status()["Uid"]?.hasPrefix("65534") == true)

            // Root may own it, squatter or not.
            let daemon = try ProcwardendOnBus(on: bus)
            #expect(try observer.value(.capabilities) == .string("cap_dac_read_search,cap_sys_ptrace=ep"))
            daemon.stop()
            #expect(daemon.stopFailures.isEmpty)
        }
    }

    @Test func anUnprivilegedDaemonSaysItsCoverageIsPartial() throws {
        try withDaemonOnBus(policy: .permissive, prefix: Self.nobody) { daemon, bus in
            let observer = try BusObserver(address: bus.address)

            #expect(daemon.process?.status()["CapEff"] == "0000000000000000")
            #expect(try observer.value(.coverage) == .string("partial"))
            #expect(try observer.value(.capabilities) != .string("cap_dac_read_search,cap_sys_ptrace=ep"))
            // The check is on the caller: root may still call this daemon's methods.
            let reply = try BusCaller(bus).call(BusNames.Method.rescan)
            #expect(BusCaller.unsigned((reply.first as? [Any])?.first) == 2)
            #expect(try observer.value(.coverage) == .string("partial"))
        }
    }

    @Test func withBusUserItServesTheSessionBus() throws {
        try withDaemonOnBus(kind: .user) { daemon, bus in
            let root = BusCaller(bus)

            #expect(try root.property(.version) as? String == ProcWarden.version)
            let reply = try root.call(BusNames.Method.rescan)
            #expect(BusCaller.unsigned((reply.first as? [Any])?.first) == 2)
            #expect(
                try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:66", "boolean:true"]).errorName == nil)
            #expect(try BusCaller.unsigned(root.property(.similarityThreshold)) == 66)
        }
    }
}
