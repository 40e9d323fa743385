public import Foundation

/// One evaluation result of a bulk load: a PutEvaluations `Evaluation`, plus the account, region
/// and deployed rule it belongs to. One line of `conform load`'s NDJSON, one element of
/// `ConformAdmin.PutEvaluationResults`.
public struct EvaluationRecord: Sendable, Hashable, Codable {
    /// The account of the rule (12 digits).
    public var accountId: String
    /// The region of the rule; `us-east-1` when absent.
    public var region: String
    /// The rule's name as deployed (a pack's rules carry the pack's suffix).
    public var configRuleName: String
    /// `ComplianceResourceType`, e.g. `AWS::S3::Bucket`.
    public var complianceResourceType: String
    /// `ComplianceResourceId`.
    public var complianceResourceId: String
    /// `COMPLIANT`, `NON_COMPLIANT` or `NOT_APPLICABLE`.
    public var complianceType: String
    /// `Annotation`, at most 256 characters.
    public var annotation: String?
    /// `OrderingTimestamp`: in JSON, epoch seconds (integer or fractional) or ISO 8601.
    public var orderingTimestamp: Date

    /// Creates a record.
    public init(
        accountId: String, region: String = "us-east-1", configRuleName: String, complianceResourceType: String,
        complianceResourceId: String, complianceType: String, annotation: String? = nil, orderingTimestamp: Date
    ) {
        self.accountId = accountId
        self.region = region
        self.configRuleName = configRuleName
        self.complianceResourceType = complianceResourceType
        self.complianceResourceId = complianceResourceId
        self.complianceType = complianceType
        self.annotation = annotation
        self.orderingTimestamp = orderingTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case accountId = "AccountId"
        case region = "Region"
        case configRuleName = "ConfigRuleName"
        case complianceResourceType = "ComplianceResourceType"
        case complianceResourceId = "ComplianceResourceId"
        case complianceType = "ComplianceType"
        case annotation = "Annotation"
        case orderingTimestamp = "OrderingTimestamp"
    }

