import Testing
@testable import ConformanceTemplates

/// `AllowedPattern` matching: Java-style whole-string semantics, in linear time.
@Suite("AllowedPattern")
struct AllowedPatternTests {
    @Test("Whole-string matches", arguments: [
        ("[a-z]+", "abc", true), ("[a-z]+", "abc1", false), ("[a-z]+", "", false),
        ("[a-z]*", "", true), ("abc", "abcd", false), ("a.c", "a-c", true), ("a.c", "a\nc", false),
        ("\\d{3}-\\d{4}", "555-1234", true), ("\\d{3}-\\d{4}", "55-1234", false), ("\\d{2,}", "1", false), ("\\d{2,}", "12345", true),
        ("\\d{1,3}", "1234", false), ("(true|false)", "false", true), ("(true|false)", "True", false), ("(?:ab)+c", "ababc", true),
        ("^arn:aws:iam::\\d{12}:role/.*$", "arn:aws:iam::123456789012:role/x", true), ("[^,]+", "a,b", false), ("[\\w.-]+", "a.b-c_d", true),
        ("\\s*x\\s*", "  x ", true), ("colou?r", "color", true), ("a+?b", "aaab", true), ("[]a]+", "]a", true), ("[a-]+", "a-a", true),
        ("x|", "", true), ("(a|ab)(c|bcd)(d*)", "abcd", true), ("\\.", ".", true), ("\\.", "a", false), ("[\\d,]+", "1,2", true),
        ("é+", "éé", true), ("[0-9]{0,3}", "", true),
    ])
    func matches(_ pattern: String, _ text: String, _ expected: Bool) throws {
        let compiled = try AllowedPattern(pattern)
        #expect(compiled.wholeMatch(text) == expected, "\(pattern) ~ \(text)")
    }

    @Test("Unsupported constructs are refused", arguments: ["(?=a)b", "(a)\\1", "(?i)a", "a*+", "[a-z&&[^x]]", "\\p{L}", "(a", "a)", "[a", "*a", "a**** ", "\\"])
    func unsupported(_ pattern: String) {
        #expect(throws: AllowedPattern.Unsupported.self) { try AllowedPattern(pattern) }
    }

    @Test("Catastrophic-backtracking patterns run in linear time")
    func noCatastrophicBacktracking() throws {
        let value = String(repeating: "a", count: 4_000) + "!"
        for pattern in ["(a|a)*b", "(a+)+$", "(a*)*b", "(a|aa)+c", "(.*a){20}"] {
            let compiled = try AllowedPattern(pattern)
            let elapsed = ContinuousClock().measure { #expect(!compiled.wholeMatch(value)) }
            #expect(elapsed < .seconds(1), "\(pattern) took \(elapsed)")
        }
    }

    @Test("Patterns that would compile to too many states are refused")
    func tooComplex() {
        #expect(throws: AllowedPattern.Unsupported.self) { try AllowedPattern("(a{1000}){1000}") }
    }

    @Test("A hostile AllowedPattern in a template is checked quickly")
    func hostileTemplate() {
        let yaml = ruleTemplate(properties: "", header: "Parameters:\n  P: {Type: String, AllowedPattern: '(a|a)*b', Default: '\(String(repeating: "a", count: 4_000))'}\n")
        let start = ContinuousClock.now
        #expect(templateError(yaml)?.message == "Parameter 'P' must match pattern (a|a)*b (at Parameters.P)")
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
