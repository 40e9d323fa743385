import ConformancePacks
import ConformanceServer
import Foundation

/// Parses one NDJSON line of `conform load` into an ``EvaluationRecord``.
///
/// A line is a flat JSON object: a PutEvaluations `Evaluation` plus `AccountId`, `Region` and
/// `ConfigRuleName`. The common form (string values with any JSON escapes, a number or string
/// `OrderingTimestamp`, `null` for an absent optional) is scanned directly, an order of magnitude
/// faster than `JSONDecoder`; anything else (nested values, repeated keys, a line that is not
/// JSON) goes through `JSONDecoder`, which gives the exact error.
struct EvaluationLineParser {
    private let decoder = JSONDecoder()

    /// The record of `line`, or why it is not one.
    func parse(_ line: UnsafeRawBufferPointer) -> Result<EvaluationRecord, LineError> {
        if let fields = FlatObjectScanner(line).fields(), let record = Self.record(fields) { return .success(record) }
        do {
            return .success(try decoder.decode(EvaluationRecord.self, from: Data(line)))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(LineError("missing \(key.stringValue)"))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
            let DecodingError.dataCorrupted(context)
        {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(LineError(path.isEmpty ? "not a JSON object: \(context.debugDescription)" : "\(path): \(context.debugDescription)"))
        } catch {
            return .failure(LineError("not a JSON object"))
        }
    }

    /// The record the scanned fields describe, or nil when one is missing or mistyped (the
    /// decoder then says which).
    private static func record(_ fields: [String: FlatObjectScanner.Value]) -> EvaluationRecord? {
        func string(_ key: String) -> String? {
            if case .string(let value)? = fields[key] { return value }
            return nil
        }
        func optional(_ key: String) -> String?? {
            switch fields[key] {
            case nil, .null?: return .some(nil)
            case .string(let value)?: return .some(value)
            default: return nil
            }
        }
        guard let account = string("AccountId"), let rule = string("ConfigRuleName"),
              let type = string("ComplianceResourceType"), let id = string("ComplianceResourceId"),
              let compliance = string("ComplianceType"), let region = optional("Region"), let annotation = optional("Annotation")
        else { return nil }
        let timestamp: Date
        switch fields["OrderingTimestamp"] {
        case .number(let seconds)?: timestamp = Date(timeIntervalSince1970: seconds)
        case .string(let text)?:
            guard let date = EvaluationRecord.parseTimestamp(text) else { return nil }
            timestamp = date
        default: return nil
        }
        return EvaluationRecord(
            accountId: account, region: region ?? "us-east-1", configRuleName: rule, complianceResourceType: type,
            complianceResourceId: id, complianceType: compliance, annotation: annotation, orderingTimestamp: timestamp)
    }
}

/// Why a line is not a record.
struct LineError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A scanner of one flat JSON object (`{"key": value, ...}` with string, number or null values),
/// over ``JSONTokenScanner``. Returns nil for anything else.
struct FlatObjectScanner {
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case null
    }

    private let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func fields() -> [String: Value]? {
        var s = JSONTokenScanner(bytes)
        var fields: [String: Value] = [:]
        guard s.consume(UInt8(ascii: "{")) else { return nil }
        if !s.consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = s.string(), s.consume(UInt8(ascii: ":")) else { return nil }
                let value: Value
                if s.peek(UInt8(ascii: "\"")) {
                    guard let text = s.string() else { return nil }
                    value = .string(text)
                } else if s.null() {
                    value = .null
                } else {
                    guard let number = s.number() else { return nil }
                    value = .number(number)
                }
                guard fields.updateValue(value, forKey: key) == nil else { return nil }  // duplicates: let the decoder judge
            } while s.consume(UInt8(ascii: ","))
            guard s.consume(UInt8(ascii: "}")) else { return nil }
        }
        return s.atEnd() ? fields : nil
    }
}
