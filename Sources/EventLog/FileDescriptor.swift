#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file that closes exactly once: through ``close()`` or when dropped.
///
/// Every call retries `EINTR` and turns failures into ``LogError`` naming the path.
struct FileDescriptor: ~Copyable {
    private(set) var raw: Int32
    let path: String

    /// Opens `path` with `flags` (and `mode` when creating).
    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(LogError) {
        var fd: Int32
        repeat { fd = Glibc.open(path, flags | O_CLOEXEC, mode) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw LogError.system(.current, "opening", file: path) }
        self.raw = fd
        self.path = path
    }

    deinit { if raw >= 0 { _ = Glibc.close(raw) } }

    /// Closes the file, reporting a failed close (which can hide a failed write-back).
    consuming func close() throws(LogError) {
        let fd = raw
        raw = -1
        if Glibc.close(fd) != 0, errno != EINTR { throw LogError.system(.current, "closing", file: path) }
    }

    /// The file's size in bytes.
    func size() throws(LogError) -> Int {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw LogError.system(.current, "fstat", file: path) }
        return Int(info.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (short only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { break }
            let n = pread(raw, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.system(.current, "reading", file: path, offset: offset + done)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads `count` bytes at `offset` into a new array, shorter at end of file.
    func read(count: Int, at offset: Int) throws(LogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withMutableBytes { (raw) throws(LogError) -> Int in try read(into: raw, at: offset) }
        bytes.removeLast(count - n)
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { break }
            let n = pwrite(raw, base + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.system(.current, "writing", file: path, offset: offset + done)
            }
            if n == 0 {
                throw LogError.system(SystemCallError(rawValue: ENOSPC), "writing", file: path, offset: offset + done)
            }
            done += n
        }
    }

    /// Flushes the file's data (and the metadata needed to read it) to stable storage.
    func syncData() throws(LogError) {
        while fdatasync(raw) != 0 {
            if errno == EINTR { continue }
            throw LogError.system(.current, "fdatasync", file: path)
        }
    }

    /// Flushes data and metadata (used for directories after a create or rename).
    func sync() throws(LogError) {
        while fsync(raw) != 0 {
            if errno == EINTR { continue }
            throw LogError.system(.current, "fsync", file: path)
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(LogError) {
        while ftruncate(raw, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw LogError.system(.current, "truncating", file: path, offset: length)
        }
    }
}

/// Small path and directory helpers over the C library.
enum FileSystem {
    /// `directory/name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    enum Kind { case missing, directory, file, other }

    /// What, if anything, is at `path`.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// The names in `directory`, without "." and "..".
    static func list(_ directory: String) throws(LogError) -> [String] {
        guard let dir = opendir(directory) else { throw LogError.system(.current, "listing the directory", file: directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and missing parents.
    static func makeDirectories(_ path: String) throws(LogError) {
        if kind(path) == .directory { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if kind(prefix) != .directory, mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw LogError.system(.current, "creating the directory", file: prefix)
            }
            prefix += "/"
        }
    }

    /// Makes a create, rename or delete inside `directory` durable.
    static func syncDirectory(_ directory: String) throws(LogError) {
        let fd = try FileDescriptor(path: directory, flags: O_RDONLY | O_DIRECTORY)
        try fd.sync()
        try fd.close()
    }

    /// Renames `from` to `to`.
    static func rename(_ from: String, _ to: String) throws(LogError) {
        guard Glibc.rename(from, to) == 0 else { throw LogError.system(.current, "renaming to \(to)", file: from) }
    }

    /// Removes the file at `path`, ignoring a missing file.
    static func remove(_ path: String) {
        _ = unlink(path)
    }
}
