package import EventLog
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An in-memory file system behind the log's ``FileIO`` seam, for tests: it fails the k-th call
/// on demand, runs out of space at a set capacity, and can pull the plug: keep only what a
/// completed `fdatasync`/`fsync` made durable (file bytes, and the names a directory `fsync`
/// covered) and forget the rest, as a power loss does.
///
/// Semantics, modelled on Linux with ext4: `fdatasync` or `fsync` of a file makes its current
/// bytes durable; `fsync` of a directory makes the current names in it (creations, renames,
/// removals, links, subdirectories) durable. Nothing else is durable.
package final class SimulatedDisk: FileIO {
    /// The kinds of call, for counting and for aiming faults.
    package enum Call: String, Sendable, Hashable, CaseIterable {
        case open, close, size, read, write, syncData, sync, truncate, lock, rename, link, remove, makeDirectory, list, availableBytes
    }

    /// A fault to inject at the `at`-th counted call (1-based) among `kinds`.
    package struct Fault: Sendable {
        package var at: Int
        package var kinds: Set<Call>
        package var errno: Int32
        /// Pull the plug at that call: it and every later call fail with EIO until ``restart()``.
        package var crash: Bool

        package init(at: Int, kinds: Set<Call> = Set(Call.allCases), errno: Int32 = EIO, crash: Bool = false) {
            self.at = at
            self.kinds = kinds
            self.errno = errno
            self.crash = crash
        }
    }

    /// What a power loss keeps of bytes that were written but never synced.
    package enum UnsyncedBytes: Sendable {
        /// Nothing (the model the durability checks rely on).
        case dropped
        /// A seeded-random prefix of what was appended past the synced bytes (a torn write).
        case tornPrefix(seed: UInt64)
        /// As many zero bytes as a seeded-random prefix would be (what ext4 can leave).
        case zeros(seed: UInt64)
    }

    final class File {
        var data: [UInt8] = []
        var synced: [UInt8] = []
    }

    struct Descriptor {
        var path: String
        var file: File?
    }

    struct State {
        var files: [String: File] = [:]
        var directories: Set<String> = ["/"]
        var durableFiles: [String: File] = [:]
        var durableDirectories: Set<String> = ["/"]
        var descriptors: [Int32: Descriptor] = [:]
        var nextDescriptor: Int32 = 3
        var locks: [ObjectIdentifier: Int32] = [:]
        var counts: [Call: Int] = [:]
        var counted = 0
        var fault: Fault?
        var crashed = false
        var capacity: Int?
        var syncsBlocked = false
    }

    private let state = Mutex(State())

    package init(capacity: Int? = nil) {
        state.withLock { $0.capacity = capacity }
    }

    // MARK: - Test controls

    /// Arms `fault`; counting starts from the next call.
    package func arm(_ fault: Fault?) {
        state.withLock {
            $0.fault = fault
            $0.counted = 0
        }
    }

    /// Whether the plug was pulled by a crash fault.
    package var crashed: Bool { state.withLock { $0.crashed } }

    /// Calls made since the last ``arm(_:)`` among the armed fault's kinds (all kinds when none).
    package var callsCounted: Int { state.withLock { $0.counted } }

    /// Calls made per kind since the disk was created.
    package var callCounts: [Call: Int] { state.withLock { $0.counts } }

    /// The capacity in bytes of file data; nil for unlimited.
    package func setCapacity(_ bytes: Int?) { state.withLock { $0.capacity = bytes } }

    /// Makes every `fdatasync`/`fsync` wait until ``unblockSyncs()`` (back-pressure tests).
    package func blockSyncs() { state.withLock { $0.syncsBlocked = true } }
    package func unblockSyncs() { state.withLock { $0.syncsBlocked = false } }

    /// Pulls the plug: every file goes back to its synced bytes (plus what `unsynced` keeps),
    /// every directory to its synced names; open descriptors and locks are gone.
    package func powerLoss(unsynced: UnsyncedBytes = .dropped) {
        state.withLock { s in
            var seed: UInt64 = 0
            switch unsynced {
            case .dropped: break
            case .tornPrefix(let value), .zeros(let value): seed = value
            }
            var rebuilt: [ObjectIdentifier: File] = [:]
            var files: [String: File] = [:]
            for (path, old) in s.durableFiles.sorted(by: { $0.key < $1.key }) {
                if let shared = rebuilt[ObjectIdentifier(old)] {
                    files[path] = shared
                    continue
                }
                let file = File()
                file.data = old.synced
                if old.data.count > old.synced.count, old.data.starts(with: old.synced) {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    let extra = old.data.count - old.synced.count
                    let keep = Int((seed >> 33) % UInt64(extra + 1))
                    switch unsynced {
                    case .dropped: break
                    case .tornPrefix: file.data += old.data[old.synced.count..<(old.synced.count + keep)]
                    case .zeros: file.data += [UInt8](repeating: 0, count: keep)
                    }
                }
                file.synced = file.data
                rebuilt[ObjectIdentifier(old)] = file
                files[path] = file
            }
            s.files = files
            s.durableFiles = files
            s.directories = s.durableDirectories
            s.descriptors = [:]
            s.locks = [:]
        }
    }

    /// Takes calls again after a crash fault (call after ``powerLoss(unsynced:)``).
    package func restart() {
        state.withLock {
            $0.crashed = false
            $0.fault = nil
            $0.descriptors = [:]
            $0.locks = [:]
        }
    }

    /// The current bytes of the file at `path`, or nil.
    package func contents(_ path: String) -> [UInt8]? {
        state.withLock { $0.files[Self.normalize(path)]?.data }
    }

    /// Replaces the bytes of the file at `path` (creating it), durably: for tests that damage a log.
    package func setContents(_ path: String, _ bytes: [UInt8]) {
        state.withLock { s in
            let key = Self.normalize(path)
            let file = s.files[key] ?? File()
            file.data = bytes
            file.synced = bytes
            s.files[key] = file
            s.durableFiles[key] = file
        }
    }

    /// The names under `directory`, current.
    package func names(in directory: String) -> [String] {
        (try? list(directory)) ?? []
    }

    // MARK: - FileIO

    package func open(_ path: String, flags: Int32, mode: UInt32) throws(SystemCallError) -> Int32 {
        try perform(.open) { (s: inout State) throws(SystemCallError) -> Int32 in
            let key = Self.normalize(path)
            let descriptor: Descriptor
            if flags & O_DIRECTORY != 0 || s.directories.contains(key) {
                guard s.directories.contains(key) else { throw SystemCallError(rawValue: ENOENT) }
                descriptor = Descriptor(path: key, file: nil)
            } else if let existing = s.files[key] {
                if flags & O_CREAT != 0, flags & O_EXCL != 0 { throw SystemCallError(rawValue: EEXIST) }
                if flags & O_TRUNC != 0 { existing.data = [] }
                descriptor = Descriptor(path: key, file: existing)
            } else {
                guard flags & O_CREAT != 0 else { throw SystemCallError(rawValue: ENOENT) }
                guard s.directories.contains(Self.parent(key)) else { throw SystemCallError(rawValue: ENOENT) }
                let file = File()
                s.files[key] = file
                descriptor = Descriptor(path: key, file: file)
            }
            let fd = s.nextDescriptor
            s.nextDescriptor += 1
            s.descriptors[fd] = descriptor
            return fd
        }
    }

    package func close(_ descriptor: Int32) throws(SystemCallError) {
        // A crashed disk still releases the descriptor, as close(2) always does.
        state.withLock { s in
            if let file = s.descriptors[descriptor]?.file, s.locks[ObjectIdentifier(file)] == descriptor {
                s.locks[ObjectIdentifier(file)] = nil
            }
            s.descriptors[descriptor] = nil
        }
        try perform(.close) { (_: inout State) throws(SystemCallError) in }
    }

    package func size(_ descriptor: Int32) throws(SystemCallError) -> Int {
        try perform(.size) { (s: inout State) throws(SystemCallError) -> Int in try Self.file(descriptor, in: s).data.count }
    }

    package func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        try perform(.read) { (s: inout State) throws(SystemCallError) -> Int in
            let file = try Self.file(descriptor, in: s)
            guard offset < file.data.count, let base = buffer.baseAddress else { return 0 }
            let n = min(buffer.count, file.data.count - offset)
            file.data.withUnsafeBytes { raw in
                if let source = raw.baseAddress { base.copyMemory(from: source + offset, byteCount: n) }
            }
            return n
        }
    }

    package func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        try perform(.write) { (s: inout State) throws(SystemCallError) -> Int in
            let file = try Self.file(descriptor, in: s)
            var n = bytes.count
            let growth = max(0, offset + n - file.data.count)
            if let capacity = s.capacity, growth > 0 {
                let free = max(0, capacity - Self.used(s))
                if free == 0 { throw SystemCallError(rawValue: ENOSPC) }
                n = min(n, file.data.count - offset + free)
                if n <= 0 { throw SystemCallError(rawValue: ENOSPC) }
            }
            if offset + n > file.data.count {
                file.data += [UInt8](repeating: 0, count: offset + n - file.data.count)
            }
            file.data.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress, let source = bytes.baseAddress {
                    (base + offset).copyMemory(from: source, byteCount: n)
                }
            }
            return n
        }
    }

    package func syncData(_ descriptor: Int32) throws(SystemCallError) {
        waitWhileSyncsBlocked()
        try perform(.syncData) { (s: inout State) throws(SystemCallError) in
            let file = try Self.file(descriptor, in: s)
            file.synced = file.data
        }
    }

    package func sync(_ descriptor: Int32) throws(SystemCallError) {
        waitWhileSyncsBlocked()
        try perform(.sync) { (s: inout State) throws(SystemCallError) in
            guard let entry = s.descriptors[descriptor] else { throw SystemCallError(rawValue: EBADF) }
            if let file = entry.file {
                file.synced = file.data
                return
            }
            // A directory: its current names become durable.
            let directory = entry.path
            for path in s.durableFiles.keys where Self.parent(path) == directory && s.files[path] == nil {
                s.durableFiles[path] = nil
            }
            for (path, file) in s.files where Self.parent(path) == directory { s.durableFiles[path] = file }
            for path in s.durableDirectories where path != "/" && Self.parent(path) == directory && !s.directories.contains(path) {
                s.durableDirectories.remove(path)
            }
            for path in s.directories where path != "/" && Self.parent(path) == directory { s.durableDirectories.insert(path) }
        }
    }

    package func truncate(_ descriptor: Int32, to length: Int) throws(SystemCallError) {
        try perform(.truncate) { (s: inout State) throws(SystemCallError) in
            let file = try Self.file(descriptor, in: s)
            if length < file.data.count {
                file.data.removeLast(file.data.count - length)
            } else {
                file.data += [UInt8](repeating: 0, count: length - file.data.count)
            }
        }
    }

    package func lockExclusive(_ descriptor: Int32) throws(SystemCallError) {
        try perform(.lock) { (s: inout State) throws(SystemCallError) in
            let file = try Self.file(descriptor, in: s)
            if let holder = s.locks[ObjectIdentifier(file)], holder != descriptor, s.descriptors[holder] != nil {
                throw SystemCallError(rawValue: EWOULDBLOCK)
            }
            s.locks[ObjectIdentifier(file)] = descriptor
        }
    }

    package func rename(_ from: String, to: String) throws(SystemCallError) {
        try perform(.rename) { (s: inout State) throws(SystemCallError) in
            let source = Self.normalize(from)
            let target = Self.normalize(to)
            guard let file = s.files[source] else { throw SystemCallError(rawValue: ENOENT) }
            guard s.directories.contains(Self.parent(target)) else { throw SystemCallError(rawValue: ENOENT) }
            s.files[source] = nil
            s.files[target] = file
        }
    }

    package func link(_ from: String, to: String) throws(SystemCallError) {
        try perform(.link) { (s: inout State) throws(SystemCallError) in
            let source = Self.normalize(from)
            let target = Self.normalize(to)
            guard let file = s.files[source] else { throw SystemCallError(rawValue: ENOENT) }
            guard s.files[target] == nil, !s.directories.contains(target) else { throw SystemCallError(rawValue: EEXIST) }
            s.files[target] = file
        }
    }

    package func remove(_ path: String) throws(SystemCallError) {
        try perform(.remove) { (s: inout State) throws(SystemCallError) in
            let key = Self.normalize(path)
            guard s.files.removeValue(forKey: key) != nil else { throw SystemCallError(rawValue: ENOENT) }
        }
    }

    package func makeDirectory(_ path: String) throws(SystemCallError) {
        try perform(.makeDirectory) { (s: inout State) throws(SystemCallError) in
            let key = Self.normalize(path)
            if s.directories.contains(key) || s.files[key] != nil { throw SystemCallError(rawValue: EEXIST) }
            guard s.directories.contains(Self.parent(key)) else { throw SystemCallError(rawValue: ENOENT) }
            s.directories.insert(key)
        }
    }

    package func list(_ directory: String) throws(SystemCallError) -> [String] {
        try perform(.list) { (s: inout State) throws(SystemCallError) -> [String] in
            let key = Self.normalize(directory)
            guard s.directories.contains(key) else { throw SystemCallError(rawValue: ENOENT) }
            let files = s.files.keys.filter { Self.parent($0) == key }
            let directories = s.directories.filter { $0 != "/" && Self.parent($0) == key }
            return (files + directories).map { String($0.split(separator: "/").last ?? "") }.sorted()
        }
    }

    package func kind(_ path: String) -> FileKind {
        state.withLock { s in
            let key = Self.normalize(path)
            if s.directories.contains(key) { return .directory }
            return s.files[key] == nil ? .missing : .file
        }
    }

    package func availableBytes(_ path: String) throws(SystemCallError) -> UInt64 {
        try perform(.availableBytes) { (s: inout State) throws(SystemCallError) -> UInt64 in
            guard let capacity = s.capacity else { return 1 << 40 }
            return UInt64(max(0, capacity - Self.used(s)))
        }
    }

    // MARK: - Internals

    /// Counts the call, applies the armed fault, then runs `body` under the lock.
    private func perform<R: Sendable>(_ call: Call, _ body: (inout State) throws(SystemCallError) -> R) throws(SystemCallError) -> R {
        try state.withLock { (s: inout State) throws(SystemCallError) -> R in
            s.counts[call, default: 0] += 1
            if s.crashed { throw SystemCallError(rawValue: EIO) }
            if let fault = s.fault, fault.kinds.contains(call) {
                s.counted += 1
                if s.counted == fault.at {
                    if fault.crash {
                        s.crashed = true
                        throw SystemCallError(rawValue: EIO)
                    }
                    throw SystemCallError(rawValue: fault.errno)
                }
            } else if s.fault == nil {
                s.counted += 1
            }
            return try body(&s)
        }
    }

    private func waitWhileSyncsBlocked() {
        // Bounded by the test that blocked syncs: it unblocks them.
        while state.withLock({ $0.syncsBlocked && !$0.crashed }) { usleep(500) }
    }

    private static func file(_ descriptor: Int32, in s: borrowing State) throws(SystemCallError) -> File {
        guard let entry = s.descriptors[descriptor] else { throw SystemCallError(rawValue: EBADF) }
        guard let file = entry.file else { throw SystemCallError(rawValue: EISDIR) }
        return file
    }

    private static func used(_ s: borrowing State) -> Int {
        var seen = Set<ObjectIdentifier>()
        var total = 0
        for file in s.files.values where seen.insert(ObjectIdentifier(file)).inserted { total += file.data.count }
        return total
    }

    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
