import BenchSupport
import Benchmark
import ProcWardenKit

/// A scratch file and a read buffer of the digester's chunk size, allocated
/// once as each hash worker does.
final class DigestInput {
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

    let file: ScratchFile
    let buffer: UnsafeMutableRawBufferPointer

    var size: UInt64 { UInt64(file.size) }

    init(size: Int) throws(SystemError) {
        file = try ScratchFile(size: size)
        buffer = .allocate(byteCount: ImageDigester().chunkSize, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    func megabytesPerSecond(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        return elapsed > 0 ? Int(Double(file.size) / elapsed / 1e6) : 0
    }
}
