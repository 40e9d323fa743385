import ComplianceStore
import EventLog

/// The versioned binary snapshot of ``EngineState``, and the state digest built on it.
///
/// Canonical: partitions, names, URIs and documents are written in sorted order, so equal states
/// encode to equal bytes (which is what makes the digest meaningful). Checksumming and compression
/// are the `SnapshotStore`'s job.
///
/// Formats: 1 (one blob; rules without `Controls`), 2 (one blob; rules with `Controls`), 3
/// (sections streamed in checked chunks, see ``Section``, with the compliance store), 4 (this
/// build: the engine section ends with the organization, its packs and the deployment faults).
/// Formats 1 and 2 still decode (``decode(_:formatVersion:)``), but the engine does not start
/// from them: their states predate the compliance store, whose interned ids only a replay of the
/// log assigns exactly as the live engine did; the log is replayed instead.
enum SnapshotCodec {
    /// The format this build writes.
    static let formatVersion: UInt16 = 4

    /// The sections of a format-3 snapshot, in the order they are written.
    enum Section: UInt8 {
        /// Packs, rules and registries: ``encode(_:includeSequence:)`` with rule layout 2.
        case engine = 1
        /// Evaluation results and their counters: `ComplianceStore.serialize`, streamed.
        case compliance = 2
    }

    /// Writes `state` into a snapshot, section by section: the engine's read models in one
    /// piece, the compliance store streamed (at most a chunk of it in memory at a time).
    static func write(_ state: EngineState, to writer: SnapshotWriter) throws(LogError) {
        try writer.write(section: Section.engine.rawValue, encode(state))
        do {
            try state.compliance.serialize { piece in try writer.write(section: Section.compliance.rawValue, piece) }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(code: .invalidArgument, message: "the compliance store could not be serialised: \(error)")
        }
    }

    /// Reads a snapshot of any format back into a state.
    ///
    /// - Throws: `LogError` for damage found while reading, `DecodeError` or
    ///   `ComplianceStoreError` for content that does not decode.
    static func read(_ snapshot: Snapshot) throws -> EngineState {
        guard snapshot.formatVersion >= 3 else {
            throw DecodeError(message: "snapshot format \(snapshot.formatVersion) predates the compliance store", offset: 0)
        }
        let chunks = try snapshot.chunks()
        var pieces: [[UInt8]] = []
        var first: SnapshotChunk?
        while let chunk = try chunks.next() {
            if chunk.section == Section.engine.rawValue {
                pieces.append(chunk.bytes)
                continue
            }
            first = chunk
            break
        }
        // Joined once, at its final size (appending chunk by chunk copied it at every growth).
        var engine: [UInt8] = []
        engine.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
        for piece in pieces { engine += piece }
        pieces = []
        var state = try decode(engine, formatVersion: snapshot.formatVersion)
        guard let first else { throw DecodeError(message: "the snapshot has no compliance section", offset: 0) }
        var pending: SnapshotChunk? = first
        state.compliance = try ComplianceStore.deserialize {
            let chunk = try pending ?? chunks.next()
            pending = nil
            guard let chunk else { return nil }
            guard chunk.section == Section.compliance.rawValue else {
                throw DecodeError(message: "unknown snapshot section \(chunk.section)", offset: 0)
            }
            return chunk.bytes
        }
        return state
    }

    static func encode(_ state: EngineState, includeSequence: Bool = true) -> [UInt8] {
        var w = ByteWriter(capacity: 1 << 16)
        if includeSequence { w.u64(state.lastSequence) }
        w.count(state.s3Templates.count)
        for uri in state.s3Templates.keys.sorted() {
            w.string(uri.string)
            w.string(state.s3Templates[uri] ?? "")
        }
        w.count(state.ssmDocuments.count)
        for name in state.ssmDocuments.keys.sorted() {
            w.string(name.string)
            w.strings(state.ssmDocuments[name]?.versions ?? [])
        }
        w.count(state.partitions.count)
        for key in state.partitions.keys.sorted() {
            let partition = state.partitions[key] ?? PartitionState()
            w.partition(key)
            w.count(partition.packs.count)
            for pack in partition.packs.orderedValues { w.pack(pack) }
            w.count(partition.rules.count)
            for rule in partition.rules.orderedValues { w.rule(rule) }
        }
        w.organizations(state.organizations)
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], formatVersion: UInt16 = formatVersion) throws(DecodeError) -> EngineState {
        guard formatVersion >= 1, formatVersion <= Self.formatVersion else {
            throw DecodeError(message: "snapshot format \(formatVersion) is not one this build reads", offset: 0)
        }
        let layout = RuleLayout(version: Int(formatVersion))
        var r = ByteReader(bytes)
        var state = EngineState()
        state.lastSequence = try r.u64()
        for _ in 0..<(try r.count()) {
            let uri = try r.string()
            state.s3Templates[ByteString(uri)] = try r.string()
        }
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            state.ssmDocuments[ByteString(name)] = SSMDocument(versions: try r.strings())
        }
        for _ in 0..<(try r.count()) {
            let key = try r.partition()
            var partition = PartitionState()
            let packCount = try r.count()
            partition.packs.reserveCapacity(min(packCount, 1024))  // a count read is not trusted with memory
            for _ in 0..<packCount {
                let pack = try r.pack(ruleLayout: layout, hasCreated: formatVersion >= 3)
                if pack.pending != nil, let due = pack.dueTime {
                    state.due.insert(.init(time: due, partition: key, name: pack.name))
                }
                partition.packs.insertDecoded(pack.name, pack)
            }
            let ruleCount = try r.count()
            partition.rules.reserveCapacity(min(ruleCount, 1024))
            for _ in 0..<ruleCount {
                let rule = try r.rule(layout: layout)
                partition.rules.insertDecoded(rule.name, rule)
            }
            state.partitions[key] = partition
        }
        if formatVersion >= 4 { state.organizations = try r.organizations() }
        try r.expectEnd()
        return state
    }

    /// A hash over the read models in canonical order (the sequence number excluded), as 32 hex
    /// digits: the engine's records, then the compliance store's canonical serialisation.
    static func digest(_ state: EngineState) -> String {
        var hasher = DigestHasher()
        hasher.update(encode(state, includeSequence: false))
        state.compliance.serialize { piece in hasher.update(piece) }
        return hasher.finish()
    }
}

