#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a path.
package enum FileKind: Sendable, Hashable {
    case missing, directory, file, other
}

/// The system calls beneath the log and the snapshot store, and nothing more: the seam where a
/// test puts a simulated disk that fails any call on demand or forgets what was never synced.
///
/// Production uses ``SystemFileIO``, a thin layer over the C library. Every method retries
/// `EINTR` itself and reports a failure as the `errno` value the call set.
package protocol FileIO: Sendable {
    /// `open(2)`; returns the descriptor.
    func open(_ path: String, flags: Int32, mode: UInt32) throws(SystemCallError) -> Int32
    /// `close(2)`.
    func close(_ descriptor: Int32) throws(SystemCallError)
    /// The file's size (`fstat(2)`).
    func size(_ descriptor: Int32) throws(SystemCallError) -> Int
    /// One `pread(2)`: the bytes read, fewer than asked at end of file.
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int
    /// One `pwrite(2)`: the bytes written, possibly fewer than given.
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int
    /// `fdatasync(2)`.
    func syncData(_ descriptor: Int32) throws(SystemCallError)
    /// `fsync(2)`, for directories after a create, rename or remove.
    func sync(_ descriptor: Int32) throws(SystemCallError)
    /// `ftruncate(2)`.
    func truncate(_ descriptor: Int32, to length: Int) throws(SystemCallError)
    /// A non-blocking exclusive `flock(2)`; `EWOULDBLOCK` when another open file holds it.
    func lockExclusive(_ descriptor: Int32) throws(SystemCallError)
    /// `rename(2)`.
    func rename(_ from: String, to: String) throws(SystemCallError)
    /// `link(2)`: a second name for the file at `from`.
    func link(_ from: String, to: String) throws(SystemCallError)
    /// `unlink(2)`.
    func remove(_ path: String) throws(SystemCallError)
    /// `mkdir(2)`, mode 0755.
    func makeDirectory(_ path: String) throws(SystemCallError)
    /// The names in a directory, without "." and "..".
    func list(_ directory: String) throws(SystemCallError) -> [String]
    /// What is at `path` (`stat(2)`).
    func kind(_ path: String) -> FileKind
    /// The bytes an unprivileged writer may still use on the file system holding `path` (`statvfs(3)`).
    func availableBytes(_ path: String) throws(SystemCallError) -> UInt64
}

/// The real file system, through the C library.
package struct SystemFileIO: FileIO {
    package init() {}

    @inline(__always)
    private func check(_ result: Int32) throws(SystemCallError) {
        if result != 0 { throw SystemCallError.current }
    }

    package func open(_ path: String, flags: Int32, mode: UInt32) throws(SystemCallError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode_t(mode))
            if fd >= 0 { return fd }
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func close(_ descriptor: Int32) throws(SystemCallError) {
        // Linux releases the descriptor even when close fails; never retry it.
        if Glibc.close(descriptor) != 0, errno != EINTR { throw SystemCallError.current }
    }

    package func size(_ descriptor: Int32) throws(SystemCallError) -> Int {
        var info = stat()
        try check(fstat(descriptor, &info))
        return Int(info.st_size)
    }

    package func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = pread(descriptor, base, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            let n = pwrite(descriptor, base, bytes.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func syncData(_ descriptor: Int32) throws(SystemCallError) {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func sync(_ descriptor: Int32) throws(SystemCallError) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func truncate(_ descriptor: Int32, to length: Int) throws(SystemCallError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func lockExclusive(_ descriptor: Int32) throws(SystemCallError) {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno != EINTR { throw SystemCallError.current }
        }
    }

    package func rename(_ from: String, to: String) throws(SystemCallError) {
        try check(Glibc.rename(from, to))
    }

    package func link(_ from: String, to: String) throws(SystemCallError) {
        try check(Glibc.link(from, to))
    }

    package func remove(_ path: String) throws(SystemCallError) {
        try check(unlink(path))
    }

    package func makeDirectory(_ path: String) throws(SystemCallError) {
        try check(mkdir(path, 0o755))
    }

    package func list(_ directory: String) throws(SystemCallError) -> [String] {
        guard let dir = opendir(directory) else { throw SystemCallError.current }
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

    package func kind(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    package func availableBytes(_ path: String) throws(SystemCallError) -> UInt64 {
        var info = statvfs()
        try check(statvfs(path, &info))
        return UInt64(info.f_bavail) &* UInt64(info.f_frsize)
    }
}
