/// The versioned binary snapshot of ``EngineState``, and the state digest built on it.
///
/// Canonical: partitions, names, URIs and documents are written in sorted order, so equal states
/// encode to equal bytes (which is what makes the digest meaningful). Checksumming and compression
/// are the `SnapshotStore`'s job.
enum SnapshotCodec {
    static let formatVersion: UInt16 = 1

    static func encode(_ state: EngineState, includeSequence: Bool = true) -> [UInt8] {
        var w = ByteWriter(capacity: 1 << 16)
        if includeSequence { w.u64(state.lastSequence) }
        w.count(state.s3Templates.count)
        for uri in state.s3Templates.keys.sorted() {
            w.string(uri)
            w.string(state.s3Templates[uri] ?? "")
        }
        w.count(state.ssmDocuments.count)
        for name in state.ssmDocuments.keys.sorted() {
            w.string(name)
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
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> EngineState {
        var r = ByteReader(bytes)
        var state = EngineState()
        state.lastSequence = try r.u64()
        for _ in 0..<(try r.count()) {
            let uri = try r.string()
            state.s3Templates[uri] = try r.string()
        }
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            state.ssmDocuments[name] = SSMDocument(versions: try r.strings())
        }
        for _ in 0..<(try r.count()) {
            let key = try r.partition()
            var partition = PartitionState()
            for _ in 0..<(try r.count()) {
                let pack = try r.pack()
                partition.packs[pack.name] = pack
                if pack.pending != nil, let due = pack.dueTime {
                    state.pending[EngineState.PackRef(partition: key, name: pack.name)] = due
                }
            }
            for _ in 0..<(try r.count()) {
                let rule = try r.rule()
                partition.rules[rule.name] = rule
            }
            state.partitions[key] = partition
        }
        try r.expectEnd()
        return state
    }

    /// A hash over the read models in canonical order (the sequence number excluded), as 32 hex digits.
    static func digest(_ state: EngineState) -> String {
        let bytes = encode(state, includeSequence: false)
        var first = FNV1a64()
        first.combine(bytes)
        var second = FNV1a64(seed: 0x9E37_79B9_7F4A_7C15)
        second.combine(bytes.reversed())
        return hex(first.value) + hex(second.value)
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
    fileprivate mutating func pack() throws(DecodeError) -> PackRecord {
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
        return PackRecord(
            name: name, id: id, arn: arn, stackArn: stackArn,
            deliveryS3Bucket: bucket, deliveryS3KeyPrefix: prefix, inputParameters: parameters,
            origin: origin, tags: tags, state: state,
            statusReason: try optionalString(),
            lastUpdateRequested: try i64(),
            lastUpdateCompleted: try optionalI64(),
            ruleNames: try strings(),
            pending: try bool() ? try outcome() : nil,
            dueTime: try optionalI64()
        )
    }
}
