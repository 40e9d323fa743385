import ConformancePacks
@testable import ConformanceServer
import Foundation
import Hummingbird
import Testing

@Suite("AWS JSON 1.1 bodies")
struct JSONTests {
    /// Parses JSON text into Foundation objects so two encodings can be compared regardless of key order.
    func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("The stream encoder agrees with JSONEncoder and omits absent members")
    func agreesWithFoundation() throws {
        let response = DescribeConformancePackStatusResponse(
            conformancePackStatusDetails: [
                ConformancePackStatusDetail(
                    conformancePackName: "pack-\"quoted\"\n\u{1}é", conformancePackId: "conformance-pack-abc",
                    conformancePackArn: "arn:aws:config:us-east-1:123456789012:conformance-pack/p/conformance-pack-abc",
                    conformancePackState: .createComplete, stackArn: "arn:stack\\x",
                    lastUpdateRequestedTime: Date(timeIntervalSince1970: 1_573_865_201.619),
                    lastUpdateCompletedTime: nil
                ),
                ConformancePackStatusDetail(
                    conformancePackName: "b", conformancePackId: "id", conformancePackArn: "arn",
                    conformancePackState: .createFailed, stackArn: "s", conformancePackStatusReason: "",
                    lastUpdateRequestedTime: Date(timeIntervalSince1970: 1)
                ),
            ],
            nextToken: nil
        )
        let ours = try JSONStreamEncoder.encode(response)
        let text = String(decoding: ours, as: UTF8.self)
        #expect(!text.contains("null"))
        #expect(!text.contains("NextToken"))
        #expect(!text.contains("LastUpdateCompletedTime"))
        let foundation = JSONEncoder()
        foundation.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode((date.timeIntervalSince1970 * 1000).rounded() / 1000)
        }
        #expect(try object(ours) == object(Array(try foundation.encode(response))))
    }

    @Test(
        "Timestamps are epoch seconds with at most millisecond precision",
        arguments: [
            (1_573_865_201.619, "1573865201.619"),
            (1_573_865_201.6, "1573865201.6"),
            (1_573_865_201.0, "1573865201"),
            (1_573_865_201.6194, "1573865201.619"),
            (1_573_865_201.6196, "1573865201.62"),
            (1_700_000_000.001, "1700000000.001"),
            (1_700_000_000.01, "1700000000.01"),
            (1_700_000_000.101, "1700000000.101"),
            (0, "0"),
            (0.05, "0.05"),
            (-1.5, "-1.5"),
        ]
    )
    func timestamps(_ seconds: Double, _ expected: String) throws {
        let encoder = JSONStreamEncoder()
        encoder.writeDate(Date(timeIntervalSince1970: seconds))
        #expect(String(decoding: encoder.bytes, as: UTF8.self) == expected)
    }

    @Test("Integers are written as Swift prints them, without a String in between")
    func integers() {
        let values: [Int64] = [0, 7, -7, 10, 1_000_000, Int64.max, Int64.min]
        for value in values {
            let encoder = JSONStreamEncoder()
            encoder.writeInteger(value)
            #expect(String(decoding: encoder.bytes, as: UTF8.self) == String(value))
        }
        let encoder = JSONStreamEncoder()
        encoder.writeInteger(UInt64.max)
        #expect(String(decoding: encoder.bytes, as: UTF8.self) == String(UInt64.max))
    }

    @Test("Errors are {\"__type\", \"message\"} with escaped text")
    func errorBody() throws {
        let body = AWSJSON.errorBody(ServiceError(.noSuchConformancePack, "No pack \"x\"\n"))
        let parsed = try object(Array(body.readableBytesView))
        #expect(parsed["__type"] as? String == "NoSuchConformancePackException")
        #expect(parsed["message"] as? String == "No pack \"x\"\n")
    }

    @Test(
        "Missing or null required members are ValidationExceptions naming AWS's path",
        arguments: [
            ("{}", "conformancePackName"),
            (#"{"ConformancePackName": null}"#, "conformancePackName"),
            (#"{"ConformancePackName": "p", "ConformancePackInputParameters": [{"ParameterName": "a", "ParameterValue": "b"}, {"ParameterValue": "c"}]}"#,
             "conformancePackInputParameters.2.member.parameterName"),
            (#"{"ConformancePackName": "p", "TemplateSSMDocumentDetails": {}}"#, "templateSSMDocumentDetails.documentName"),
        ]
    )
    func requiredMembers(_ body: String, _ path: String) {
        #expect(throws: ServiceError(
            .validation,
            "1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null"
        )) {
            try AWSJSON.decode(PutConformancePackRequest.self, from: ByteBuffer(string: body))
        }
    }

    @Test(
        "Malformed bodies and wrong member types are SerializationExceptions",
        arguments: [
            "[]", "\"text\"", "42", "{", "not json", #"{"ConformancePackNames": "p"}"#, #"{"Limit": "5"}"#,
            #"{"Limit": 1.5}"#, #"{"Limit": 1e40}"#, #"{"ConformancePackNames": [1]}"#, #"{"NextToken": {}}"#,
        ]
    )
    func serialization(_ body: String) {
        do {
            _ = try AWSJSON.decode(DescribeConformancePacksRequest.self, from: ByteBuffer(string: body))
            Issue.record("decoded \(body)")
        } catch {
            #expect(error.type == "SerializationException")
            #expect(error.status == .badRequest)
        }
    }

    @Test("An empty body reads as {}, unknown members and nulls of optional members are ignored")
    func lenientInputs() throws {
        #expect(try AWSJSON.decode(DescribeConformancePacksRequest.self, from: ByteBuffer()) == .init())
        let decoded = try AWSJSON.decode(
            DescribeConformancePacksRequest.self, from: ByteBuffer(string: #"{"Limit": null, "Whatever": [1, {"a": 2}]}"#)
        )
        #expect(decoded == .init())
    }

    @Test("Request timestamps may be integers or fractions")
    func requestTimestamps() throws {
        struct Stamp: Decodable { var at: Date }
        #expect(try AWSJSON.decode(Stamp.self, from: ByteBuffer(string: #"{"at": 1704164645}"#)).at.timeIntervalSince1970 == 1_704_164_645)
        #expect(try AWSJSON.decode(Stamp.self, from: ByteBuffer(string: #"{"at": 1704164645.678}"#)).at.timeIntervalSince1970 == 1_704_164_645.678)
    }

    @Test("Every modeled exception is 400, authentication failures 403, InternalFailure 500")
    func statuses() {
        for code in ConformanceError.Code.allCases {
            let status = ServiceError.status(for: code)
            switch code {
            case .missingAuthenticationToken, .invalidSignature, .unrecognizedClient, .invalidClientTokenId:
                #expect(status == .forbidden)
            case .internalFailure: #expect(status == .internalServerError)
            case .serviceUnavailable: #expect(status == .serviceUnavailable)
            default: #expect(status == .badRequest, "\(code)")
            }
        }
    }
}

