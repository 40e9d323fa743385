import Foundation
import Testing
@testable import ConformanceTemplates

/// Reading `AWS::Config::ConfigRule` and `AWS::Config::RemediationConfiguration` resources.
@Suite("Resources")
struct ResourceTests {
    @Test("Every ConfigRule property is read")
    func ruleProperties() throws {
        let yaml = """
            AWSTemplateFormatVersion: 2010-09-09
            Description: A pack
            Metadata: {Owner: team}
            Outputs: {}
            Resources:
              Versioning:
                Type: AWS::Config::ConfigRule
                DependsOn: Other
                Metadata: {Note: kept out}
                Controls: ['1667', 2090]
                Properties:
                  ConfigRuleName: s3-bucket-versioning-enabled
                  Description: Checks versioning
                  Scope:
                    ComplianceResourceTypes: [AWS::S3::Bucket]
                    ComplianceResourceId: my-bucket
                    TagKey: env
                    TagValue: prod
                  Source:
                    Owner: AWS
                    SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
                  InputParameters:
                    isMfaDeleteEnabled: TRUE
                    zeta: 007
                    alpha: "quoted"
                    list: [a, 1]
                    nested: {y: "line\\nbreak \\"q\\" \\\\", x: café}
                  MaximumExecutionFrequency: Six_Hours
                  EvaluationModes:
                    - Mode: DETECTIVE
                    - Mode: PROACTIVE
              Other:
                Type: AWS::Config::ConfigRule
                Properties:
                  Source:
                    Owner: CUSTOM_POLICY
                    SourceDetails:
                      - {EventSource: aws.config, MessageType: ConfigurationItemChangeNotification, MaximumExecutionFrequency: One_Hour}
                    CustomPolicyDetails:
                      PolicyRuntime: guard-2.x.x
                      PolicyText: |
                        rule check { resourceType == "AWS::S3::Bucket" }
                      EnableDebugLogDelivery: True
            """
        let template = try resolved(yaml)
        let rule = try #require(template.rules.first)
        #expect(rule == TemplateConfigRule(
            logicalId: "Versioning", configRuleName: "s3-bucket-versioning-enabled", description: "Checks versioning",
            scope: TemplateScope(complianceResourceTypes: ["AWS::S3::Bucket"], complianceResourceId: "my-bucket", tagKey: "env", tagValue: "prod"),
            source: TemplateSource(owner: "AWS", sourceIdentifier: "S3_BUCKET_VERSIONING_ENABLED"),
            inputParameters: #"{"alpha":"quoted","isMfaDeleteEnabled":"TRUE","list":["a","1"],"nested":{"x":"café","y":"line\nbreak \"q\" \\"},"zeta":"007"}"#,
            maximumExecutionFrequency: "Six_Hours", evaluationModes: ["DETECTIVE", "PROACTIVE"], controls: ["1667", "2090"]))
        let other = try #require(template.rules.last)
        #expect(other.configRuleName == "Other")
        #expect(other.source.customPolicyDetails == TemplateCustomPolicy(
            policyRuntime: "guard-2.x.x", policyText: "rule check { resourceType == \"AWS::S3::Bucket\" }\n", enableDebugLogDelivery: true))
        #expect(other.source.sourceDetails.first?.maximumExecutionFrequency == "One_Hour")
    }

    @Test("InputParameters may be JSON text, and an empty map is absent")
    func inputParametersForms() throws {
        let text = try resolved(ruleTemplate(properties: #"      InputParameters: '{"b": 2, "a": "x"}'"#)).rules.first
        #expect(text?.inputParameters == #"{"a":"x","b":"2"}"#)
        let empty = try resolved(ruleTemplate(properties: "      InputParameters: {}")).rules.first
        #expect(empty?.inputParameters == nil)
    }

    @Test("Remediation properties")
    func remediation() throws {
        let yaml = """
            Resources:
              Rule:
                Type: AWS::Config::ConfigRule
                Properties:
                  ConfigRuleName: rule
                  Source: {Owner: AWS, SourceIdentifier: X}
              Fix:
                Type: AWS::Config::RemediationConfiguration
                Properties:
                  ConfigRuleName: rule
                  TargetType: SSM_DOCUMENT
                  TargetId: AWS-Fix
                  Automatic: TRUE
                  ExecutionControls: {SsmControls: {ConcurrentExecutionRatePercentage: '5', ErrorPercentage: 20}}
                  Parameters:
                    AutomationAssumeRole: {StaticValue: {Values: ['arn:aws:iam::<Account-Id>:role/fix']}}
                    BucketName: {StaticValue: {Values: [!Sub '${AWS::AccountId}-logs']}}
            """
        let fix = try #require(try resolved(yaml).remediations.first)
        #expect(fix == TemplateRemediation(
            logicalId: "Fix", configRuleName: "rule", targetType: "SSM_DOCUMENT", targetId: "AWS-Fix",
            parametersJSON: #"{"AutomationAssumeRole":{"StaticValue":{"Values":["arn:aws:iam::<Account-Id>:role/fix"]}},"BucketName":{"StaticValue":{"Values":["123456789012-logs"]}}}"#,
            automatic: true, executionControlsJSON: #"{"SsmControls":{"ConcurrentExecutionRatePercentage":5,"ErrorPercentage":20}}"#))
        let intrinsicRole = yaml.replacingOccurrences(of: "['arn:aws:iam::<Account-Id>:role/fix']", with: "[!Sub 'arn:aws:iam::${AWS::AccountId}:role/fix']")
        #expect(templateError(intrinsicRole)?.message ==
            "Template error: AWS Config does not support intrinsic functions for the automation execution role; AutomationAssumeRole must be a literal ARN (at Resources.Fix.Properties.Parameters.AutomationAssumeRole)")
    }

    @Test("Resource limits: 130 resources pass, 131 are refused with AWS's message")
    func resourceLimit() throws {
        func template(_ count: Int) -> String {
            "Resources:\n" + (0..<count).map { "  R\($0):\n    Type: AWS::Config::ConfigRule\n    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}\n" }.joined()
        }
        #expect(try resolved(template(130)).rules.count == 130)
        let error = templateError(template(131))
        #expect(error?.message == "Number of resources provided in the template exceeds the allowed limit")
        #expect(error?.path == "Resources")
    }

    @Test("Controls limits", arguments: [
        ("    Controls: [\((0..<21).map { "c\($0)" }.joined(separator: ", "))]", "Template error: Controls has 21 entries; at most 20 are allowed (at Resources.Rule.Controls)"),
        ("    Controls: ['']", "Template error: each control must be 1 to 128 characters long (at Resources.Rule.Controls[0])"),
        ("    Controls: [\(String(repeating: "x", count: 129))]", "Template error: each control must be 1 to 128 characters long (at Resources.Rule.Controls[0])"),
        ("    Controls: one", "Template error: Controls must be a list of strings, not a string (at Resources.Rule.Controls)"),
    ])
    func controls(_ attribute: String, _ message: String) {
        #expect(templateError(ruleTemplate(properties: "", attributes: attribute))?.message == message)
    }

    @Test("Twenty controls of 128 characters are accepted")
    func controlsAtTheLimit() throws {
        let controls = (0..<20).map { String(repeating: Character(String($0 % 10)), count: 128) }
        let rule = try resolved(ruleTemplate(properties: "", attributes: "    Controls: [\(controls.map { "'\($0)'" }.joined(separator: ", "))]")).rules.first
        #expect(rule?.controls == controls)
    }
}
