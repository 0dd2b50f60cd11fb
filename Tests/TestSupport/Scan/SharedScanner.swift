import ProcWardenKit
import Synchronization

/// One long-lived scanner with default limits, as the daemon keeps one, for
/// tests that check classification rather than hashing counters. Its warm
/// cache spares each of them a cold hash of every binary on the machine (the
/// toolchain running the tests is hundreds of MiB). Images the tests start
/// are fresh copies, so they are always hashed anew.
public enum SharedScanner {
    private static let scanner = Mutex(Scanner.forTests())

    public static func scan() -> ScanReport { scanner.withLock { $0.scan() } }
}
