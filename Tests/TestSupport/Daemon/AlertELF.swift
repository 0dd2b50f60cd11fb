/// Finds sections in an ELF64 little-endian file's bytes, so a test can
/// edit a section the loader never maps and still have a runnable binary.
public enum AlertELF {
    /// The file offsets of the section called `name`, from the section
    /// header table (e_shoff, e_shentsize, e_shnum, e_shstrndx) and the
    /// section name string table; nil if there is none.
    public static func section(_ name: String, in bytes: [UInt8]) -> Range<Int>? {
        func integer(_ offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset + size <= bytes.count else { return nil }
            return (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        guard bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46, 2, 1]),
            let tableOffset = integer(0x28, 8), let entrySize = integer(0x3a, 2),
            let count = integer(0x3c, 2), let namesIndex = integer(0x3e, 2),
            let namesOffset = integer(tableOffset + namesIndex * entrySize + 0x18, 8)
        else { return nil }
        for index in 0..<count {
            let header = tableOffset + index * entrySize
            guard let nameOffset = integer(header, 4), let offset = integer(header + 0x18, 8),
                let size = integer(header + 0x20, 8)
            else { return nil }
            let start = namesOffset + nameOffset
            guard start < bytes.count else { continue }
            let sectionName = String(decoding: bytes[start...].prefix { $0 != 0 }, as: UTF8.self)
            if sectionName == name, offset + size <= bytes.count { return offset..<(offset + size) }
        }
        return nil
    }
}
