import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// Who may do what (SPEC §9), with calls from nobody
/// (`setpriv --reuid=65534 --regid=65534 --clear-groups`):
/// - behind the shipped policy, dbus-daemon itself refuses the methods, so
///   the daemon's handler never runs;
/// - behind a permissive bus, the daemon's own euid check refuses them;
/// - properties and Introspect stay readable either way.
@Suite(.serialized) struct BusAccessTests {
    /// Calls whose handler, if it ran for nobody, would answer with
    /// something other than the bus's refusal: the handler validates before
    /// it authorizes, so an invalid threshold would be InvalidThreshold and a
    /// relative path NotFound.
    static let probes: [(method: String, args: [String])] = [
        (BusNames.Method.rescan, []),
        (BusNames.Method.setSimilarityThreshold, ["uint32:50", "boolean:false"]),
        (BusNames.Method.setSimilarityThreshold, ["uint32:0", "boolean:true"]),
        (BusNames.Method.reload, []),
        (BusNames.Method.resetBaseline, ["string:/bin/sleep"]),
        (BusNames.Method.resetBaseline, ["string:relative/path"]),
        (BusNames.Method.listExecutables, []),
        (BusNames.Method.listObjects, []),
        (BusNames.Method.listRestartNeeded, []),
    ]

    @Test func theShippedPolicyStopsNobodyAtTheBus() throws {
        try withDaemonOnBus { daemon, bus in
            let nobody = BusCaller(bus, as: .nobody)
            let observer = try BusObserver(address: bus.address)
            let threshold = try observer.value(.similarityThreshold)
            let lastScan = try observer.value(.lastScanTimestamp)
            let daemonOutput = daemon.stderr

            for probe in Self.probes {
                let outcome = try nobody.send(probe.method, probe.args)
                #expect(outcome.errorName == BusNames.Error.accessDenied, "\(probe.method) \(probe.args): \(outcome)")
                // The refusal is dbus-daemon's, naming the rule it applied.
                let message = outcome.errorMessage ?? ""
                #expect(message.hasPrefix("Rejected send message"), "\(message)")
                #expect(message.contains("uid=65534") && message.contains("member=\"\(probe.method)\""), "\(message)")
            }
            // busctl, as an operator would see it, is refused the same way.
            let run = try nobody.busctl([
                "call", BusNames.service, BusNames.objectPath, BusNames.interface,
                BusNames.Method.setSimilarityThreshold, "ub", "50", "false",
            ])
            #expect(!run.succeeded && run.stderrText.contains("Access denied"), "\(run.summary)")

            // The handlers never ran: nothing changed, no scan, nothing logged, no signal.
            observer.pump(for: .milliseconds(500))
            #expect(try observer.value(.similarityThreshold) == threshold)
            #expect(try observer.value(.lastScanTimestamp) == lastScan)
            #expect(observer.signals.isEmpty, "\(observer.signals)")
            #expect(daemon.stderr == daemonOutput)
            try expectPropertiesReadable(by: nobody)

            // Root passes the same policy.
            #expect(
                try BusCaller(bus).send(BusNames.Method.setSimilarityThreshold, ["uint32:50", "boolean:true"]).errorName
                    == nil)
            #expect(try observer.value(.similarityThreshold) == .uint32(50))
        }
    }

    @Test func withoutBusPolicyTheDaemonRefusesNobodyItself() throws {
        try withDaemonOnBus(policy: .permissive) { daemon, bus in
            let nobody = BusCaller(bus, as: .nobody)
            let observer = try BusObserver(address: bus.address)
            let threshold = try observer.value(.similarityThreshold)
            let lastScan = try observer.value(.lastScanTimestamp)

            for probe in Self.probes {
                let outcome = try nobody.send(probe.method, probe.args)
                switch (probe.method, probe.args.first) {
                case (BusNames.Method.setSimilarityThreshold, "uint32:0"):
                    // parse → validate → authorize: validation answers first.
                    #expect(outcome.errorName == BusNames.Error.invalidThreshold, "\(outcome)")
                case (BusNames.Method.resetBaseline, "string:relative/path"):
                    #expect(outcome.errorName == BusNames.Error.notFound, "\(outcome)")
                default:
                    #expect(
                        outcome == .error(name: BusNames.Error.accessDenied, message: "only root may call this method"),
                        "\(probe.method) \(probe.args)")
                }
            }
            observer.pump(for: .milliseconds(500))
            #expect(try observer.value(.similarityThreshold) == threshold)
            #expect(try observer.value(.lastScanTimestamp) == lastScan, "a refused Rescan must not scan")
            #expect(observer.scanCompletedIDs.isEmpty)
            #expect(observer.announced(.similarityThreshold).isEmpty)
            try expectPropertiesReadable(by: nobody)

            // What counts is the effective uid the caller connected with
            // (SO_PEERCRED, as the bus reports it), not the real one.
            let euidNobody = try BusCaller(bus, as: .effectiveNobody)
                .send(BusNames.Method.setSimilarityThreshold, ["uint32:51", "boolean:true"])
            #expect(euidNobody == .error(name: BusNames.Error.accessDenied, message: "only root may call this method"))
            let ruidNobody = try BusCaller(bus, as: .realNobody)
                .send(BusNames.Method.setSimilarityThreshold, ["uint32:52", "boolean:true"])
            #expect(ruidNobody.errorName == nil, "\(ruidNobody)")
            #expect(try observer.value(.similarityThreshold) == .uint32(52))
        }
    }

    /// Every property through busctl get-property, and Introspect.
    func expectPropertiesReadable(by caller: BusCaller) throws {
        for p in BusNames.Property.allCases {
            let run = try caller.busctl([
                "get-property", BusNames.service, BusNames.objectPath, BusNames.interface, p.rawValue,
            ])
            #expect(run.succeeded && run.stdoutText.hasPrefix(p.signature + " "), "\(p.rawValue): \(run.summary)")
        }
        #expect(try caller.property(.version) as? String == ProcWarden.version)
        let introspect = try caller.send("Introspect", interface: "org.freedesktop.DBus.Introspectable")
        #expect(introspect.errorName == nil && introspect.description.contains(BusNames.interface), "\(introspect)")
    }
}
