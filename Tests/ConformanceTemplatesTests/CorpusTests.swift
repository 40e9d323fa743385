import Foundation
import Testing
@testable import ConformanceTemplates

/// Every real template in the shared corpus resolves under its defaults, with the rule counts the
/// corpus README lists.
@Suite("Corpus of published conformance packs")
struct CorpusTests {
    /// Input parameters for templates that declare a parameter without a default.
    static let requiredInputs: [String: [String: String]] = [
        "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml": ["S3TargetBucketNameForEnableLogging": "my-log-bucket"],
    ]

    /// Rules a resource `Condition` removes under the defaults (the README counts every rule).
    static let rulesBehindFalseConditions: [String: Int] = [
        "Operational-Best-Practices-for-NZISM-Foundation.yaml": 4,  // Condition: IsEdge, DeployEdgeRules defaults to 'false'
    ]

    @Test("The corpus is present and complete")
    func corpusIsPresent() throws {
        let names = try #require(try? Corpus.fileNames(), "corpus not found at \(Corpus.templates.path)")
        #expect(names.count == 86)
        let counts = try Corpus.expectedCounts()
        #expect(counts.count == 86, "README per-file table rows")
        #expect(Set(names) == Set(counts.keys))
    }

    @Test("Each corpus template resolves with the README's rule and remediation counts", arguments: try Corpus.fileNames())
    func resolvesUnderDefaults(_ name: String) throws {
        let counts = try Corpus.expectedCounts()
        let expected = try #require(counts[name], "no README row for \(name)")
        let template = try resolved(try Corpus.text(name), Self.requiredInputs[name] ?? [:])
        #expect(template.rules.count == expected.rules - (Self.rulesBehindFalseConditions[name] ?? 0))
        #expect(template.remediations.count == expected.remediations)
        for rule in template.rules {
            #expect(!rule.configRuleName.isEmpty)
            #expect(["AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY"].contains(rule.source.owner))
            if let parameters = rule.inputParameters {
                #expect(parameters.hasPrefix("{") && parameters.hasSuffix("}") && parameters != "{}")
            }
        }
        #expect(Set(template.rules.map(\.logicalId)).count == template.rules.count)
    }

    @Test("NZISM edge rules appear when DeployEdgeRules is 'true', and Controls are kept")
    func nzismEdgeRules() throws {
        let text = try Corpus.text("Operational-Best-Practices-for-NZISM-Foundation.yaml")
        let byDefault = try resolved(text)
        let withEdge = try resolved(text, ["DeployEdgeRules": "true"])
        #expect(byDefault.rules.count == 87)
        #expect(withEdge.rules.count == 91)
        let first = try #require(byDefault.rules.first)
        #expect(first.logicalId == "AcmCertificateExpirationCheck")
        #expect(first.controls == ["1667"])
        #expect(first.inputParameters == #"{"daysToExpiration":"30"}"#)
        #expect(byDefault.rules.allSatisfy { !$0.controls.isEmpty })
        let error = templateError(text, ["DeployEdgeRules": "maybe"])
        #expect(error?.message == "Parameter 'DeployEdgeRules' must be one of AllowedValues (at Parameters.DeployEdgeRules)")
    }

    @Test("CIS renders unquoted integers and booleans as the text written")
    func cisTypedScalars() throws {
        let template = try resolved(try Corpus.text("Operational-Best-Practices-for-CIS.yaml"))
        let policy = try #require(template.rules.first { $0.source.sourceIdentifier == "IAM_PASSWORD_POLICY" })
        #expect(policy.inputParameters == #"{"MaxPasswordAge":"90","MinimumPasswordLength":"14","PasswordReusePrevention":"24","RequireLowercaseCharacters":"true","RequireNumbers":"true","RequireSymbols":"true","RequireUppercaseCharacters":"true"}"#)
        #expect(template.rules.contains { $0.maximumExecutionFrequency != nil })
    }

    @Test("The optional-parameter idiom drops keys whose parameter is empty")
    func optionalParameterIdiom() throws {
        let text = try Corpus.text("Operational-Best-Practices-for-Amazon-S3.yaml")
        func blocks(_ parameters: [String: String]) throws -> String? {
            try resolved(text, parameters).rules.first { $0.logicalId == "S3AccountLevelPublicAccessBlocksPeriodic" }?.inputParameters
        }
        #expect(try blocks([:]) == #"{"BlockPublicAcls":"True","BlockPublicPolicy":"True","IgnorePublicAcls":"True","RestrictPublicBuckets":"True"}"#)
        #expect(try blocks(["S3AccountLevelPublicAccessBlocksPeriodicParamBlockPublicAcls": ""]) == #"{"BlockPublicPolicy":"True","IgnorePublicAcls":"True","RestrictPublicBuckets":"True"}"#)
        let none = [
            "S3AccountLevelPublicAccessBlocksPeriodicParamBlockPublicAcls": "", "S3AccountLevelPublicAccessBlocksPeriodicParamBlockPublicPolicy": "",
            "S3AccountLevelPublicAccessBlocksPeriodicParamIgnorePublicAcls": "", "S3AccountLevelPublicAccessBlocksPeriodicParamRestrictPublicBuckets": "",
        ]
        #expect(try blocks(none) == nil, "an InputParameters map emptied by AWS::NoValue is absent")
    }

