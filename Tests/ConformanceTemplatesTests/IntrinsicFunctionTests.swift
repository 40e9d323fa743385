import Testing
@testable import ConformanceTemplates

/// The intrinsic functions, in both YAML forms and in JSON.
@Suite("Intrinsic functions")
struct IntrinsicFunctionTests {
    /// Resolves a template whose one rule has `Description: <expression>` and returns the description.
    private func description(_ expression: String, parameters: String = "", mappings: String = "", conditions: String = "",
                             inputs: [String: String] = [:]) throws -> String? {
        let yaml = ruleTemplate(properties: "      Description: \(expression)", header: parameters + mappings + conditions)
        return try resolved(yaml, inputs).rules.first?.description
    }

    private let parameters = """
        Parameters:
          Env:
            Type: String
            Default: prod
          Empty:
            Type: String
            Default: ''
          Names:
            Type: CommaDelimitedList
            Default: a,b,c

        """

    @Test("Ref to parameters and pseudo parameters", arguments: [
        ("!Ref Env", "prod"),
        ("{Ref: Env}", "prod"),
        ("!Ref AWS::AccountId", "123456789012"),
        ("!Ref AWS::Region", "eu-west-1"),
        ("!Ref AWS::Partition", "aws"),
        ("!Ref AWS::StackName", "awsconfigconforms-pack-abc"),
        ("!Ref AWS::URLSuffix", "amazonaws.com"),
        ("!Select [1, !Ref Names]", "b"),
    ])
    func references(_ expression: String, _ expected: String) throws {
        #expect(try description(expression, parameters: parameters) == expected)
    }

    @Test("Fn::Sub", arguments: [
        ("!Sub 'arn:${AWS::Partition}:s3:::${Env}-logs'", "arn:aws:s3:::prod-logs"),
        ("!Sub 'no placeholders here'", "no placeholders here"),
        ("!Sub arn:aws:iam::<Account-Id>:role/x", "arn:aws:iam::<Account-Id>:role/x"),
        ("!Sub '${!Literal} and ${Env}'", "${Literal} and prod"),
        ("!Sub ['${Name}-${AWS::Region}', {Name: !Ref Env}]", "prod-eu-west-1"),
        ("{'Fn::Sub': ['${A}${B}', {A: x, B: !Join ['', [y, z]]}]}", "xyz"),
        ("!Sub 'unterminated ${Env'", "unterminated ${Env"),
        ("!Sub '${ Env }'", "prod"),
    ])
    func sub(_ expression: String, _ expected: String) throws {
        #expect(try description(expression, parameters: parameters) == expected)
    }

    @Test("Fn::Join, Fn::Select, Fn::Split, Fn::Base64", arguments: [
        ("!Join ['-', [a, !Ref Env, c]]", "a-prod-c"),
        ("!Join [',', !Ref Names]", "a,b,c"),
        ("!Join ['', []]", ""),
        ("!Select [0, [x, y]]", "x"),
        ("!Select ['2', !Split [',', 'p,q,r']]", "r"),
        ("!Join ['|', !Split ['::', 'a::b::']]", "a|b|"),
        ("!Base64 hello", "aGVsbG8="),
        ("!Base64 ab", "YWI="),
        ("!Base64 {Ref: Env}", "cHJvZA=="),
        ("!Join ['', [!If [IsProd, yes, !Ref AWS::NoValue], '!']]", "yes!"),
    ])
    func listFunctions(_ expression: String, _ expected: String) throws {
        let conditions = "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        #expect(try description(expression, parameters: parameters, conditions: conditions) == expected)
    }

    @Test("Fn::FindInMap over Mappings")
    func findInMap() throws {
        let mappings = """
            Mappings:
              Regions:
                eu-west-1: {Suffix: dublin, Names: [x, y]}

            """
        #expect(try description("!FindInMap [Regions, !Ref AWS::Region, Suffix]", mappings: mappings) == "dublin")
        #expect(try description("!Select [1, !FindInMap [Regions, eu-west-1, Names]]", mappings: mappings) == "y")
        let error = templateError(ruleTemplate(properties: "      Description: !FindInMap [Regions, us-east-1, Suffix]", header: mappings))
        #expect(error?.message == "Template error: Unable to get mapping for Regions::us-east-1::Suffix (at Resources.Rule.Properties.Description.Fn::FindInMap)")
    }

