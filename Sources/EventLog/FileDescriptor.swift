#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file that closes exactly once: through ``close()`` or when dropped.
///
/// Every call goes through its ``FileIO`` and turns failures into ``LogError`` naming the path.
struct FileDescriptor: ~Copyable {
    private(set) var raw: Int32
    /// The file's path (what errors name); follows a rename the owner makes.
    var path: String
    let io: any FileIO

    /// Opens `path` with `flags` (and `mode` when creating).
    init(path: String, flags: Int32, mode: UInt32 = 0o644, io: any FileIO) throws(LogError) {
        do {
            self.raw = try io.open(path, flags: flags, mode: mode)
        } catch {
            throw LogError.system(error, "opening", file: path)
        }
        self.path = path
        self.io = io
    }

    deinit { if raw >= 0 { try? io.close(raw) } }

    /// Closes the file, reporting a failed close (which can hide a failed write-back).
    consuming func close() throws(LogError) {
        let fd = raw
        raw = -1
        do { try io.close(fd) } catch { throw LogError.system(error, "closing", file: path) }
    }

    /// The file's size in bytes.
    func size() throws(LogError) -> Int {
        do { return try io.size(raw) } catch { throw LogError.system(error, "fstat", file: path) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (short only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n: Int
            do {
                n = try io.read(raw, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + done)
            } catch {
                throw LogError.system(error, "reading", file: path, offset: offset + done)
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
            let n: Int
            do {
                n = try io.write(raw, UnsafeRawBufferPointer(rebasing: bytes[done...]), at: offset + done)
            } catch {
                throw LogError.system(error, "writing", file: path, offset: offset + done)
            }
            if n == 0 {
                throw LogError.system(SystemCallError(rawValue: ENOSPC), "writing", file: path, offset: offset + done)
            }
            done += n
        }
    }

    /// Flushes the file's data (and the metadata needed to read it) to stable storage.
    func syncData() throws(LogError) {
        do { try io.syncData(raw) } catch { throw LogError.system(error, "fdatasync", file: path) }
    }

    /// Flushes data and metadata (used for directories after a create or rename).
    func sync() throws(LogError) {
        do { try io.sync(raw) } catch { throw LogError.system(error, "fsync", file: path) }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(LogError) {
        do { try io.truncate(raw, to: length) } catch {
            throw LogError.system(error, "truncating", file: path, offset: length)
        }
    }
}

/// Path and directory helpers over a ``FileIO``.
enum FileSystem {
    /// `directory/name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory holding `path` ("." for a bare name).
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// The names in `directory`, without "." and "..".
    static func list(_ directory: String, io: any FileIO) throws(LogError) -> [String] {
        do { return try io.list(directory) } catch { throw LogError.system(error, "listing the directory", file: directory) }
    }

    /// Creates `path` and missing parents; each directory created is synced into its parent, so
    /// a power loss cannot take away a directory that files were already made durable in.
    static func makeDirectories(_ path: String, io: any FileIO) throws(LogError) {
        if io.kind(path) == .directory { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if io.kind(prefix) != .directory {
                do {
                    try io.makeDirectory(prefix)
                    try syncDirectory(parent(of: prefix), io: io)
                } catch let error as SystemCallError where error.rawValue == EEXIST {
                    // Made by someone else meanwhile.
                } catch let error as SystemCallError {
                    throw LogError.system(error, "creating the directory", file: prefix)
                } catch let error as LogError {
                    throw error
                } catch {
                    throw LogError(code: .io, message: "creating the directory failed: \(error)", file: prefix, cause: error)
                }
            }
            prefix += "/"
        }
    }

    /// Makes a create, rename or delete inside `directory` durable.
    static func syncDirectory(_ directory: String, io: any FileIO) throws(LogError) {
        let fd = try FileDescriptor(path: directory, flags: O_RDONLY | O_DIRECTORY, io: io)
        try fd.sync()
        try fd.close()
    }

    /// Renames `from` to `to`.
    static func rename(_ from: String, _ to: String, io: any FileIO) throws(LogError) {
        do { try io.rename(from, to: to) } catch { throw LogError.system(error, "renaming to \(to)", file: from) }
    }

    /// Replaces the file at `path` atomically and durably with `bytes`: written to `temp`, synced,
    /// renamed over `path`, and the directory synced. On failure `temp` is removed and `path` is
    /// left as it was.
    static func replaceAtomically(_ path: String, with bytes: UnsafeRawBufferPointer, temp: String, io: any FileIO) throws(LogError) {
        do throws(LogError) {
            let file = try FileDescriptor(path: temp, flags: O_WRONLY | O_CREAT | O_TRUNC, io: io)
            try file.write(bytes, at: 0)
            try file.sync()
            try file.close()
            try rename(temp, path, io: io)
            try syncDirectory(parent(of: path), io: io)
        } catch {
            removeQuietly(temp, io: io)
            throw error
        }
    }

    /// Gives the file at `from` the second name `to`.
    static func link(_ from: String, _ to: String, io: any FileIO) throws(LogError) {
        do { try io.link(from, to: to) } catch { throw LogError.system(error, "linking to \(to)", file: from) }
    }

    /// The last component of `path`.
    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Removes the file at `path`.
    static func remove(_ path: String, io: any FileIO) throws(LogError) {
        do { try io.remove(path) } catch { throw LogError.system(error, "removing", file: path) }
    }

    /// Removes the file at `path` if it is there, ignoring every failure (clean-up after a failure).
    static func removeQuietly(_ path: String, io: any FileIO) {
        try? io.remove(path)
    }

    /// A path beside `base` that does not exist yet: `base`, else `base.2`, `base.3`, ...
    static func unusedPath(_ base: String, io: any FileIO) -> String {
        if io.kind(base) == .missing { return base }
        var n = 2
        while io.kind("\(base).\(n)") != .missing { n += 1 }
        return "\(base).\(n)"
    }
}
