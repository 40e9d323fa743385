import Testing
@testable import ConformanceTemplates

/// Each kind of bad template names its problem and its location.
@Suite("Template errors")
struct TemplateErrorTests {
    @Test("Structure errors", arguments: [
        ("", "Template format error: the template is empty", ""),
        ("just text", "Template format error: a template must be an object of sections (Resources, Parameters, Conditions, ...), not a string", ""),
        ("Parameters: {}", "Template format error: At least one Resources member must be defined.", ""),
        ("Resources: {}", "Template format error: At least one Resources member must be defined. (at Resources)", "Resources"),
        ("Resources: [a]", "Template format error: Resources must be an object, not a list (at Resources)", "Resources"),
        ("Resources: {R: {Type: AWS::Config::ConfigRule}}\nRules: {}\nHooks: {}", "Template format error: Invalid template property or properties [Rules, Hooks]", ""),
        ("Transform: AWS::Serverless-2016-10-31\nResources: {R: {Type: AWS::Config::ConfigRule}}",
         "Template format error: Transform is not supported in conformance pack templates (at Transform)", "Transform"),
        ("AWSTemplateFormatVersion: '2012-01-01'\nResources: {R: {Type: AWS::Config::ConfigRule}}",
         "Template format error: Unsupported template format version; only 2010-09-09 is supported (at AWSTemplateFormatVersion)", "AWSTemplateFormatVersion"),
        ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket",
         "Template format error: Unsupported resource type AWS::S3::Bucket for resource Bucket; conformance pack templates may only contain AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration (at Resources.Bucket.Type)",
         "Resources.Bucket.Type"),
        ("Resources:\n  R:\n    Properties: {}", "Template format error: [/Resources/R] Every Resources object must contain a Type member. (at Resources.R)", "Resources.R"),
        ("Resources:\n  R_1:\n    Type: AWS::Config::ConfigRule", "Template format error: Resource name R_1 is non alphanumeric. (at Resources.R_1)", "Resources.R_1"),
        ("Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties: {}", "Template error: required property Source is missing (at Resources.R.Properties)", "Resources.R.Properties"),
        ("Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties: {Source: {SourceIdentifier: X}}",
         "Template error: required property Owner is missing (at Resources.R.Properties.Source)", "Resources.R.Properties.Source"),
        ("Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    DependsOn: Ghost\n    Properties: {Source: {Owner: AWS}}",
         "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template (at Resources.R.DependsOn)", "Resources.R.DependsOn"),
        ("Resources:\n  R:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetType: SSM_DOCUMENT}",
         "Template error: required property TargetId is missing (at Resources.R.Properties)", "Resources.R.Properties"),
    ])
    func structure(_ yaml: String, _ message: String, _ path: String) {
        let error = templateError(yaml)
        #expect(error?.message == message)
        #expect(error?.path == path)
    }

    @Test("Property errors name the property", arguments: [
        ("      Sourcery: x", "Encountered unsupported property Sourcery (at Resources.Rule.Properties.Sourcery)"),
        ("      Description: [a]", "Template error: Description must be a string, not a list (at Resources.Rule.Properties.Description)"),
        ("      Scope: {ComplianceResourceTypes: AWS::S3::Bucket}",
         "Template error: ComplianceResourceTypes must be a list of strings, not a string (at Resources.Rule.Properties.Scope.ComplianceResourceTypes)"),
        ("      Scope: {Types: [a]}", "Encountered unsupported property Types (at Resources.Rule.Properties.Scope.Types)"),
        ("      InputParameters: [a]", "Template error: InputParameters must be an object, not a list (at Resources.Rule.Properties.InputParameters)"),
        ("      InputParameters: {a: ~}", "Template format error: 'null' values are not allowed in templates (at Resources.Rule.Properties.InputParameters.a)"),
        ("      InputParameters: {a: !GetAtt Bucket.Arn}",
         "Template error: Fn::GetAtt is not supported in conformance pack templates (at Resources.Rule.Properties.InputParameters.a.Fn::GetAtt)"),
        ("      Description: !ImportValue SharedName",
         "Template error: Fn::ImportValue is not supported in conformance pack templates (at Resources.Rule.Properties.Description.Fn::ImportValue)"),
        ("      Description: !GetAZs ''", "Template error: Fn::GetAZs is not supported in conformance pack templates (at Resources.Rule.Properties.Description.Fn::GetAZs)"),
        ("      Description: !Cidr [a, 1, 2]", "Template error: Fn::Cidr is not supported in conformance pack templates (at Resources.Rule.Properties.Description.Fn::Cidr)"),
        ("      Description: {'Fn::Transform': {Name: x}}",
         "Template error: Fn::Transform is not supported in conformance pack templates (at Resources.Rule.Properties.Description.Fn::Transform)"),
        ("      Description: {'Fn::Frobnicate': x}", "Template error: unknown intrinsic function Fn::Frobnicate (at Resources.Rule.Properties.Description.Fn::Frobnicate)"),
        ("      Description: {Ref: a, Other: b}", "Template format error: Ref must be the only key of its object (at Resources.Rule.Properties.Description.Ref)"),
        ("      Description: !Ref Ghost", "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template (at Resources.Rule.Properties.Description.Ref)"),
        ("      Description: !Ref AWS::Nothing", "Template format error: Unresolved resource dependencies [AWS::Nothing] in the Resources block of the template (at Resources.Rule.Properties.Description.Ref)"),
        ("      Description: !Ref [a]", "Template format error: Ref requires a string argument, not a list (at Resources.Rule.Properties.Description.Ref)"),
        ("      Description: !If [C, a]", "Template error: Fn::If requires a list argument with three elements (at Resources.Rule.Properties.Description.Fn::If)"),
        ("      Description: !If [Ghost, a, b]",
         "Template format error: Unresolved condition dependency Ghost; it is not declared in Conditions (at Resources.Rule.Properties.Description.Fn::If)"),
        ("      Description: !Equals [a, a]",
         "Template error: Fn::Equals can only be used in the Conditions section; use Fn::If with a named condition (at Resources.Rule.Properties.Description.Fn::Equals)"),
        ("      Description: !Sub '${Bucket.Arn}'",
         "Template error: Fn::Sub variable ${Bucket.Arn} names a resource attribute; Fn::GetAtt is not supported in conformance pack templates (at Resources.Rule.Properties.Description.Fn::Sub)"),
        ("      Description: !Sub '${Ghost}'", "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template (at Resources.Rule.Properties.Description.Fn::Sub)"),
        ("      Description: !Sub [a, b, c]", "Template error: Fn::Sub requires a string or a list of a string and a map of variables (at Resources.Rule.Properties.Description.Fn::Sub)"),
        ("      Description: !Join [',']",
         "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (at Resources.Rule.Properties.Description.Fn::Join)"),
        ("      Description: !Join [',', [a, [b]]]",
         "Template error: the second element of Fn::Join must be a list of strings, not a list holding a list (at Resources.Rule.Properties.Description.Fn::Join[1])"),
        ("      Description: !Select [3, [a, b]]", "Template error: Fn::Select cannot select nonexistent value at index 3 (at Resources.Rule.Properties.Description.Fn::Select)"),
        ("      Description: !Select [-1, [a, b]]", "Template error: Fn::Select index must be a non-negative integer, not '-1' (at Resources.Rule.Properties.Description.Fn::Select[0])"),
        ("      Description: !Split ['', abc]", "Template error: the Fn::Split delimiter cannot be empty (at Resources.Rule.Properties.Description.Fn::Split[0])"),
        ("      Description: !FindInMap [M, a]",
         "Template error: Fn::FindInMap requires a list argument with three elements: a map name, a top-level key and a second-level key (at Resources.Rule.Properties.Description.Fn::FindInMap)"),
        ("      Description: !Base64 [a]", "Template error: the argument of Fn::Base64 must be a string, not a list (at Resources.Rule.Properties.Description.Fn::Base64)"),
        ("      Description: !Foo bar", "Template format error: unsupported YAML tag !Foo (line 10) (at Resources.Rule.Properties.Description)"),
        ("      Scope: {ComplianceResourceTypes: [!Ref AWS::NoValue, a, [b]]}",
         "Template error: ComplianceResourceTypes must hold strings, not a list (at Resources.Rule.Properties.Scope.ComplianceResourceTypes[1])"),
        ("      EvaluationModes: [{Mode: DETECTIVE}, {Mood: x}]", "Encountered unsupported property Mood (at Resources.Rule.Properties.EvaluationModes[1].Mood)"),
    ])
    func properties(_ properties: String, _ message: String) {
        #expect(templateError(ruleTemplate(properties: properties))?.message == message)
    }

    @Test("Malformed YAML reports line and column", arguments: [
        ("Resources:\n  R: [a\n", "Template format error: YAML not well-formed."),
        ("Resources:\n  R: a\n  R: b\n", "Template format error: YAML not well-formed. duplicate keys [R] in a mapping"),
        ("Resources: {a: 1}\n---\nResources: {b: 2}\n", "Template format error: YAML not well-formed."),
        ("Resources:\n\t- a", "Template format error: YAML not well-formed."),
        ("Resources: 'unterminated", "Template format error: YAML not well-formed."),
    ])
    func malformedYAML(_ yaml: String, _ prefix: String) {
        let message = templateError(yaml)?.message ?? ""
        #expect(message.hasPrefix(prefix), "\(message)")
        #expect(message.contains("line"), "\(message)")
        #expect(message.count < 400)
    }

    @Test("TemplateError describes itself by its message")
    func description() {
        let error = TemplateError(message: "m", path: "p")
        #expect(error.description == "m")
        #expect("\(error)" == "m")
    }
}