/// Two lanes of a multiply-xorshift mix over little-endian 64-bit words, then the tail and the
/// length: stable across runs and platforms, fed in pieces of any size.
struct DigestHasher {
    private var first: UInt64 = 0x243F_6A88_85A3_08D3
    private var second: UInt64 = 0x1319_8A2E_0370_7344
    /// Bytes not yet making a whole word.
    private var tail: [UInt8] = []
    private var count = 0

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    mutating func update(_ raw: UnsafeRawBufferPointer) {
        count += raw.count
        var index = 0
        while !tail.isEmpty, index < raw.count {
            tail.append(raw[index])
            index += 1
            if tail.count == 8 {
                let word = tail.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                tail.removeAll(keepingCapacity: true)
                absorb(word)
            }
        }
        while index + 8 <= raw.count {
            absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        if index < raw.count { tail.append(contentsOf: raw[index...]) }
    }

    private mutating func absorb(_ word: UInt64) {
        first = Self.mix(first ^ word, 0x9E37_79B9_7F4A_7C15)
        second = Self.mix(second ^ (word &+ 0xD6E8_FEB8_6659_FD93), 0xC2B2_AE3D_27D4_EB4F)
    }

    func finish() -> String {
        var last: UInt64 = UInt64(count)
        for byte in tail { last = last << 8 | UInt64(byte) }
        let a = Self.mix(first ^ last, 0x9E37_79B9_7F4A_7C15)
        let b = Self.mix(second ^ last ^ UInt64(truncatingIfNeeded: count) << 32, 0xC2B2_AE3D_27D4_EB4F)
        return Self.hex(a) + Self.hex(b)
    }

    private static func mix(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        var x = value &* multiplier
        x ^= x >> 29
        x = x &* 0xBF58_476D_1CE4_E5B9
        return x ^ (x >> 32)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

extension ByteWriter {
    fileprivate mutating func pack(_ pack: PackRecord) {
        string(pack.name)
        string(pack.id)
        string(pack.arn)
        string(pack.stackArn)
        optionalString(pack.deliveryS3Bucket)
        optionalString(pack.deliveryS3KeyPrefix)
        optionalNameValues(pack.inputParameters)
        origin(pack.origin)
        nameValues(pack.tags)
        u8(pack.state.rawValue)
        optionalString(pack.statusReason)
        i64(pack.created)
        i64(pack.lastUpdateRequested)
        optionalI64(pack.lastUpdateCompleted)
        strings(pack.ruleNames)
        if let pending = pack.pending {
            u8(1)
            outcome(pending)
        } else {
            u8(0)
        }
        optionalI64(pack.dueTime)
    }
}

extension ByteReader {
    fileprivate mutating func pack(ruleLayout: RuleLayout, hasCreated: Bool) throws(DecodeError) -> PackRecord {
        let name = try string()
        let id = try string()
        let arn = try string()
        let stackArn = try string()
        let bucket = try optionalString()
        let prefix = try optionalString()
        let parameters = try optionalNameValues()
        let origin = try origin()
        let tags = try nameValues()
        guard let state = PackState(rawValue: try u8()) else {
            throw DecodeError(message: "unknown pack state", offset: offset - 1)
        }
        let reason = try optionalString()
        // Formats 1 and 2 did not keep the creation time: the last request stands in for it.
        let created = ruleLayout == .v2 && hasCreated ? try i64() : nil
        let requested = try i64()
        return PackRecord(
            name: name, id: id, arn: arn, stackArn: stackArn,
            deliveryS3Bucket: bucket, deliveryS3KeyPrefix: prefix, inputParameters: parameters,
            origin: origin, tags: tags, state: state,
            statusReason: reason,
            created: created ?? requested,
            lastUpdateRequested: requested,
            lastUpdateCompleted: try optionalI64(),
            ruleNames: try strings(),
            pending: try bool() ? try outcome(ruleLayout: ruleLayout) : nil,
            dueTime: try optionalI64()
        )
    }
}
