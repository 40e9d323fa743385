import Testing
@testable import ConformanceTemplates

/// The text forms a template body may take, and the attributes and sections that are ignored.
@Suite("Text forms and ignored keys")
struct TextFormTests {
    private static let rule = "Type: AWS::Config::ConfigRule\n    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}"

    @Test("JSON with tab indentation, CRLF with a byte-order mark, document markers, no final newline", arguments: [
        "{\n\t\"Resources\": {\n\t\t\"R\": {\n\t\t\t\"Type\": \"AWS::Config::ConfigRule\",\n\t\t\t\"Properties\": {\"Source\": {\"Owner\": \"AWS\", \"SourceIdentifier\": \"X\"}}\n\t\t}\n\t}\n}\n",
        "\u{FEFF}Resources:\r\n  R:\r\n    Type: AWS::Config::ConfigRule\r\n    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}\r\n",
        "---\nResources:\n  R:\n    \(rule)\n...\n",
        "# comment\nResources:\n  R:\n    \(rule)",
        "%YAML 1.1\n---\nResources:\n  R:\n    \(rule)\n",
    ])
    func textForms(_ body: String) throws {
        let template = try resolved(body)
        #expect(template.rules.map(\.logicalId) == ["R"])
    }

    @Test("JSON escapes reach InputParameters as the characters they stand for")
    func jsonEscapes() throws {
        let body = #"{"Resources":{"R":{"Type":"AWS::Config::ConfigRule","Properties":{"Source":{"Owner":"AWS","SourceIdentifier":"X"},"InputParameters":{"a":"\u00e9\n\t\"","b":"\u0001"}}}}}"#
        #expect(try resolved(body).rules.first?.inputParameters == #"{"a":"é\n\t\"","b":"\u0001"}"#)
    }

    @Test("Unknown resource attributes, Metadata and Outputs are ignored; Conditions apply to remediations")
    func ignoredKeys() throws {
        let body = """
            Metadata:
              AWS::CloudFormation::Interface: {ParameterGroups: []}
            Conditions:
              Off: !Equals [a, b]
            Resources:
              R:
                Type: AWS::Config::ConfigRule
                DeletionPolicy: Retain
                UpdateReplacePolicy: Retain
                Metadata: {cfn-lint: {config: {ignore_checks: [E3001]}}}
                Description: not a CloudFormation attribute, kept out
                Properties: {Source: {Owner: AWS, SourceIdentifier: X}}
              Fix:
                Type: AWS::Config::RemediationConfiguration
                Condition: Off
                Properties: {ConfigRuleName: R, TargetType: SSM_DOCUMENT, TargetId: Doc}
            Outputs:
              RuleName: {Value: !Ref R, Export: {Name: !Sub '${AWS::StackName}-rule'}}
            """
        let template = try resolved(body)
        #expect(template.rules.count == 1)
        #expect(template.remediations.isEmpty)
    }

    @Test("Mappings must be two levels of objects")
    func mappingsShape() {
        let error = templateError(ruleTemplate(properties: "", header: "Mappings:\n  M: {a: b}\n"))
        #expect(error?.message == "Template format error: every Mappings attribute must be an object, not a string (at Mappings.M.a)")
    }
}