@Suite("Generated JSON writers")
struct GeneratedWriterTests {
    func fast(_ value: some JSONStreamWritable) -> [UInt8] {
        let encoder = JSONStreamEncoder()
        value.write(to: encoder)
        return encoder.bytes
    }

    func check<T: JSONStreamWritable & Codable>(_ type: T.Type, _ mode: FixtureDecoder.Mode) throws {
        let value = try FixtureDecoder.make(T.self, mode)
        let written = fast(value)
        #expect(
            String(decoding: written, as: UTF8.self) == String(decoding: try JSONStreamEncoder.encode(value), as: UTF8.self),
            "\(T.self), \(mode)"
        )
    }

    @Test("Write exactly what Encodable writes, for every shape an output reaches, populated or sparse")
    func matchEncodable() throws {
        #expect(ShapeCatalog.writers.count > 40)
        for type in ShapeCatalog.writers {
            try check(type, .populated)
            try check(type, .sparse)
        }
    }

    /// Whether a reflected value is an absent optional.
    func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    func coverage<T: JSONStreamWritable & Codable>(_ type: T.Type) throws {
        let value = try FixtureDecoder.make(T.self, .populated)
        let members = Mirror(reflecting: value).children
        for member in members {
            #expect(!isNil(member.value), "\(T.self).\(member.label ?? "?") was not populated")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(fast(value))) as? [String: Any])
        #expect(object.count == members.count, "\(T.self): \(members.count) stored properties, \(object.count) written")
    }

    @Test("Cover every stored property of the shapes they write")
    func coverEveryMember() throws {
        for type in ShapeCatalog.writers {
            try coverage(type)
        }
    }

    /// The types of the writable values nested anywhere in `value`.
    func nestedWritables(_ value: Any, into types: inout Set<ObjectIdentifier>) {
        for child in Mirror(reflecting: value).children {
            if let writable = child.value as? any JSONStreamWritable {
                types.insert(ObjectIdentifier(type(of: writable)))
            }
            nestedWritables(child.value, into: &types)
        }
    }

    func nested<T: JSONStreamWritable & Codable>(_ type: T.Type, into types: inout Set<ObjectIdentifier>) throws {
        nestedWritables(try FixtureDecoder.make(T.self, .populated), into: &types)
    }

    @Test("The catalog lists every shape nested in a written shape, and every served output")
    func catalogIsComplete() throws {
        let listed = Set(ShapeCatalog.writers.map { ObjectIdentifier($0) })
        var reached = Set<ObjectIdentifier>()
        for type in ShapeCatalog.writers {
            try nested(type, into: &reached)
        }
        #expect(reached.isSubset(of: listed))
        let outputs: [any JSONStreamWritable.Type] = [
            PutConformancePackResponse.self, DescribeConformancePacksResponse.self,
            DescribeConformancePackStatusResponse.self, DescribeConfigRulesResponse.self,
        ]
        #expect(outputs.allSatisfy { listed.contains(ObjectIdentifier($0)) })
    }

    /// A shape with what the model does not use yet but the generator can write: a map, a list of
    /// lists, integers and booleans; its writer is what the generator emits for such members.
    struct Probe: Codable, JSONStreamWritable {
        var counts: [String: Int]?
        var matrix: [[String]]?
        var flags: [String: [Bool]]?
        var limit: Int?
        var enabled: Bool
        var mode: EvaluationMode?
        var at: Date?

        enum CodingKeys: String, CodingKey {
            case counts = "Counts", matrix = "Matrix", flags = "Flags", limit = "Limit", enabled = "Enabled", mode = "Mode", at = "At"
        }

        func write(to encoder: JSONStreamEncoder) {
            var object = JSONObjectWriter(encoder)
            object.map("Counts", counts) { $1.writeInteger($0) }
            object.array("Matrix", matrix) { $1.writeArray($0) { $1.writeString($0) } }
            object.map("Flags", flags) { $1.writeArray($0) { $1.writeBool($0) } }
            object.integer("Limit", limit)
            object.bool("Enabled", enabled)
            object.string("Mode", mode?.rawValue)
            object.date("At", at)
            object.finish()
        }
    }

    @Test("Maps, nested lists, integers and booleans write what Encodable writes")
    func otherMemberKinds() throws {
        for mode in [FixtureDecoder.Mode.populated, .sparse] {
            try check(Probe.self, mode)
        }
        let explicit = Probe(counts: [:], matrix: [[], ["a"]], flags: ["x": []], limit: 0, enabled: false, mode: .unknown("X"), at: nil)
        #expect(fast(explicit) == (try JSONStreamEncoder.encode(explicit)))
    }
}

