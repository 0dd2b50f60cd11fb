import Glibc

/// Which file an image is: (st_dev, st_ino). Each is hashed at most once per pass.
public struct ImageKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }
}

extension ImageKey {
    /// From stat(2) output.
    public init(_ st: stat) { self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) }
}
