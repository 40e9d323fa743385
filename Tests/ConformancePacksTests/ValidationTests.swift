import Testing
@testable import ConformancePacks

@Suite("Request validation and errors")
struct ValidationTests {
    static let body = template(rules: ["r"])

    @Test("PutConformancePack errors", arguments: [
        (PutConformancePackRequest(conformancePackName: "a_b", templateBody: body), ConformanceError.Code.validation),
        (PutConformancePackRequest(conformancePackName: "", templateBody: body), .validation),
        (PutConformancePackRequest(conformancePackName: String(repeating: "a", count: 257), templateBody: body), .validation),
        (PutConformancePackRequest(conformancePackName: "P", templateS3Uri: "http://x"), .validation),
        (PutConformancePackRequest(conformancePackName: "P", templateBody: String(repeating: "#", count: 51_201)), .validation),
        (PutConformancePackRequest(conformancePackName: "P"), .invalidParameterValue),
        (PutConformancePackRequest(
            conformancePackName: "P", templateBody: body,
            templateSSMDocumentDetails: TemplateSSMDocumentDetails(documentName: "doc")), .invalidParameterValue),
        (PutConformancePackRequest(conformancePackName: "P", templateS3Uri: "s3://unknown/t.yaml"), .insufficientPermissions),
        (PutConformancePackRequest(
            conformancePackName: "P", templateSSMDocumentDetails: TemplateSSMDocumentDetails(documentName: "missing-doc")), .insufficientPermissions),
        (PutConformancePackRequest(
            conformancePackName: "P", templateSSMDocumentDetails: TemplateSSMDocumentDetails(documentName: "d")), .validation),
        (PutConformancePackRequest(
            conformancePackName: "P", templateSSMDocumentDetails: TemplateSSMDocumentDetails(documentName: "doc", documentVersion: "0")), .validation),
        (PutConformancePackRequest(
            conformancePackName: "P", templateBody: body,
            conformancePackInputParameters: Array(repeating: ConformancePackInputParameter(parameterName: "x", parameterValue: "y"), count: 61)), .validation),
        (PutConformancePackRequest(conformancePackName: "P", templateBody: "Resources: [1, 2"), .conformancePackTemplateValidation),
    ])
    func putErrors(_ request: PutConformancePackRequest, _ code: ConformanceError.Code) async throws {
        try await withEngine { engine in
            #expect(await errorCode { _ = try await engine.putConformancePack(request, context: alice) } == code)
        }
    }

    @Test("Limit out of range is InvalidLimitException", arguments: [-1, 21, 1000])
    func invalidLimit(_ limit: Int) async throws {
        try await withEngine { engine in
            #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(limit: limit), context: alice) } == .invalidLimit)
            #expect(await errorCode { _ = try await engine.describeConformancePackStatus(.init(limit: limit), context: alice) } == .invalidLimit)
        }
    }

    @Test("A validation message names the value, the member path and the constraint")
    func validationMessage() async throws {
        try await withEngine { engine in
            do throws(ConformanceError) {
                _ = try await engine.putConformancePack(PutConformancePackRequest(conformancePackName: "P", templateS3Uri: "invalid-s3-uri"), context: alice)
                Issue.record("expected a validation error")
            } catch {
                #expect(error.code == .validation)
                #expect(error.message == "1 validation error detected: Value 'invalid-s3-uri' at 'templateS3Uri' failed to satisfy constraint: Member must satisfy regular expression pattern: s3://.*")
            }
        }
    }

    @Test("A value a model enum does not list is reported in AWS's form, in member order", arguments: [
        (
            PutConfigRuleRequest(configRule: ConfigRule(
                configRuleName: "r",
                source: Source(owner: .unknown("NOBODY"), sourceIdentifier: "X", sourceDetails: [
                    SourceDetail(messageType: .scheduledNotification), SourceDetail(eventSource: .unknown("aws.s3")),
                ]),
                maximumExecutionFrequency: .unknown("Daily"),
                evaluationModes: [EvaluationModeConfiguration(mode: .proactive), EvaluationModeConfiguration(mode: .unknown("detective"))]
            )),
            "4 validation errors detected: "
                + "Value 'NOBODY' at 'configRule.source.owner' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOM_LAMBDA, AWS, CUSTOM_POLICY]; "
                + "Value 'aws.s3' at 'configRule.source.sourceDetails.2.member.eventSource' failed to satisfy constraint: Member must satisfy enum value set: [aws.config]; "
                + "Value 'Daily' at 'configRule.maximumExecutionFrequency' failed to satisfy constraint: Member must satisfy enum value set: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]; "
                + "Value 'detective' at 'configRule.evaluationModes.2.member.mode' failed to satisfy constraint: Member must satisfy enum value set: [DETECTIVE, PROACTIVE]"
        ),
        (
            PutConfigRuleRequest(configRule: ConfigRule(configRuleName: "r", source: Source(owner: .aws, sourceIdentifier: "X"), configRuleState: .unknown(""))),
            "1 validation error detected: Value '' at 'configRule.configRuleState' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, DELETING, DELETING_RESULTS, EVALUATING]"
        ),
    ])
    func enumMessages(_ request: PutConfigRuleRequest, _ message: String) {
        #expect(throws: ConformanceError(.validation, message)) { try request.validate() }
    }

