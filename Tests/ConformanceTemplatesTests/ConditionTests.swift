import Testing
@testable import ConformanceTemplates

/// The `Conditions` section, condition functions and the resource `Condition` attribute.
@Suite("Conditions")
struct ConditionTests {
    private func ruleCount(conditions: String, condition: String, inputs: [String: String] = [:]) throws -> Int {
        let header = """
            Parameters:
              Env: {Type: String, Default: prod}
              Tier: {Type: String, Default: ''}
            Conditions:
            \(conditions)

            """
        return try resolved(ruleTemplate(properties: "", header: header, attributes: "    Condition: \(condition)"), inputs).rules.count
    }

    @Test("Condition functions", arguments: [
        ("  C: !Equals [!Ref Env, prod]", true),
        ("  C: !Equals [!Ref Env, Prod]", false),
        ("  C: !Not [!Equals ['', !Ref Tier]]", false),
        ("  C: !And [!Equals [!Ref Env, prod], !Equals ['', !Ref Tier]]", true),
        ("  C: !And [!Equals [!Ref Env, prod], !Equals [a, b], !Equals [a, a]]", false),
        ("  C: !Or [!Equals [!Ref Env, dev], !Equals [!Ref Tier, '']]", true),
        ("  C: !Or [!Equals [x, y], !Equals [y, z]]", false),
        ("  B: !Equals [!Ref Env, prod]\n  C: !Not [!Condition B]", false),
        ("  C: {'Fn::And': [{Condition: B}, {'Fn::Equals': [!Ref AWS::Region, eu-west-1]}]}\n  B: {'Fn::Equals': [true, 'true']}", true),
        ("  C: !Equals [!Join ['-', [a, b]], a-b]", true),
        ("  C: !Equals [!Select [1, [x, y]], y]", true),
    ])
    func functions(_ conditions: String, _ holds: Bool) throws {
        #expect(try ruleCount(conditions: conditions, condition: "C") == (holds ? 1 : 0))
    }

    @Test("Input parameters change conditions")
    func inputs() throws {
        #expect(try ruleCount(conditions: "  C: !Equals [!Ref Env, dev]", condition: "C", inputs: ["Env": "dev"]) == 1)
    }

    @Test("Malformed and cyclic conditions", arguments: [
        ("  C: !Equals [a]", "C", "Template error: Fn::Equals requires a list argument with two elements (at Conditions.C.Fn::Equals)"),
        ("  C: !Not [!Equals [a, a], !Equals [a, a]]", "C", "Template error: Fn::Not requires a list argument with one function token (at Conditions.C.Fn::Not)"),
        ("  C: !And [!Equals [a, a]]", "C", "Template error: Fn::And requires a list argument with between 2 and 10 conditions (at Conditions.C.Fn::And)"),
        ("  C: !Or [\(Array(repeating: "!Equals [a, a]", count: 11).joined(separator: ", "))]", "C",
         "Template error: Fn::Or requires a list argument with between 2 and 10 conditions (at Conditions.C.Fn::Or)"),
        ("  C: 'true'", "C", "Template error: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition, not a string (at Conditions.C)"),
        ("  C: !Condition D\n  D: !Not [!Condition C]", "C", "Template format error: Circular dependency between conditions: [C, D, C] (at Conditions.C)"),
        ("  C: !Condition C", "C", "Template format error: Circular dependency between conditions: [C, C] (at Conditions.C)"),
        ("  C: !Condition Missing", "C", "Template format error: Unresolved condition dependency Missing; it is not declared in Conditions (at Conditions.C)"),
        ("  C: !Equals [a, a]", "Nope", "Template format error: Unresolved condition dependency Nope; it is not declared in Conditions (at Resources.Rule.Condition)"),
        ("  C: !Equals [!If [C, a, b], a]", "C", "Template error: Fn::If cannot be used in the Conditions section (at Conditions.C.Fn::Equals[0].Fn::If)"),
        ("  C: !Equals [!Ref Rule, a]", "C",
         "Template format error: Unresolved dependencies [Rule]. Cannot reference resources in the Conditions block of the template (at Conditions.C.Fn::Equals[0].Ref)"),
        ("  C: !Equals [!Ref Nothing, a]", "C",
         "Template format error: Unresolved resource dependencies [Nothing] in the Resources block of the template (at Conditions.C.Fn::Equals[0].Ref)"),
    ])
    func malformed(_ conditions: String, _ condition: String, _ message: String) {
        let header = "Conditions:\n\(conditions)\n"
        let yaml = ruleTemplate(properties: "", header: header, attributes: "    Condition: \(condition)")
        #expect(templateError(yaml)?.message == message)
    }

    @Test("Unused conditions are still evaluated")
    func unusedConditionsAreChecked() {
        let yaml = ruleTemplate(properties: "", header: "Conditions:\n  Unused: !Equals [!Ref Ghost, x]\n")
        #expect(templateError(yaml)?.path == "Conditions.Unused.Fn::Equals[0].Ref")
    }

    @Test("A rule behind a false condition is still checked for references")
    func inactiveRulesAreChecked() {
        let yaml = ruleTemplate(properties: "      Description: !Ref Ghost", header: "Conditions:\n  Off: !Equals [a, b]\n", attributes: "    Condition: Off")
        #expect(templateError(yaml)?.message == "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template (at Resources.Rule.Properties.Description.Ref)")
        let missingCondition = ruleTemplate(properties: "      Description: !If [Nope, a, b]", header: "Conditions:\n  Off: !Equals [a, b]\n", attributes: "    Condition: Off")
        #expect(templateError(missingCondition)?.path == "Resources.Rule.Properties.Description.Fn::If")
    }
}
