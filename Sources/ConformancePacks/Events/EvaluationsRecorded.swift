import ComplianceStore

/// Evaluation results that one command recorded (PutEvaluations, PutExternalEvaluation, or a
/// bulk ingest), as columns over small tables: a batch of ten thousand results is one compact
/// event, not ten thousand documents.
struct EvaluationsRecorded: Sendable, Hashable {
    /// Epoch ms at which the engine recorded them (`ResultRecordedTime`, `ConfigRuleInvokedTime`).
    var time: Int64
    /// The rules the results are for; rows name them by index.
    var rules: [RuleReference]
    /// The distinct resource types, resource ids and annotations; rows name them by index.
    var strings: [String]
    var rows: [EvaluationRow]

    /// One result.
    struct EvaluationRow: Sendable, Hashable {
        var rule: UInt32
        var resourceType: UInt32
        var resourceId: UInt32
        var compliance: ResultCompliance
        /// Epoch ms.
        var orderingTimestamp: Int64
        /// 0 for none, else an index into `strings` plus one.
        var annotation: UInt32
    }
}

/// A rule by partition and name (equal and hashed by bytes, as every key).
struct RuleReference: Sendable, Hashable {
    var partition: PartitionKey
    var name: String

    static func == (lhs: RuleReference, rhs: RuleReference) -> Bool {
        lhs.partition == rhs.partition && lhs.name.byteEquals(rhs.name)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(partition)
        name.hashBytes(into: &hasher)
    }
}

/// Every result of a rule was deleted (DeleteEvaluationResults).
struct EvaluationResultsDeleted: Sendable, Hashable {
    var partition: PartitionKey
    var name: String
    var time: Int64
}

extension ByteWriter {
    /// Layout (schema 1): `time i64 · rules: count, (partition, name)… · strings: count, string… ·
    /// rows: count, then one column at a time: rule varints, resource type varints, resource id
    /// varints, compliance bytes, ordering timestamps as zigzag varint deltas (the first from 0),
    /// annotation varints`.
    mutating func evaluations(_ e: EvaluationsRecorded) {
        i64(e.time)
        count(e.rules.count)
        for rule in e.rules {
            partition(rule.partition)
            string(rule.name)
        }
        strings(e.strings)
        count(e.rows.count)
        for row in e.rows { varint(UInt64(row.rule)) }
        for row in e.rows { varint(UInt64(row.resourceType)) }
        for row in e.rows { varint(UInt64(row.resourceId)) }
        for row in e.rows { u8(row.compliance.rawValue) }
        var previous: Int64 = 0
        for row in e.rows {
            let delta = row.orderingTimestamp &- previous
            varint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)))
            previous = row.orderingTimestamp
        }
        for row in e.rows { varint(UInt64(row.annotation)) }
    }
}

extension ByteReader {
    mutating func evaluations() throws(DecodeError) -> EvaluationsRecorded {
        let time = try i64()
        let ruleCount = try count()
        var rules: [RuleReference] = []
        rules.reserveCapacity(ruleCount)
        for _ in 0..<ruleCount { rules.append(RuleReference(partition: try partition(), name: try string())) }
        let strings = try strings()
        // Every row takes at least six bytes (one per column): a count beyond that is a lie, and
        // refusing it before allocating keeps a damaged record from costing gigabytes.
        let rowCount = try count()
        guard rowCount <= remaining / 6 else { throw DecodeError(message: "\(rowCount) rows cannot fit in \(remaining) bytes", offset: offset) }
        var rows = [EvaluationsRecorded.EvaluationRow](
            repeating: .init(rule: 0, resourceType: 0, resourceId: 0, compliance: .compliant, orderingTimestamp: 0, annotation: 0),
            count: rowCount)
        func index(_ bound: Int, _ what: String) throws(DecodeError) -> UInt32 {
            let value = try varint()
            guard value < UInt64(bound) else { throw DecodeError(message: "\(what) \(value) is out of range", offset: offset) }
            return UInt32(value)
        }
        for i in 0..<rowCount { rows[i].rule = try index(rules.count, "rule index") }
        for i in 0..<rowCount { rows[i].resourceType = try index(strings.count, "string index") }
        for i in 0..<rowCount { rows[i].resourceId = try index(strings.count, "string index") }
        for i in 0..<rowCount {
            guard let compliance = ResultCompliance(rawValue: try u8()) else {
                throw DecodeError(message: "unknown compliance", offset: offset - 1)
            }
            rows[i].compliance = compliance
        }
        var previous: Int64 = 0
        for i in 0..<rowCount {
            let zigzag = try varint()
            let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            previous = previous &+ delta
            rows[i].orderingTimestamp = previous
        }
        for i in 0..<rowCount { rows[i].annotation = try index(strings.count + 1, "annotation index") }
        return EvaluationsRecorded(time: time, rules: rules, strings: strings, rows: rows)
    }
}
