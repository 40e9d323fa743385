import ConformancePacks
@testable import ConformanceServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A three-rule template used across the routing tests.
let threeRuleTemplate = """
    {"Resources": {
      "R1": {"Type": "AWS::Config::ConfigRule", "Properties": {"ConfigRuleName": "s3-versioning", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}},
      "R2": {"Type": "AWS::Config::ConfigRule", "Properties": {"ConfigRuleName": "iam-password", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}},
      "R3": {"Type": "AWS::Config::ConfigRule", "Properties": {"ConfigRuleName": "root-mfa", "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}}}
    }}
    """

/// A service whose every call fails with something that is not a `ConformanceError`; the Config
/// API operations come from the generated `FailingConformanceService`.
struct BrokenService: FailingConformanceService {
    struct Secret: Error, CustomStringConvertible { var description: String { "/secret/path/segment.seg offset 42" } }
    var isReadOnly: Bool
    var failure: any Error { Secret() }
    func putTemplate(s3Uri: String, body: String) async throws { throw Secret() }
    func putTemplate(documentName: String, documentVersion: String?, body: String) async throws -> String { throw Secret() }
    func ingest(_ records: [EvaluationRecord], strict: Bool) async throws -> IngestReport { throw Secret() }
    func putOrganization(_ organization: Organization) async throws -> Bool { throw Secret() }
    func organization() async throws -> Organization { throw Secret() }
    func putDeploymentFault(_ fault: DeploymentFault) async throws { throw Secret() }
    func deleteDeploymentFault(
        organizationConformancePackName: String, accountId: String, operation: DeploymentFault.Operation?
    ) async throws -> Bool { throw Secret() }
    func pointView(at point: ConformanceEngine.ReadPoint) async throws -> BrokenService { throw Secret() }
    var lastSequence: UInt64 { 0 }
}

/// Runs `body` against a fresh engine in a temporary directory, served in process.
func withServer(
    credentials: CredentialStore? = nil,
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-server-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none))
    let app = ConformanceServer.makeApplication(
        service: engine, configuration: .init(credentials: credentials), logger: Logger(label: "test")
    )
    do {
        try await app.test(.router, body)
    } catch {
        try? await engine.close()
        throw error
    }
    try await engine.close()
}

