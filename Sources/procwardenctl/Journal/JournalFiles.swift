import Glibc
import ProcWardenKit

/// The journal files sd_journal_open_directory(3) reads in a directory: the
/// `*.journal` and `*.journal~` files in it and in its machine-ID
/// subdirectories (`<id>`, `<id>.<namespace>`), in byte order.
enum JournalFiles {
    static func list(_ directory: String) throws(SystemError) -> [String] {
        var files: [String] = []
        for (name, isDirectory) in try entries(directory) {
            let path = directory + "/" + name
            if isDirectory {
                guard isMachineIDDirectory(name) else { continue }
                files += try entries(path).filter { !$0.isDirectory && isJournal($0.name) }.map { path + "/" + $0.name }
            } else if isJournal(name) {
                files.append(path)
            }
        }
        return files
    }

    private static func isJournal(_ name: String) -> Bool {
        name.hasSuffix(".journal") || name.hasSuffix(".journal~")
    }

    private static func isMachineIDDirectory(_ name: String) -> Bool {
        let id = name.split(separator: ".", maxSplits: 1).first ?? ""
        return id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func entries(_ directory: String) throws(SystemError) -> [(name: String, isDirectory: Bool)] {
        let dir = try SystemCall.pointerOrErrno("opendir \(directory)") { opendir(directory) }
        defer { closedir(dir) }
        var found: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            guard bytes.first != UInt8(ascii: "."), let name = String(validating: bytes, as: UTF8.self) else {
                continue
            }
            var st = stat()
            guard stat(directory + "/" + name, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            guard type == S_IFDIR || type == S_IFREG else { continue }
            found.append((name, type == S_IFDIR))
        }
        return found.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}
