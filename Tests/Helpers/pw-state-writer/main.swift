// Test helper: rewrites a large state file in a tight loop until killed, so a
// test can SIGKILL it at arbitrary instants and check the file is never torn.
// usage: pw-state-writer STATE_DIR BASELINES
import Glibc
import ProcWardenKit

let args = CommandLine.arguments
guard args.count == 3, let count = Int(args[2]) else {
    print("usage: pw-state-writer STATE_DIR BASELINES")
    exit(2)
}
let store = StateStore(directory: args[1])
var state = MonitorState(baselines: BaselineStore(capacity: count + 1))
var generation: UInt64 = 0
while true {
    generation += 1
    for i in 0..<count {
        state.baselines.record(
            BaselineKey(path: ByteString("/usr/bin/tool-\(i)")),
            sha256: String(repeating: "\(generation % 10)", count: 64),
            ssdeep: "3:abc:def", at: generation)
    }
    do {
        try store.save(state)
    } catch {
        print("pw-state-writer: \(error)")
        exit(1)
    }
}
