/// The arrays of `BlockHashes` in one allocation, freed with it: digests
/// (64 characters a block size), lengths, piece hashes, half piece hashes
/// and half-digest characters, each one entry a block size.
final class BlockStorage {
    let length: UnsafeMutablePointer<Int>
    let digest: UnsafeMutablePointer<UInt8>
    let piece: UnsafeMutablePointer<UInt8>
    let halfPiece: UnsafeMutablePointer<UInt8>
    let halfDigest: UnsafeMutablePointer<UInt8>
    private let raw: UnsafeMutableRawPointer

    init() {
        let count = BlockHashes.count
        let lengthBytes = count * MemoryLayout<Int>.stride
        let byteCount = lengthBytes + count * (BlockHashes.digestLength + 3)
        raw = .allocate(byteCount: byteCount, alignment: MemoryLayout<Int>.alignment)
        length = raw.initializeMemory(as: Int.self, repeating: 0, count: count)
        let bytes = (raw + lengthBytes).initializeMemory(as: UInt8.self, repeating: 0, count: byteCount - lengthBytes)
        digest = bytes
        piece = bytes + count * BlockHashes.digestLength
        halfPiece = piece + count
        halfDigest = halfPiece + count
        piece.update(repeating: BlockHashes.pieceHashInit, count: 2 * count)
    }

    deinit { raw.deallocate() }
}
