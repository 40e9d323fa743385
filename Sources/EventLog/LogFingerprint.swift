/// Where a sequence lives in a log, and the checksum of the batch that holds it: what a snapshot
/// records so that loading it can prove the log it was taken from is the log on disk now.
///
/// A log only grows, and `conform log repair` keeps the bytes of every batch it keeps, so the
/// batch at this segment and offset stays the same for as long as the history it belongs to
/// exists. After a lost tail is refilled by different events, or beside a log from elsewhere,
/// the batch there differs (or is missing) and the fingerprint no longer matches.
public struct LogFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The sequence vouched for.
    public var sequence: UInt64
    /// The first sequence of the segment holding the batch (its file name).
    public var segmentFirstSequence: UInt64
    /// The byte offset of the batch in that segment.
    public var offset: Int
    /// The first sequence of the batch.
    public var batchFirstSequence: UInt64
    /// How many events the batch holds.
    public var batchCount: UInt32
    /// The XXH3-64 of the batch's compressed payload, as its header records it.
    public var payloadHash: UInt64

    /// Creates a fingerprint.
    public init(sequence: UInt64, segmentFirstSequence: UInt64, offset: Int, batchFirstSequence: UInt64, batchCount: UInt32, payloadHash: UInt64) {
        self.sequence = sequence
        self.segmentFirstSequence = segmentFirstSequence
        self.offset = offset
        self.batchFirstSequence = batchFirstSequence
        self.batchCount = batchCount
        self.payloadHash = payloadHash
    }

    /// `sequence N in batch A...B at offset O of segment S (payload XXH3 H)`.
    public var description: String {
        "sequence \(sequence) in batch \(batchFirstSequence)...\(batchFirstSequence &+ UInt64(batchCount) &- 1) at offset \(offset) of segment \(SegmentFiles.name(firstSequence: segmentFirstSequence)) (payload XXH3 \(String(payloadHash, radix: 16)))"
    }

    /// Whether a log matches a fingerprint.
    public enum Check: Sendable, Hashable {
        /// The batch is there, whole, with the same checksum.
        case matches
        /// It is not: why.
        case mismatch(String)
        /// The log could not be read there (an I/O error): neither trusted nor condemned.
        case unverifiable(String)
    }

    /// Finds the batch holding `sequence` in the log in `directory`.
    ///
    /// - Throws: ``LogError/Code/invalidArgument`` when the log does not reach `sequence`;
    ///   ``LogError/Code/corruptSegment`` for damage before it; ``LogError/Code/io``.
    static func read(directory: String, sequence: UInt64, io: any FileIO) throws(LogError) -> LogFingerprint {
        let segments = try SegmentFiles.list(directory, io: io)
        guard let entry = segments.last(where: { $0.firstSequence <= sequence }) else {
            throw LogError(code: .invalidArgument, message: "the log holds no segment with sequence \(sequence)", file: directory, sequence: sequence)
        }
        var scanner = try SegmentScanner(path: entry.path, io: io)
        // Bounded by the segment's size: each step consumes a batch or returns.
        while true {
            switch try scanner.next() {
            case .batch(let header, let offset, _):
                if header.lastSequence < sequence { continue }
                guard header.firstSequence <= sequence else {
                    throw LogError(code: .corruptSegment, message: "no batch holds sequence \(sequence)", file: entry.path, offset: offset, sequence: sequence)
                }
                return LogFingerprint(
                    sequence: sequence, segmentFirstSequence: entry.firstSequence, offset: offset,
                    batchFirstSequence: header.firstSequence, batchCount: header.count, payloadHash: header.payloadHash)
            case .end:
                throw LogError(code: .invalidArgument, message: "the log ends before sequence \(sequence)", file: entry.path, sequence: sequence)
            case .damage(let damage):
                throw LogError(code: .corruptSegment, message: "damage before sequence \(sequence): \(damage.reason)", file: entry.path, offset: damage.offset, sequence: sequence)
            }
        }
    }

    /// Reads the batch this fingerprint names from the log in `directory` and compares it:
    /// one header and one payload read, whatever the size of the log.
    func check(directory: String, io: any FileIO) -> Check {
        let path = FileSystem.join(directory, SegmentFiles.name(firstSequence: segmentFirstSequence))
        guard io.kind(path) == .file else {
            return .mismatch("the log has no segment \(SegmentFiles.name(firstSequence: segmentFirstSequence)) any more")
        }
        do {
            let scanner = try SegmentScanner(path: path, io: io)
            guard let header = try scanner.validBatch(at: offset) else {
                return .mismatch("the log holds no whole batch at offset \(offset) of \(SegmentFiles.name(firstSequence: segmentFirstSequence)) any more")
            }
            guard header.firstSequence == batchFirstSequence, header.count == batchCount, header.payloadHash == payloadHash else {
                return .mismatch("the batch at offset \(offset) of \(SegmentFiles.name(firstSequence: segmentFirstSequence)) now holds sequences \(header.firstSequence)...\(header.lastSequence) with payload XXH3 \(String(header.payloadHash, radix: 16)), not the ones the snapshot was taken after")
            }
            return .matches
        } catch {
            return .unverifiable("the log could not be read there: \(error)")
        }
    }
}

extension LogDirectory {
    /// The fingerprint of the log in `directory` at `sequence` (see ``EventLog/fingerprint(of:)``).
    public static func fingerprint(directory: String, of sequence: UInt64) throws(LogError) -> LogFingerprint {
        try LogFingerprint.read(directory: directory, sequence: sequence, io: SystemFileIO())
    }

    /// Whether the log in `directory` matches `fingerprint`: the batch it names is there, whole,
    /// with the same checksum.
    public static func check(_ fingerprint: LogFingerprint, directory: String) -> LogFingerprint.Check {
        fingerprint.check(directory: directory, io: SystemFileIO())
    }

    package static func check(_ fingerprint: LogFingerprint, directory: String, io: any FileIO) -> LogFingerprint.Check {
        fingerprint.check(directory: directory, io: io)
    }
}