    /// Decodes a record; `OrderingTimestamp` may be epoch seconds or an ISO 8601 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accountId = try container.decode(String.self, forKey: .accountId)
        region = try container.decodeIfPresent(String.self, forKey: .region) ?? "us-east-1"
        configRuleName = try container.decode(String.self, forKey: .configRuleName)
        complianceResourceType = try container.decode(String.self, forKey: .complianceResourceType)
        complianceResourceId = try container.decode(String.self, forKey: .complianceResourceId)
        complianceType = try container.decode(String.self, forKey: .complianceType)
        annotation = try container.decodeIfPresent(String.self, forKey: .annotation)
        if let seconds = try? container.decode(Double.self, forKey: .orderingTimestamp) {
            orderingTimestamp = Date(timeIntervalSince1970: seconds)
        } else {
            let text = try container.decode(String.self, forKey: .orderingTimestamp)
            guard let date = Self.parseTimestamp(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .orderingTimestamp, in: container,
                    debugDescription: "OrderingTimestamp '\(text.prefix(64))' is neither epoch seconds nor ISO 8601")
            }
            orderingTimestamp = date
        }
    }

    /// Encodes a record as one line of `conform load` reads it (`OrderingTimestamp` in epoch seconds).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accountId, forKey: .accountId)
        try container.encode(region, forKey: .region)
        try container.encode(configRuleName, forKey: .configRuleName)
        try container.encode(complianceResourceType, forKey: .complianceResourceType)
        try container.encode(complianceResourceId, forKey: .complianceResourceId)
        try container.encode(complianceType, forKey: .complianceType)
        try container.encodeIfPresent(annotation, forKey: .annotation)
        try container.encode(orderingTimestamp.timeIntervalSince1970, forKey: .orderingTimestamp)
    }

    /// Epoch seconds, or ISO 8601 with or without fractional seconds.
    package static func parseTimestamp(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// What a bulk load recorded.
public struct IngestReport: Sendable, Hashable {
    /// A record that was not recorded, and why.
    public struct Rejection: Sendable, Hashable {
        /// Its position in the batch, from 0.
        public var index: Int
        /// The error a single PutEvaluations of it would have met.
        public var error: ConformanceError

        /// Creates a rejection.
        public init(index: Int, error: ConformanceError) {
            self.index = index
            self.error = error
        }
    }

    /// Records recorded (a later `OrderingTimestamp` already stored makes one a no-op, still counted).
    public var accepted: Int
    /// Records refused, in order.
    public var rejected: [Rejection]

    /// Creates a report.
    public init(accepted: Int, rejected: [Rejection]) {
        self.accepted = accepted
        self.rejected = rejected
    }
}

extension ConformanceEngine {
    /// The most records one ``ingest(_:strict:)`` takes; `conform load` sends batches of 10,000.
    public static let ingestLimit = 100_000

    /// Records many evaluation results in one command: the bulk path of the evaluation feed
    /// (`ConformAdmin.PutEvaluationResults`, `conform load`).
    ///
    /// Each record is checked as a PutEvaluations of it would be (model constraints, a rule that
    /// exists in its account and region, a compliance an evaluation may report); records that
    /// fail are reported and skipped, the rest are recorded together (a few compact events,
    /// one durable group), or, with `strict`, nothing is recorded when any record fails.
    ///
    /// - Returns: How many were recorded (0 when `strict` found a refusal), and which were
    ///   refused and why, in input order.
    /// - Throws: `ValidationException` for more than ``ingestLimit`` records; `InternalFailure`,
    ///   `ServiceUnavailable` (disk full), `ThrottlingException`.
    nonisolated(nonsending) public func ingest(_ records: [EvaluationRecord], strict: Bool = false) async throws(ConformanceError) -> IngestReport {
        guard records.count <= Self.ingestLimit else {
            throw ConformanceError(.validation, "A bulk load takes at most \(Self.ingestLimit) records at a time, not \(records.count); split it.")
        }
        var rejected: [IngestReport.Rejection] = []
        var drafts: [(index: Int, rule: RuleReference, draft: EvaluationDraft)] = []
        drafts.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            do throws(ConformanceError) {
                try Self.check(record)
                let draft = try EvaluationDraft(
                    resourceType: record.complianceResourceType, resourceId: record.complianceResourceId,
                    complianceType: record.complianceType, annotation: record.annotation,
                    orderingTimestamp: record.orderingTimestamp, path: "record \(index)")
                let partition = PartitionKey(accountId: record.accountId, region: record.region)
                drafts.append((index, RuleReference(partition: partition, name: record.configRuleName), draft))
            } catch {
                rejected.append(.init(index: index, error: error))
            }
        }
        let checked = rejected
        let report = try await perform { state, now throws(ConformanceError) -> Decision<IngestReport> in
            var rejected = checked
            var batch = EvaluationBatch(time: now)
            var known: [RuleReference: Bool] = [:]
            for (index, rule, draft) in drafts {
                let exists = known[rule] ?? {
                    let exists = state[partition: rule.partition].rules[rule.name] != nil
                    known[rule] = exists
                    return exists
                }()
                guard exists else {
                    rejected.append(.init(index: index, error: Self.noSuchRule(rule.name)))
                    continue
                }
                if !strict || rejected.isEmpty { batch.add(draft, rule: rule) }
            }
            rejected.sort { $0.index < $1.index }
            // Strict: all or nothing.
            if strict, !rejected.isEmpty { return Decision(events: [], result: IngestReport(accepted: 0, rejected: rejected)) }
            return Decision(events: batch.events, result: IngestReport(accepted: batch.count, rejected: rejected))
        }
        return report
    }

    /// The model's constraints on what a record carries: those of `Evaluation` (the generated
    /// checks), plus the account, region and rule name.
    static func check(_ record: EvaluationRecord) throws(ConformanceError) {
        var violations = ConstraintViolations()
        violations.pattern(record.accountId, at: "accountId", .accountId)
        violations.length(record.region, at: "region", min: 1, max: 64)
        violations.length(record.configRuleName, at: "configRuleName", min: 1, max: 128)
        let evaluation = Evaluation(
            complianceResourceType: record.complianceResourceType, complianceResourceId: record.complianceResourceId,
            complianceType: ComplianceType(rawValue: record.complianceType), annotation: record.annotation,
            orderingTimestamp: record.orderingTimestamp)
        evaluation.validate(into: &violations, at: "")
        try violations.throwIfAny()
    }
}
