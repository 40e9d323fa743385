import Testing
@testable import ConformanceTemplates

@Suite("Parsed templates are kept by their text")
struct ParsedTemplateCacheTests {
    /// Parses through `cache`, counting the parses that really ran.
    final class CountingParser {
        var parses = 0
        func value(_ text: String, in cache: ParsedTemplateCache) throws(TemplateFailure) -> TemplateValue {
            try cache.value(of: text) { text throws(TemplateFailure) in
                parses += 1
                return try TemplateValue.parse(yaml: text)
            }
        }
    }

    @Test("A text seen before is not parsed again, and gives the same value")
    func repeats() throws {
        let cache = ParsedTemplateCache(capacity: 4, maxTextBytes: 1024)
        let parser = CountingParser()
        let first = try parser.value("Resources: {A: 1}", in: cache)
        let second = try parser.value("Resources: {A: 1}", in: cache)
        #expect(first == second)
        #expect(parser.parses == 1)
        _ = try parser.value("Resources: {A: 2}", in: cache)
        #expect(parser.parses == 2 && cache.count == 2)
    }

    @Test("Failures are thrown every time, never kept")
    func failures() {
        let cache = ParsedTemplateCache(capacity: 4, maxTextBytes: 1024)
        let parser = CountingParser()
        for _ in 0..<2 {
            #expect(throws: TemplateFailure.self) { try parser.value("Resources: [unclosed", in: cache) }
        }
        #expect(parser.parses == 2 && cache.count == 0)
    }

    @Test("The least recently used text goes first; texts over the size limit are not kept")
    func bounds() throws {
        let cache = ParsedTemplateCache(capacity: 2, maxTextBytes: 40)
        let parser = CountingParser()
        _ = try parser.value("A: 1", in: cache)
        _ = try parser.value("B: 1", in: cache)
        _ = try parser.value("A: 1", in: cache)  // A is now the more recent
        _ = try parser.value("C: 1", in: cache)  // evicts B
        #expect(cache.count == 2 && parser.parses == 3)
        _ = try parser.value("A: 1", in: cache)
        #expect(parser.parses == 3)
        _ = try parser.value("B: 1", in: cache)
        #expect(parser.parses == 4)

        let long = "Description: " + String(repeating: "x", count: 64)
        _ = try parser.value(long, in: cache)
        _ = try parser.value(long, in: cache)
        #expect(parser.parses == 6 && cache.count == 2)
    }

    @Test("One text resolved with different parameters and contexts resolves each on its own")
    func resolutionStaysPerCall() throws {
        let body = ruleTemplate(
            properties: "      Description: !Sub '${P} in ${AWS::AccountId}'",
            header: "Parameters:\n  P:\n    Type: String\n    Default: fallback\n")
        let other = TemplateContext(accountId: "210987654321", region: "eu-west-1", stackName: "awsconfigconforms-pack-xyz")
        #expect(try resolved(body).rules.first?.description == "fallback in 123456789012")
        #expect(try resolved(body, ["P": "given"]).rules.first?.description == "given in 123456789012")
        #expect(try resolved(body, context: other).rules.first?.description == "fallback in 210987654321")
    }
}
