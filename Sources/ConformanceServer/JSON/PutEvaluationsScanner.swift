import ConformancePacks
import Foundation
import Hummingbird

/// A fast path for PutEvaluations bodies: up to a hundred evaluations per call, the feed's hot
/// request. `JSONDecoder` spent 470 µs of the 1.2 ms of server CPU per call (BENCHMARKS.md);
/// this scanner reads the usual form straight into the request and returns nil for anything
/// else (unknown or repeated members, a timestamp that is not a number, a `null` where the model
/// requires a value), which then goes through `JSONDecoder` for its exact error. What it accepts
/// it decodes to the value `JSONDecoder` would (`JSONTests` checks).
enum PutEvaluationsScanner {
    static func scan(_ body: ByteBuffer) -> PutEvaluationsRequest? {
        body.withUnsafeReadableBytes { bytes in
            var scanner = JSONTokenScanner(bytes)
            return request(&scanner)
        }
    }

    private static func request(_ s: inout JSONTokenScanner) -> PutEvaluationsRequest? {
        guard s.consume(UInt8(ascii: "{")) else { return nil }
        var token: String?
        var evaluations: [Evaluation]?
        var sawEvaluations = false
        var testMode: Bool?
        var sawTestMode = false
        if !s.consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = s.plainString(), s.consume(UInt8(ascii: ":")) else { return nil }
                if key.spells("ResultToken"), token == nil {
                    guard let value = s.string() else { return nil }
                    token = value
                } else if key.spells("Evaluations"), !sawEvaluations {
                    sawEvaluations = true
                    if !s.null() {
                        guard let list = list(&s) else { return nil }
                        evaluations = list
                    }
                } else if key.spells("TestMode"), !sawTestMode {
                    sawTestMode = true
                    if !s.null() {
                        guard let value = s.bool() else { return nil }
                        testMode = value
                    }
                } else {
                    return nil
                }
            } while s.consume(UInt8(ascii: ","))
            guard s.consume(UInt8(ascii: "}")) else { return nil }
        }
        guard s.atEnd(), let token else { return nil }
        return PutEvaluationsRequest(evaluations: evaluations, resultToken: token, testMode: testMode)
    }

    private static func list(_ s: inout JSONTokenScanner) -> [Evaluation]? {
        guard s.consume(UInt8(ascii: "[")) else { return nil }
        var list: [Evaluation] = []
        if s.consume(UInt8(ascii: "]")) { return list }
        repeat {
            // The model allows 100; a longer list still decodes (validation refuses it).
            guard list.count < 10_000, let evaluation = evaluation(&s) else { return nil }
            list.append(evaluation)
        } while s.consume(UInt8(ascii: ","))
        return s.consume(UInt8(ascii: "]")) ? list : nil
    }

    private static func evaluation(_ s: inout JSONTokenScanner) -> Evaluation? {
        guard s.consume(UInt8(ascii: "{")) else { return nil }
        var type: String?
        var id: String?
        var compliance: String?
        var annotation: String?
        var sawAnnotation = false
        var timestamp: Double?
        repeat {
            guard let key = s.plainString(), s.consume(UInt8(ascii: ":")) else { return nil }
            if key.spells("ComplianceResourceType"), type == nil {
                guard let value = s.string() else { return nil }
                type = value
            } else if key.spells("ComplianceResourceId"), id == nil {
                guard let value = s.string() else { return nil }
                id = value
            } else if key.spells("ComplianceType"), compliance == nil {
                guard let value = s.string() else { return nil }
                compliance = value
            } else if key.spells("Annotation"), !sawAnnotation {
                sawAnnotation = true
                if !s.null() {
                    guard let value = s.string() else { return nil }
                    annotation = value
                }
            } else if key.spells("OrderingTimestamp"), timestamp == nil {
                guard let value = s.number() else { return nil }
                timestamp = value
            } else {
                return nil
            }
        } while s.consume(UInt8(ascii: ","))
        guard s.consume(UInt8(ascii: "}")), let type, let id, let compliance, let timestamp else { return nil }
        return Evaluation(
            complianceResourceType: type, complianceResourceId: id, complianceType: ComplianceType(rawValue: compliance),
            annotation: annotation, orderingTimestamp: Date(timeIntervalSince1970: timestamp))
    }
}

extension PutEvaluationsRequest {
    /// The scanner's fast path instead of the generated `AWSJSONRequest` default (BENCHMARKS.md).
    ///
    /// Declared on the concrete type, so it is the witness of `AWSJSONRequest.decode(_:)` and what
    /// the generated `Call.run(_:)` calls.
    static func decode(_ body: ByteBuffer) throws(ServiceError) -> Self {
        if let request = PutEvaluationsScanner.scan(body) { return request }
        return try AWSJSON.decode(Self.self, from: body)
    }
}
