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
                    conformancePackState: "CREATE_COMPLETE", stackArn: "arn:stack\\x",
                    lastUpdateRequestedTime: Date(timeIntervalSince1970: 1_573_865_201.619),
                    lastUpdateCompletedTime: nil
                ),
                ConformancePackStatusDetail(
                    conformancePackName: "b", conformancePackId: "id", conformancePackArn: "arn",
                    conformancePackState: "CREATE_FAILED", stackArn: "s", conformancePackStatusReason: "",
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
            (-1.5, "-1.5"),
        ]
    )
    func timestamps(_ seconds: Double, _ expected: String) throws {
        let encoder = JSONStreamEncoder()
        encoder.writeDate(Date(timeIntervalSince1970: seconds))
        #expect(String(decoding: encoder.bytes, as: UTF8.self) == expected)
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
