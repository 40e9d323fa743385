import ConformancePacks
import Hummingbird

/// A fast path for the bodies of DescribeConformancePacks and DescribeConformancePackStatus, the
/// hottest requests: `{"ConformancePackNames": [...], "Limit": n, "NextToken": "..."}`.
///
/// `JSONDecoder` builds a map of the document and then decodes through existential containers,
/// which profiles showed costing as much as the rest of the request. This scanner accepts only the
/// plain form (those three members at most once each, strings without escapes or control
/// characters, a non-negative integer limit of at most 9 digits, no `null`) and returns `nil` for
/// anything else, so every unusual body still goes through `JSONDecoder` and gets its exact error.
/// What it accepts, it decodes to the same value `JSONDecoder` would (`JSONTests` checks).
struct PackQueryScanner: ~Copyable {
    /// The members of both request shapes.
    struct Query: Equatable {
        var names: [String]?
        var limit: Int?
        var nextToken: String?
    }

    private var tokens: JSONTokenScanner

    private init(_ bytes: UnsafeRawBufferPointer) {
        tokens = JSONTokenScanner(bytes)
    }

    /// Scans a body; `nil` when it is not in the plain form.
    static func scan(_ body: ByteBuffer) -> Query? {
        body.withUnsafeReadableBytes { bytes in
            var scanner = PackQueryScanner(bytes)
            return scanner.object()
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool { tokens.consume(byte) }

    /// A string without escapes or control characters.
    private mutating func string() -> String? {
        tokens.plainString().flatMap { String(validating: $0, as: UTF8.self) }
    }

    private mutating func integer() -> Int? {
        tokens.nonNegativeInteger(maxDigits: 9)
    }

    private mutating func stringList() -> [String]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var list: [String] = []
        if consume(UInt8(ascii: "]")) { return list }
        while true {
            guard list.count < 1_000, let element = string() else { return nil }
            list.append(element)
            if consume(UInt8(ascii: "]")) { return list }
            guard consume(UInt8(ascii: ",")) else { return nil }
        }
    }

    private mutating func object() -> Query? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var query = Query()
        var seen = (names: false, limit: false, token: false)
        if !consume(UInt8(ascii: "}")) {
            while true {
                guard let key = string(), consume(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "ConformancePackNames" where !seen.names:
                    seen.names = true
                    guard let names = stringList() else { return nil }
                    query.names = names
                case "Limit" where !seen.limit:
                    seen.limit = true
                    guard let limit = integer() else { return nil }
                    query.limit = limit
                case "NextToken" where !seen.token:
                    seen.token = true
                    guard let token = string() else { return nil }
                    query.nextToken = token
                default:
                    return nil
                }
                if consume(UInt8(ascii: "}")) { break }
                guard consume(UInt8(ascii: ",")) else { return nil }
            }
        }
        return tokens.atEnd() ? query : nil
    }
}

/// A request of names, `Limit` and `NextToken`: the shape the scanner's fast path reads.
protocol PackQueryRequest: Decodable {
    init(conformancePackNames: [String]?, limit: Int?, nextToken: String?)
}

extension DescribeConformancePacksRequest: PackQueryRequest {
    /// The scanner's fast path instead of the generated `AWSJSONRequest` default (BENCHMARKS.md).
    ///
    /// Declared on the concrete type, so it is the witness of `AWSJSONRequest.decode(_:)` and what
    /// the generated `Call.run(_:)` calls.
    static func decode(_ body: ByteBuffer) throws(ServiceError) -> Self {
        try scanningDecode(body)
    }
}

extension DescribeConformancePackStatusRequest: PackQueryRequest {
    /// The scanner's fast path instead of the generated `AWSJSONRequest` default (BENCHMARKS.md).
    ///
    /// Declared on the concrete type, so it is the witness of `AWSJSONRequest.decode(_:)` and what
    /// the generated `Call.run(_:)` calls.
    static func decode(_ body: ByteBuffer) throws(ServiceError) -> Self {
        try scanningDecode(body)
    }
}

extension PackQueryRequest {
    /// The request, from the fast path when the body is plain, else from `JSONDecoder`.
    static func scanningDecode(_ body: ByteBuffer) throws(ServiceError) -> Self {
        if let query = PackQueryScanner.scan(body) {
            return Self(conformancePackNames: query.names, limit: query.limit, nextToken: query.nextToken)
        }
        return try AWSJSON.decode(Self.self, from: body)
    }
}
