package import ConformancePacks
import Foundation

/// `ConformAdmin.PutEvaluationResults`: the bulk path of the evaluation feed over HTTP
/// (`{"EvaluationResults": [EvaluationRecord...], "Strict": false}`), and its answer
/// (`{"Accepted": n, "Rejected": [{"Index": i, "ErrorCode": "...", "Message": "..."}]}`).
package struct PutEvaluationResultsRequest: Codable, Sendable {
    package var evaluationResults: [EvaluationRecord]
    package var strict: Bool?

    package init(evaluationResults: [EvaluationRecord], strict: Bool?) {
        self.evaluationResults = evaluationResults
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey {
        case evaluationResults = "EvaluationResults"
        case strict = "Strict"
    }
}

/// The answer to ``PutEvaluationResultsRequest``.
package struct PutEvaluationResultsResponse: Codable, Sendable {
    package struct Rejected: Codable, Sendable {
        package var index: Int
        package var errorCode: String
        package var message: String

        enum CodingKeys: String, CodingKey {
            case index = "Index"
            case errorCode = "ErrorCode"
            case message = "Message"
        }
    }

    package var accepted: Int
    package var rejected: [Rejected]

    enum CodingKeys: String, CodingKey {
        case accepted = "Accepted"
        case rejected = "Rejected"
    }

    package init(_ report: IngestReport) {
        accepted = report.accepted
        rejected = report.rejected.map { Rejected(index: $0.index, errorCode: $0.error.code.rawValue, message: $0.error.message) }
    }

    /// The report this answer carries.
    package var report: IngestReport {
        IngestReport(
            accepted: accepted,
            rejected: rejected.map {
                IngestReport.Rejection(
                    index: $0.index,
                    error: ConformanceError(ConformanceError.Code(rawValue: $0.errorCode) ?? .invalidParameterValue, $0.message))
            })
    }
}

/// The wire form of the bulk feed, for clients (`conform load --endpoint-url`).
package enum PutEvaluationResultsBody {
    package static func encode(_ records: [EvaluationRecord], strict: Bool) -> [UInt8] {
        (try? Array(JSONEncoder().encode(PutEvaluationResultsRequest(evaluationResults: records, strict: strict)))) ?? []
    }

    package static func report(_ body: [UInt8]) throws -> IngestReport {
        try JSONDecoder().decode(PutEvaluationResultsResponse.self, from: Data(body)).report
    }
}