extension TestClientProtocol {
    /// POSTs an AWS JSON 1.1 call.
    func call(_ target: String?, _ body: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = AWSJSON.contentType
        if let target { headers[HTTPField.Name("X-Amz-Target")!] = target }
        return try await execute(uri: "/", method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }
    var errorType: String? { json["__type"] as? String }
}

@Suite("Routing")
struct RoutingTests {
    @Test("Routes every operation to the engine and answers in AWS JSON 1.1")
    func routesEveryOperation() async throws {
        try await withServer { client in
            let put = try await client.call(
                "StarlingDoveService.PutConformancePack",
                #"{"ConformancePackName": "pack-a", "TemplateBody": \#(String(reflecting: threeRuleTemplate))}"#
            )
            #expect(put.status == .ok)
            #expect(put.headers[.contentType] == "application/x-amz-json-1.1")
            #expect(put.headers[HTTPField.Name("x-amzn-RequestId")!]?.utf8.count == 36)
            let arn = try #require(put.json["ConformancePackArn"] as? String)
            #expect(arn.hasPrefix("arn:aws:config:us-east-1:123456789012:conformance-pack/pack-a/conformance-pack-"))

            let packs = try await client.call("StarlingDoveService.DescribeConformancePacks", "{}")
            let details = try #require(packs.json["ConformancePackDetails"] as? [[String: Any]])
            #expect(details.map { $0["ConformancePackName"] as? String } == ["pack-a"])
            #expect(details[0]["LastUpdateRequestedTime"] is NSNumber)
            #expect(packs.json["NextToken"] == nil)

            let status = try await client.call("StarlingDoveService.DescribeConformancePackStatus", #"{"ConformancePackNames": ["pack-a", "nope"]}"#)
            let statuses = try #require(status.json["ConformancePackStatusDetails"] as? [[String: Any]])
            #expect(statuses.count == 1)

            let rules = try await client.call("StarlingDoveService.DescribeConfigRules", "{}")
            #expect((rules.json["ConfigRules"] as? [Any])?.count == 3)

            let putRule = try await client.call(
                "StarlingDoveService.PutConfigRule",
                #"{"ConfigRule": {"ConfigRuleName": "mine", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}"#
            )
            #expect(putRule.status == .ok)
            #expect(String(buffer: putRule.body) == "{}")
            let deleteRule = try await client.call("StarlingDoveService.DeleteConfigRule", #"{"ConfigRuleName": "mine"}"#)
            #expect(deleteRule.status == .ok && String(buffer: deleteRule.body) == "{}")

            let delete = try await client.call("StarlingDoveService.DeleteConformancePack", #"{"ConformancePackName": "pack-a"}"#)
            #expect(delete.status == .ok && String(buffer: delete.body) == "{}")
            let gone = try await client.call("StarlingDoveService.DescribeConformancePacks", #"{"ConformancePackNames": ["pack-a"]}"#)
            #expect(gone.status == .badRequest)
            #expect(gone.errorType == "NoSuchConformancePackException")
            #expect(gone.headers[HTTPField.Name("x-amzn-ErrorType")!] == "NoSuchConformancePackException")
        }
    }

    @Test("Admin PutTemplate registers what TemplateS3Uri and SSM documents resolve to")
    func adminPutTemplate() async throws {
        try await withServer { client in
            let body = String(reflecting: threeRuleTemplate)
            let s3 = try await client.call("ConformAdmin.PutTemplate", #"{"TemplateS3Uri": "s3://bucket/t.json", "TemplateBody": \#(body)}"#)
            #expect(s3.status == .ok)
            let put = try await client.call("StarlingDoveService.PutConformancePack", #"{"ConformancePackName": "from-s3", "TemplateS3Uri": "s3://bucket/t.json"}"#)
            #expect(put.status == .ok)
            let ssm = try await client.call("ConformAdmin.PutTemplate", #"{"DocumentName": "my-doc", "TemplateBody": \#(body)}"#)
            #expect(ssm.status == .ok && ssm.json["DocumentVersion"] as? String == "1")
            let both = try await client.call("ConformAdmin.PutTemplate", #"{"DocumentName": "my-doc", "TemplateS3Uri": "s3://b/k", "TemplateBody": "x"}"#)
            #expect(both.errorType == "InvalidParameterValueException")
            let unknown = try await client.call("StarlingDoveService.PutConformancePack", #"{"ConformancePackName": "x", "TemplateS3Uri": "s3://bucket/none"}"#)
            #expect(unknown.errorType == "InsufficientPermissionsException")
        }
    }

    @Test(
        "Refuses what is not a routed AWS JSON call",
        arguments: [
            (nil, "{}", "UnknownOperationException"),
            ("StarlingDoveService.ListBuckets", "{}", "UnknownOperationException"),
            ("StarlingDoveService.PutAggregationAuthorization", "{}", "UnknownOperationException"),  // shapes only, not routed yet
            ("ConformAdmin.Nope", "{}", "UnknownOperationException"),
            ("starlingdoveservice.DescribeConformancePacks", "{}", "UnknownOperationException"),
            ("StarlingDoveService.DescribeConformancePacks", "[1]", "SerializationException"),
            ("StarlingDoveService.DescribeConformancePacks", #"{"Limit": 100}"#, "InvalidLimitException"),
            ("StarlingDoveService.DescribeConformancePacks", #"{"NextToken": "forged"}"#, "InvalidNextTokenException"),
            ("StarlingDoveService.DeleteConformancePack", "{}", "ValidationException"),
            ("StarlingDoveService.DeleteConformancePack", #"{"ConformancePackName": "a_b"}"#, "ValidationException"),
        ] as [(String?, String, String)]
    )
    func refusals(_ target: String?, _ body: String, _ expected: String) async throws {
        try await withServer { client in
            let response = try await client.call(target, body)
            #expect(response.status == .badRequest)
            #expect(response.errorType == expected)
            #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == expected)
            #expect(response.json["message"] is String)
        }
    }

    @Test(
        "Values a model enum does not list decode, then fail validation with AWS's message",
        arguments: [
            (
                "StarlingDoveService.DescribeConfigRules", #"{"Filters": {"EvaluationMode": "SOMETIMES"}}"#,
                "1 validation error detected: Value 'SOMETIMES' at 'filters.evaluationMode' failed to satisfy constraint: Member must satisfy enum value set: [DETECTIVE, PROACTIVE]"
            ),
            (
                "StarlingDoveService.PutConfigRule",
                #"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "aws", "SourceIdentifier": "X"}, "MaximumExecutionFrequency": "Daily"}}"#,
                "2 validation errors detected: Value 'aws' at 'configRule.source.owner' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOM_LAMBDA, AWS, CUSTOM_POLICY]; Value 'Daily' at 'configRule.maximumExecutionFrequency' failed to satisfy constraint: Member must satisfy enum value set: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]"
            ),
            (
                "StarlingDoveService.PutConfigRule", #"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": 5}}}"#,
                "Unexpected JSON type at 'configRule.source.owner': expected a string."
            ),
            (
                "StarlingDoveService.PutConfigRule", #"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": null}}}"#,
                "1 validation error detected: Value null at 'configRule.source.owner' failed to satisfy constraint: Member must not be null"
            ),
        ]
    )
    func unknownEnumValues(_ target: String, _ body: String, _ message: String) async throws {
        try await withServer { client in
            let response = try await client.call(target, body)
            #expect(response.status == .badRequest)
            #expect(response.json["message"] as? String == message)
        }
    }

    @Test("Refuses GET and bodies over 1 MiB")
    func methodAndSize() async throws {
        try await withServer { client in
            let get = try await client.execute(uri: "/", method: .get)
            #expect(get.status == .badRequest && get.errorType == "UnknownOperationException")
            let big = String(repeating: "x", count: ServerLimits.maxBodyBytes + 1)
            let tooLarge = try await client.call("StarlingDoveService.DescribeConformancePacks", big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorType == "RequestEntityTooLargeException")
            let fine = try await client.call("StarlingDoveService.DescribeConformancePacks", "{}")
            #expect(fine.status == .ok)
        }
    }

    @Test("Unexpected failures are a 500 InternalFailure that leaks nothing")
    func internalFailure() async throws {
        let app = ConformanceServer.makeApplication(
            service: BrokenService(isReadOnly: false), configuration: .init(), logger: Logger(label: "test")
        )
        try await app.test(.router) { client in
            let response = try await client.call("StarlingDoveService.DescribeConformancePacks", "{}")
            #expect(response.status == .internalServerError)
            #expect(response.errorType == "InternalFailure")
            #expect(!String(buffer: response.body).contains("secret"))
        }
    }

    @Test("A read-only service refuses writes and admin targets but answers queries")
    func readOnly() async throws {
        let app = ConformanceServer.makeApplication(
            service: BrokenService(isReadOnly: true), configuration: .init(), logger: Logger(label: "test")
        )
        try await app.test(.router) { client in
            for target in ["StarlingDoveService.PutConformancePack", "StarlingDoveService.DeleteConfigRule", "ConformAdmin.PutTemplate"] {
                let response = try await client.call(target, "{}")
                #expect(response.errorType == "AccessDeniedException", "\(target)")
            }
            let query = try await client.call("StarlingDoveService.DescribeConformancePacks", "{}")
            #expect(query.errorType == "InternalFailure")  // reached the (broken) service
        }
    }

    @Test("With credentials, the account comes from the key and unsigned calls are refused")
    func verifiedAccounts() async throws {
        let store = try CredentialStore([BotocoreVector.credential])
        try await withServer(credentials: store) { client in
            let unsigned = try await client.call("StarlingDoveService.DescribeConformancePacks", "{}")
            #expect(unsigned.status == .forbidden && unsigned.errorType == "MissingAuthenticationTokenException")
            let wrong = try await client.call(
                "StarlingDoveService.DescribeConformancePacks", "{}",
                headers: [.authorization: BotocoreVector.authorization, HTTPField.Name("X-Amz-Date")!: BotocoreVector.amzDate]
            )
            #expect(wrong.status.code >= 400 && wrong.status.code < 500)
        }
    }
}