@Suite("Model enums")
struct ModelEnumTests {
    func check<E: ModelEnum>(_ type: E.Type, _ values: [String]) throws {
        #expect(E.allCases.map(\.rawValue) == values, "\(E.self)")
        #expect(Set(E.allCases).count == values.count, "\(E.self)")
        for raw in values + ["NOT_LISTED", "", "é \"q\" \\"] {
            let value = E(rawValue: raw)
            #expect(value.rawValue == raw)
            #expect(value.isListed == values.contains(raw), "\(E.self) \(raw)")
            #expect("\(value)" == raw)
            let json = try JSONStreamEncoder.encode([value])
            #expect(json == (try JSONStreamEncoder.encode([raw])))
            #expect(try JSONDecoder().decode([E].self, from: Data(json)) == [value])
        }
    }

    @Test("List the model's values in order; listed and unknown values round-trip as their raw strings")
    func roundTrip() throws {
        #expect(ShapeCatalog.enums.count >= 14)
        for (type, values) in ShapeCatalog.enums {
            try check(type, values)
        }
    }

    @Test("Swift names are derived from the raw values", arguments: [
        (MaximumExecutionFrequency.oneHour, "One_Hour"), (.twentyFourHours, "TwentyFour_Hours"),
    ])
    func names(_ value: MaximumExecutionFrequency, _ raw: String) {
        #expect(value.rawValue == raw)
    }

    @Test("Other spellings of the same name are enum values the model does not list")
    func spelling() {
        #expect(ComplianceType(rawValue: "NON_COMPLIANT") == .nonCompliant)
        #expect(ComplianceType(rawValue: "non_compliant") == .unknown("non_compliant"))
        #expect(EventSource(rawValue: "aws.config") == .awsConfig)
        #expect(Owner(rawValue: "AWS") == .aws)
    }
}