    @Test("Short-form tags in the Chile template resolve like the long form")
    func shortFormTags() throws {
        let text = try Corpus.text("Operational Best Practices for Chile Data Protection Law.yaml")
        let byDefault = try resolved(text)
        let rotated = try #require(byDefault.rules.first { $0.inputParameters?.contains("maxAccessKeyAge") == true })
        #expect(rotated.inputParameters?.hasPrefix(#"{"maxAccessKeyAge":""#) == true)
        let cleared = try resolved(text, ["AccessKeysRotatedParamMaxAccessKeyAge": ""])
        #expect(!cleared.rules.contains { $0.inputParameters?.contains("maxAccessKeyAge") == true })
    }

    @Test("cpack.yml: custom Lambda rule, empty InputParameters, remediation with ExecutionControls")
    func cpack() throws {
        let template = try resolved(try Corpus.text("cpack.yml"))
        let rule = try #require(template.rules.first)
        #expect(rule.source.owner == "CUSTOM_LAMBDA")
        #expect(rule.source.sourceIdentifier == "arn:aws:lambda:us-east-1:<Account-Id>:function:ConformancePackSecurityGroupFunction")
        #expect(rule.source.sourceDetails == [TemplateSourceDetail(eventSource: "aws.config", messageType: "ConfigurationItemChangeNotification")])
        #expect(rule.inputParameters == nil)
        #expect(rule.scope?.complianceResourceTypes == ["AWS::EC2::SecurityGroup"])
        let remediation = try #require(template.remediations.first)
        #expect(remediation.configRuleName == "SecurityGroupCIDRSizeCheckConfigRuleall")
        #expect(remediation.automatic == false)
        #expect(remediation.maximumAutomaticAttempts == 10)
        #expect(remediation.retryAttemptSeconds == 600)
        #expect(remediation.targetVersion == "1")
        #expect(remediation.executionControlsJSON == #"{"SsmControls":{"ConcurrentExecutionRatePercentage":10,"ErrorPercentage":10}}"#)
        #expect(remediation.parametersJSON == #"{"AutomationAssumeRole":{"StaticValue":{"Values":["arn:aws:iam::<Account-Id>:role/member-acc-role"]}},"MasterAccountID":{"StaticValue":{"Values":["<Account-Id>"]}},"SecurityGroup":{"ResourceValue":{"Value":"RESOURCE_ID"}}}"#)
    }

    @Test("S3 with remediation: Automatic: True and a required parameter")
    func s3Remediation() throws {
        let name = "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
        let text = try Corpus.text(name)
        let error = templateError(text)
        #expect(error?.message == "Parameters: [S3TargetBucketNameForEnableLogging] must have values")
        let template = try resolved(text, ["S3TargetBucketNameForEnableLogging": "logs"])
        let remediation = try #require(template.remediations.first)
        #expect(remediation.automatic)
        #expect(remediation.logicalId == "S3BucketPublicReadProhibitedRemediation")
    }

    @Test("Guard rules keep their policy text")
    func customPolicy() throws {
        let template = try resolved(try Corpus.text("ad20d65-AI-ML-Security-Governance-Supporting-Infrastructure-Best-Practices.yaml"))
        let guardRules = template.rules.filter { $0.source.owner == "CUSTOM_POLICY" }
        #expect(guardRules.count == 13)
        for rule in guardRules {
            let policy = try #require(rule.source.customPolicyDetails)
            #expect(policy.policyRuntime.hasPrefix("guard"))
            #expect(!policy.policyText.isEmpty)
            #expect(rule.source.sourceIdentifier == nil)
        }
        #expect(guardRules.contains { $0.source.customPolicyDetails?.enableDebugLogDelivery == true })
    }

    @Test("Concurrent resolutions agree")
    func concurrentResolutions() async throws {
        let text = try Corpus.text("Operational-Best-Practices-for-BNM-RMiT.yaml")
        let expected = try resolved(text)
        let results = try await withThrowingTaskGroup(of: ResolvedTemplate.self) { group in
            for _ in 0..<8 {
                group.addTask { try ConformancePackTemplate.resolve(body: text, parameters: [:], context: testContext) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
    }
}