    @Test("Fn::If with AWS::NoValue removes a property, a map entry, a list element, or a whole InputParameters map")
    func noValueRemoval() throws {
        let yaml = ruleTemplate(properties: """
                  Description: !If [Never, text, !Ref AWS::NoValue]
                  MaximumExecutionFrequency: !If [Always, TwentyFour_Hours, !Ref AWS::NoValue]
                  Scope:
                    ComplianceResourceTypes:
                      - AWS::S3::Bucket
                      - !If [Never, AWS::EC2::Instance, !Ref AWS::NoValue]
                  InputParameters: !If [Never, {a: b}, !Ref AWS::NoValue]
            """, header: "Conditions:\n  Always: !Equals [a, a]\n  Never: !Not [!Condition Always]\n")
        let rule = try #require(try resolved(yaml).rules.first)
        #expect(rule.description == nil)
        #expect(rule.maximumExecutionFrequency == "TwentyFour_Hours")
        #expect(rule.scope?.complianceResourceTypes == ["AWS::S3::Bucket"])
        #expect(rule.inputParameters == nil)
    }

    @Test("JSON templates parse as YAML")
    func jsonTemplate() throws {
        let json = """
            {"AWSTemplateFormatVersion": "2010-09-09",
             "Parameters": {"Age": {"Type": "Number", "Default": 90}},
             "Resources": {"KeysRotated": {"Type": "AWS::Config::ConfigRule",
               "Properties": {"ConfigRuleName": "access-keys-rotated",
                 "InputParameters": {"maxAccessKeyAge": {"Ref": "Age"}, "flag": true, "list": [1, "two"], "nested": {"b": 1, "a": 2}},
                 "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"}}}}}
            """
        let rule = try #require(try resolved(json).rules.first)
        #expect(rule.configRuleName == "access-keys-rotated")
        #expect(rule.inputParameters == #"{"flag":"true","list":["1","two"],"maxAccessKeyAge":"90","nested":{"a":"2","b":"1"}}"#)
    }

    @Test("Long and short forms resolve identically")
    func longAndShortForms() throws {
        let short = try description("!If [C, !Join ['-', [!Ref Env, !Select [0, !Split ['/', 'a/b']]]], other]",
                                    parameters: parameters, conditions: "Conditions:\n  C: !And [!Equals [!Ref Env, prod], !Not [!Equals ['', !Ref Env]]]\n")
        let long = try description("{'Fn::If': [C, {'Fn::Join': ['-', [{Ref: Env}, {'Fn::Select': [0, {'Fn::Split': ['/', 'a/b']}]}]]}, other]}",
                                   parameters: parameters, conditions: "Conditions:\n  C: {'Fn::And': [{'Fn::Equals': [{Ref: Env}, prod]}, {'Fn::Not': [{'Fn::Equals': ['', {Ref: Env}]}]}]}\n")
        #expect(short == "prod-a")
        #expect(long == short)
    }

    @Test("Ref to a rule resolves to its un-suffixed name, or its logical id")
    func refToRule() throws {
        let yaml = """
            Resources:
              Rule:
                Type: AWS::Config::ConfigRule
                Properties:
                  ConfigRuleName: !Sub '${AWS::Region}-versioning'
                  Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
              Unnamed:
                Type: AWS::Config::ConfigRule
                Properties:
                  Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}
              Fix:
                Type: AWS::Config::RemediationConfiguration
                DependsOn: [Rule]
                Properties:
                  ConfigRuleName: !Ref Rule
                  TargetType: SSM_DOCUMENT
                  TargetId: AWS-ConfigureS3BucketVersioning
                  Parameters: {Note: !Ref Unnamed}
            """
        let template = try resolved(yaml)
        #expect(template.rules.map(\.configRuleName) == ["eu-west-1-versioning", "Unnamed"])
        #expect(template.remediations.first?.configRuleName == "eu-west-1-versioning")
        #expect(template.remediations.first?.parametersJSON == #"{"Note":"Unnamed"}"#)
    }

    @Test("AWS::StackId and partitions come from the context")
    func contextPseudoParameters() throws {
        let yaml = ruleTemplate(properties: "      Description: !Sub '${AWS::StackId} ${AWS::URLSuffix}'")
        let context = TemplateContext(accountId: "210987654321", region: "cn-north-1", partition: "aws-cn", stackName: "s",
                                      stackId: "arn:aws-cn:cloudformation:cn-north-1:210987654321:stack/s/1")
        #expect(try resolved(yaml, context: context).rules.first?.description == "arn:aws-cn:cloudformation:cn-north-1:210987654321:stack/s/1 amazonaws.com.cn")
        #expect(templateError(yaml)?.message.contains("AWS::StackId is not available") == true)
    }
}