@Suite("Fast path of DescribeConformancePacks/Status bodies")
struct PackQueryScannerTests {
    func viaDecoder(_ body: String) -> DescribeConformancePacksRequest? {
        try? AWSJSON.decode(DescribeConformancePacksRequest.self, from: ByteBuffer(string: body))
    }

    @Test(
        "Accepts the plain form and decodes what JSONDecoder decodes",
        arguments: [
            "{}", " { } ", #"{"ConformancePackNames": ["a", "b-1", "é"]}"#, #"{"Limit": 0}"#, #"{"Limit":20,"NextToken":"abc=="}"#,
            #"{"NextToken": "t", "ConformancePackNames": [], "Limit": 7}"#, "{\n\t\"ConformancePackNames\" : [ \"x\" ]\n}",
        ]
    )
    func accepts(_ body: String) throws {
        let query = try #require(PackQueryScanner.scan(ByteBuffer(string: body)))
        let expected = try #require(viaDecoder(body))
        #expect(DescribeConformancePacksRequest(conformancePackNames: query.names, limit: query.limit, nextToken: query.nextToken) == expected)
    }

    @Test(
        "Leaves everything else to JSONDecoder",
        arguments: [
            "", "[]", "{", #"{"Limit": null}"#, #"{"Limit": -1}"#, #"{"Limit": 1.0}"#, #"{"Limit": 1e1}"#, #"{"Limit": 007}"#,
            #"{"Limit": 1234567890}"#, #"{"ConformancePackNames": ["a\"b"]}"#, #"{"ConformancePackNames": "a"}"#,
            #"{"Other": 1}"#, #"{"Limit": 1, "Limit": 2}"#, #"{"Limit": 1} x"#, #"{"Limit": 1,}"#, #"{"ConformancePackNames": [1]}"#,
            "{\"NextToken\": \"a\u{1}b\"}",
        ]
    )
    func declines(_ body: String) {
        #expect(PackQueryScanner.scan(ByteBuffer(string: body)) == nil)
    }

    func viaRequirement<Request: AWSJSONRequest>(_ type: Request.Type, _ body: String) throws(ServiceError) -> Request {
        try Request.decode(ByteBuffer(string: body))
    }

    @Test("The hot Describe requests decode through it, called directly or through the generated requirement")
    func wiredIn() throws {
        for body in [#"{"ConformancePackNames": ["a"], "Limit": 3}"#, #"{"Limit": null, "NextToken": "t"}"#, "{}", ""] {
            let expected = try AWSJSON.decode(DescribeConformancePacksRequest.self, from: ByteBuffer(string: body))
            #expect(try DescribeConformancePacksRequest.decode(ByteBuffer(string: body)) == expected)
            #expect(try viaRequirement(DescribeConformancePacksRequest.self, body) == expected)
            let status = try AWSJSON.decode(DescribeConformancePackStatusRequest.self, from: ByteBuffer(string: body))
            #expect(try DescribeConformancePackStatusRequest.decode(ByteBuffer(string: body)) == status)
            #expect(try viaRequirement(DescribeConformancePackStatusRequest.self, body) == status)
        }
        #expect(throws: ServiceError.self) { try viaRequirement(DescribeConformancePacksRequest.self, #"{"Limit": "5"}"#) }
    }

