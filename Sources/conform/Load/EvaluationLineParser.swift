import ConformancePacks
import Foundation

/// Parses one NDJSON line of `conform load` into an ``EvaluationRecord``.
///
/// A line is a flat JSON object: a PutEvaluations `Evaluation` plus `AccountId`, `Region` and
/// `ConfigRuleName`. The common form (string values with any JSON escapes, a number or string
/// `OrderingTimestamp`, `null` for an absent optional) is scanned directly, an order of magnitude
/// faster than `JSONDecoder`; anything else (nested values, odd spacing that the scanner does not
/// follow) goes through `JSONDecoder`, which gives the exact error.
struct EvaluationLineParser {
    private let decoder = JSONDecoder()

    /// The record of `line`, or why it is not one.
    func parse(_ line: UnsafeRawBufferPointer) -> Result<EvaluationRecord, LineError> {
        var scanner = FlatObjectScanner(line)
        if let fields = scanner.fields(), let record = Self.record(fields) { return .success(record) }
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

/// A scanner of one flat JSON object (`{"key": value, ...}` with string, number or null values).
/// Returns nil for anything else.
struct FlatObjectScanner {
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case null
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func fields() -> [String: Value]? {
        var fields: [String: Value] = [:]
        guard consume(UInt8(ascii: "{")) else { return nil }
        if consume(UInt8(ascii: "}")) { return finished() ? fields : nil }
        repeat {
            guard let key = string(), consume(UInt8(ascii: ":")), let value = value() else { return nil }
            guard fields.updateValue(value, forKey: key) == nil else { return nil }  // duplicates: let the decoder judge
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")), finished() else { return nil }
        return fields
    }

    private mutating func finished() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D || bytes[index] == 0x0A {
            index += 1
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func value() -> Value? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string().map(Value.string)
        case UInt8(ascii: "n"):
            guard index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                  bytes[index + 3] == UInt8(ascii: "l")
            else { return nil }
            index += 4
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            guard let number = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
                  number.isFinite
            else { return nil }
            return .number(number)
        default:
            return nil
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// A JSON string, escapes decoded; nil when malformed (raw control characters, bad escapes,
    /// unpaired surrogates, invalid UTF-8).
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            index += 1
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return text
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                        index += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        return nil
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
