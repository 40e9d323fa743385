#if canImport(Glibc)
import Glibc
#endif

/// The writer's exclusive `flock` on `LOCK` in the log directory, holding the owner's pid.
///
/// `flock` locks belong to the open file description, so a second open in the same process is
/// refused just like one from another process. The lock goes when the descriptor closes.
struct LockFile: ~Copyable {
    private let file: FileDescriptor

    /// Takes the lock or throws ``LogError/Code/locked`` naming the directory and the holder's pid.
    init(directory: String, io: any FileIO) throws(LogError) {
        let path = FileSystem.join(directory, SegmentFiles.lockName)
        let file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT, io: io)
        do {
            try io.lockExclusive(file.raw)
        } catch let failure {
            if failure.rawValue == EWOULDBLOCK {
                let holder = (try? file.read(count: 32, at: 0)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                let pid = holder.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init) ?? "unknown"
                throw LogError(
                    code: .locked,
                    message: "the log directory \(directory) is already open for writing by process \(pid); close that writer first, or open the log read-only",
                    file: path, cause: failure)
            }
            throw LogError.system(failure, "locking the log directory", file: path)
        }
        let text = Array("\(getpid())\n".utf8)
        try file.truncate(to: 0)
        try text.withBytes { (raw) throws(LogError) in try file.write(raw, at: 0) }
        self.file = file
    }

    /// Releases the lock.
    consuming func release() {
        try? file.close()
    }
}