    @Test("Agrees with JSONDecoder on random plain bodies (seeded)")
    func randomBodies() throws {
        var generator = SeededGenerator(seed: 20_261_125)
        print("PackQueryScannerTests seed 20261125")
        for _ in 0..<500 {
            var members: [String] = []
            if Bool.random(using: &generator) {
                let names = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    String((0..<Int.random(in: 1...8, using: &generator)).map { _ in "abcXYZ-09 ".randomElement(using: &generator)! })
                }
                members.append(#""ConformancePackNames": [\#(names.map { "\"\($0)\"" }.joined(separator: ", "))]"#)
            }
            if Bool.random(using: &generator) { members.append(#""Limit": \#(Int.random(in: 0...99, using: &generator))"#) }
            if Bool.random(using: &generator) { members.append(#""NextToken": "tok\#(Int.random(in: 0...9, using: &generator))""#) }
            members.shuffle(using: &generator)
            let body = "{" + members.joined(separator: ",") + "}"
            let query = try #require(PackQueryScanner.scan(ByteBuffer(string: body)), "\(body)")
            #expect(
                DescribeConformancePacksRequest(conformancePackNames: query.names, limit: query.limit, nextToken: query.nextToken)
                    == viaDecoder(body),
                "\(body)"
            )
        }
    }
}

@Suite("The PutEvaluations fast path")
struct PutEvaluationsScannerTests {
    func viaDecoder(_ body: String) throws -> PutEvaluationsRequest {
        try AWSJSON.decode(PutEvaluationsRequest.self, from: ByteBuffer(string: body))
    }

    @Test("Agrees with JSONDecoder on random bodies (seeded), escapes, nulls and numbers included")
    func randomBodies() throws {
        var generator = SeededGenerator(seed: 20_261_203)
        let texts = ["bucket", "é", "e\\u0301", "a\\\"b", "tab\\there", "\\ud83d\\ude00", "arn:aws:s3:::x/y"]
        let times = ["1704164645", "1704164645.5", "0", "-1.25e3", "1.7e9"]
        for _ in 0..<500 {
            let evaluations = (0..<Int.random(in: 0...5, using: &generator)).map { _ -> String in
                var members = [
                    #""ComplianceResourceType": "AWS::S3::Bucket""#,
                    #""ComplianceResourceId": "\#(texts.randomElement(using: &generator)!)""#,
                    #""ComplianceType": "\#(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "BOGUS"].randomElement(using: &generator)!)""#,
                    #""OrderingTimestamp": \#(times.randomElement(using: &generator)!)"#,
                ]
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: members.append(#""Annotation": "\#(texts.randomElement(using: &generator)!)""#)
                case 1: members.append(#""Annotation": null"#)
                default: break
                }
                members.shuffle(using: &generator)
                return "{" + members.joined(separator: ", ") + "}"
            }
            var members = [#""ResultToken": "\#(texts.randomElement(using: &generator)!)""#, #""Evaluations": [\#(evaluations.joined(separator: ","))]"#]
            if Bool.random(using: &generator) { members.append(#""TestMode": \#(Bool.random(using: &generator))"#) }
            members.shuffle(using: &generator)
            let body = " {" + members.joined(separator: " ,\n ") + "} "
            let scanned = try #require(PutEvaluationsScanner.scan(ByteBuffer(string: body)), "\(body)")
            #expect(scanned == (try viaDecoder(body)), "\(body)")
            #expect(try PutEvaluationsRequest.decode(ByteBuffer(string: body)) == scanned)
        }
    }

    @Test("Leaves every unusual body to JSONDecoder, which gives the exact error")
    func unusualBodies() throws {
        let unusual = [
            #"{"ResultToken": "r", "Evaluations": [{"ComplianceResourceType": "t", "ComplianceResourceId": "i", "ComplianceType": "COMPLIANT", "OrderingTimestamp": "2024-01-01"}]}"#,
            #"{"ResultToken": "r", "ResultToken": "s"}"#,
            #"{"ResultToken": "r", "Other": 1}"#,
            #"{"ResultToken": null}"#,
            #"{"ResultToken": "r", "Evaluations": [{"ComplianceResourceType": "t"}]}"#,
            #"{"ResultToken": "r", "Evaluations": [{}]}"#,
            #"{"ResultToken": "r", "Evaluations": [], }"#,
            #"{"ResultToken": "r", "Evaluations": [{"ComplianceResourceType": "t", "ComplianceResourceId": "i", "ComplianceType": "C", "OrderingTimestamp": 01}]}"#,
            #"{"ResultToken": "bad\x"}"#,
            "",
        ]
        for body in unusual {
            #expect(PutEvaluationsScanner.scan(ByteBuffer(string: body)) == nil, "\(body)")
        }
        // A body the scanner leaves to the decoder still decodes when it is valid.
        let request = try PutEvaluationsRequest.decode(ByteBuffer(string: #"{"ResultToken": "r", "Other": 1}"#))
        #expect(request.resultToken == "r")
    }
}

/// SplitMix64: a small seeded generator for repeatable randomized tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Request ids")
struct RequestIdentifierTests {
    @Test("Are distinct lowercase version-4 UUIDs")
    func distinctUUIDs() {
        var seen = Set<String>()
        for _ in 0..<20_000 {
            let id = RequestIdentifier.make()
            #expect(id.utf8.count == 36)
            #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
    }
}
