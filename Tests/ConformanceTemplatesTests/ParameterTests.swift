import Testing
@testable import ConformanceTemplates

/// Parameter declarations, input overrides and constraints.
@Suite("Parameters")
struct ParameterTests {
    /// A template whose rule description is parameter `P` (joined with commas if it is a list).
    private func template(_ declaration: String) -> String {
        let expression = declaration.contains("List") ? "!Join [',', !Ref P]" : "!Ref P"
        return ruleTemplate(properties: "      Description: \(expression)", header: "Parameters:\n  P:\n" + declaration)
    }

    private func value(_ declaration: String, _ inputs: [String: String] = [:]) throws -> String? {
        try resolved(template(declaration), inputs).rules.first?.description
    }

    @Test("Input parameters override defaults; defaults apply otherwise")
    func overrides() throws {
        let declaration = "    Type: String\n    Default: fallback\n"
        #expect(try value(declaration) == "fallback")
        #expect(try value(declaration, ["P": "given"]) == "given")
        #expect(try value("    Type: String\n    Default: 14\n") == "14", "a number default keeps its text")
    }

    @Test("Accepted values", arguments: [
        ("    Type: String\n    AllowedValues: ['true', 'false']\n", "false"),
        ("    Type: String\n    AllowedPattern: '[a-z]+-[0-9]+'\n", "abc-42"),
        ("    Type: String\n    MinLength: 2\n    MaxLength: 3\n", "abc"),
        ("    Type: Number\n    MinValue: 1\n    MaxValue: 90\n", "90"),
        ("    Type: Number\n", "-1.5"),
        ("    Type: CommaDelimitedList\n    AllowedValues: [a, b]\n", "a,b,a"),
        ("    Type: List<Number>\n", "1,2,3"),
        ("    Type: AWS::EC2::VPC::Id\n", "vpc-123"),
    ])
    func accepted(_ declaration: String, _ input: String) throws {
        #expect(try value(declaration, ["P": input]) == input)
    }

    @Test("Refused values", arguments: [
        ("    Type: String\n    AllowedValues: ['true', 'false']\n", "True", "Parameter 'P' must be one of AllowedValues (at Parameters.P)"),
        ("    Type: String\n    AllowedPattern: '[a-z]+'\n", "abc1", "Parameter 'P' must match pattern [a-z]+ (at Parameters.P)"),
        ("    Type: String\n    AllowedPattern: '[a-z]+'\n    ConstraintDescription: lower-case letters only\n", "ABC",
         "Parameter 'P' failed to satisfy constraint: lower-case letters only (at Parameters.P)"),
        ("    Type: String\n    MinLength: 2\n", "a", "Parameter 'P' must contain at least 2 characters (at Parameters.P)"),
        ("    Type: String\n    MaxLength: 3\n", "abcd", "Parameter 'P' must contain at most 3 characters (at Parameters.P)"),
        ("    Type: Number\n", "ninety", "Parameter 'P' must be a number (at Parameters.P)"),
        ("    Type: Number\n    MaxValue: 90\n", "91", "Parameter 'P' must be a number not greater than 90 (at Parameters.P)"),
        ("    Type: Number\n    MinValue: 1\n", "0", "Parameter 'P' must be a number not less than 1 (at Parameters.P)"),
        ("    Type: List<Number>\n", "1,x", "Parameter 'P' must be a number (at Parameters.P)"),
        ("    Type: CommaDelimitedList\n    AllowedValues: [a, b]\n", "a,c", "Parameter 'P' must be one of AllowedValues (at Parameters.P)"),
    ])
    func refused(_ declaration: String, _ input: String, _ message: String) {
        #expect(templateError(template(declaration), ["P": input])?.message == message)
    }

    @Test("Missing and undeclared parameters are listed together")
    func missingAndUndeclared() {
        let yaml = ruleTemplate(properties: "", header: """
            Parameters:
              B: {Type: String}
              A: {Type: String}
              C: {Type: String, Default: c}

            """)
        #expect(templateError(yaml)?.message == "Parameters: [B, A] must have values")
        #expect(templateError(yaml, ["A": "a"])?.message == "Parameters: [B] must have values")
        #expect(templateError(yaml, ["A": "a", "B": "b", "Zed": "z", "Extra": "x"])?.message == "Parameters: [Extra, Zed] do not exist in the template")
        #expect(templateError(yaml, ["A": "a", "B": "b", "Zed": "z"])?.path == "Parameters")
        #expect(templateError(ruleTemplate(properties: ""), ["X": "1"])?.message == "Parameters: [X] do not exist in the template")
    }

    @Test("Malformed declarations", arguments: [
        ("Parameters:\n  P: {Default: x}\n", "Template format error: Every Parameters object must contain a Type member. (at Parameters.P)"),
        ("Parameters:\n  P: {Type: Strung}\n", "Template format error: Unrecognized parameter type: Strung (at Parameters.P)"),
        ("Parameters:\n  P: {Type: String, Defualt: x}\n", "Template format error: Invalid template parameter property 'Defualt' (at Parameters.P)"),
        ("Parameters:\n  P-1: {Type: String, Default: x}\n", "Template format error: Parameter name P-1 is non alphanumeric. (at Parameters.P-1)"),
        ("Parameters:\n  P: {Type: String, Default: [x]}\n", "Template format error: expected a string, found a list (at Parameters.P.Default)"),
        ("Parameters:\n  P: {Type: 'AWS::SSM::Parameter::Value<String>', Default: x}\n",
         "Template format error: SSM parameter types are not supported in conformance pack templates: AWS::SSM::Parameter::Value<String> (at Parameters.P)"),
        ("Parameters:\n  P: {Type: String, Default: x, AllowedPattern: '(['}\n",
         "Template format error: AllowedPattern of parameter 'P' is not supported: unbalanced '[' (at Parameters.P)"),
        ("Parameters: [a]\n", "Template format error: Parameters must be an object, not a list (at Parameters)"),
    ])
    func malformed(_ header: String, _ message: String) {
        #expect(templateError(ruleTemplate(properties: "", header: header))?.message == message)
    }
}