    @Test("TemplateS3Uri resolves through the registry and wins over TemplateBody; size is capped at 307,200 bytes")
    func s3Registry() async throws {
        try await withEngine { engine in
            try await engine.putTemplate(s3Uri: "s3://bucket/pack.yaml", body: template(rules: ["from-s3"]))
            var request = PutConformancePackRequest(conformancePackName: "P", templateS3Uri: "s3://bucket/pack.yaml", templateBody: template(rules: ["from-body"]))
            _ = try await engine.putConformancePack(request, context: alice)
            let names = try await engine.describeConfigRules(.init(), context: alice).configRules?.compactMap(\.configRuleName) ?? []
            #expect(names.count == 1 && names[0].hasPrefix("from-s3-"))

            let big = template(rules: ["big"]) + String(repeating: "#", count: 307_200) + "\n"
            try await engine.putTemplate(s3Uri: "s3://bucket/big.yaml", body: big)
            request.templateS3Uri = "s3://bucket/big.yaml"
            #expect(await errorCode { _ = try await engine.putConformancePack(request, context: alice) } == .conformancePackTemplateValidation)
            #expect(await errorCode { try await engine.putTemplate(s3Uri: "https://x", body: "x") } == .validation)
        }
    }

    @Test("SSM documents: $DEFAULT is version 1, $LATEST the newest, numbers pick a version; details are echoed")
    func ssmRegistry() async throws {
        try await withEngine { engine in
            #expect(try await engine.putTemplate(documentName: "my-doc", body: template(rules: ["v1"])) == "1")
            #expect(try await engine.putTemplate(documentName: "my-doc", body: template(rules: ["v2"])) == "2")
            #expect(await errorCode { _ = try await engine.putTemplate(documentName: "my-doc", documentVersion: "5", body: "x") } == .invalidParameterValue)
            for (version, expected) in [(nil, "v1"), ("$DEFAULT", "v1"), ("$LATEST", "v2"), ("2", "v2")] as [(String?, String)] {
                let details = TemplateSSMDocumentDetails(documentName: "my-doc", documentVersion: version)
                _ = try await engine.putConformancePack(PutConformancePackRequest(conformancePackName: "P", templateSSMDocumentDetails: details), context: alice)
                let names = try await engine.describeConfigRules(.init(), context: alice).configRules?.compactMap(\.configRuleName) ?? []
                #expect(names.count == 1 && names[0].hasPrefix("\(expected)-"), "version \(version ?? "nil")")
                let detail = try await engine.describeConformancePacks(.init(), context: alice).conformancePackDetails?.first
                #expect(detail?.templateSSMDocumentDetails == details)
            }
            let missing = TemplateSSMDocumentDetails(documentName: "my-doc", documentVersion: "3")
            #expect(await errorCode { _ = try await engine.putConformancePack(PutConformancePackRequest(conformancePackName: "P", templateSSMDocumentDetails: missing), context: alice) } == .insufficientPermissions)
        }
    }

    @Test("DescribeConformancePacks fails on one unknown name; the status call omits it; names come in request order, once")
    func namedDescribes() async throws {
        try await withEngine { engine in
            for name in ["B", "A", "C"] {
                _ = try await engine.putConformancePack(put(name, body: template(rules: ["r"])), context: alice)
            }
            let packs = try await engine.describeConformancePacks(.init(conformancePackNames: ["C", "A", "C"], limit: 1), context: alice)
            #expect(packs.conformancePackDetails?.map(\.conformancePackName) == ["C", "A"])
            #expect(packs.nextToken == nil)
            #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(conformancePackNames: ["A", "Nope"]), context: alice) } == .noSuchConformancePack)
            let statuses = try await engine.describeConformancePackStatus(.init(conformancePackNames: ["Nope", "B", "A"]), context: alice)
            #expect(statuses.conformancePackStatusDetails?.map(\.conformancePackName) == ["B", "A"])
        }
    }
}
