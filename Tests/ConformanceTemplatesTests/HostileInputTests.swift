import Foundation
import Testing
@testable import ConformanceTemplates

/// Hostile templates are refused quickly, with bounded memory, without crashing the process.
@Suite("Hostile input")
struct HostileInputTests {
    /// Resolves `yaml` and returns the error and how long refusing it took.
    private func refusal(_ yaml: String) -> (TemplateError?, Duration) {
        var error: TemplateError?
        let elapsed = ContinuousClock().measure {
            do throws(TemplateError) {
                _ = try ConformancePackTemplate.resolve(body: yaml, parameters: [:], context: testContext)
            } catch let thrown {
                error = thrown
            }
        }
        return (error, elapsed)
    }

    @Test("Billion laughs is refused quickly, as a key or as a value")
    func billionLaughs() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        // As a key, the bomb would be hashed node by node: refused before composing.
        let (keyError, keyElapsed) = refusal(yaml + "Resources:\n  ? *a9\n  : x\n")
        #expect(keyError?.message.hasPrefix("Template format error: YAML aliases are not allowed in CloudFormation templates (line 2") == true)
        #expect(keyElapsed < .seconds(1))
        // As a value it stays a shared node in Yams; the converter refuses the first anchor.
        let (valueError, valueElapsed) = refusal(yaml + "Resources: *a9\n")
        #expect(valueError?.message == "Template format error: YAML anchors and aliases are not allowed in CloudFormation templates (line 1) (at a0)")
        #expect(valueElapsed < .seconds(1))
    }

    @Test("Anchors and aliases are refused wherever they appear", arguments: [
        "x: &a 1\ny: [*a]", "x: &a 1\ny: {k: *a}", "x: &a 1\ny: {\"k\":*a}", "x: &a 1\ny: {k :*a}", "- &a b\n- *a",
        "x: &a 1", "Resources: &r {R: {Type: AWS::Config::ConfigRule, Properties: {Source: {Owner: AWS}}}}",
    ])
    func anchorsAndAliases(_ yaml: String) {
        #expect(refusal(yaml).0?.message.contains("aliases are not allowed in CloudFormation templates") == true)
    }

    @Test("An alias that could be a mapping key is refused before the YAML composer sees it", arguments: [
        "a: &a [x]\n*a : y", "a: &a [x]\nb: {*a: y}", "a: &a [x]\n? *a\n: y", "a: &a [x]\n[*a]: y", "a: &a [x]\nb: {[*a]: y}", "a: &a [x]\nb: { ? *a }", "a: &a [x]\nb: [ ? *a ]",
    ])
    func aliasKeys(_ yaml: String) {
        #expect(refusal(yaml).0?.message.hasPrefix("Template format error: YAML aliases are not allowed in CloudFormation templates (line") == true)
    }

    @Test("Text that merely contains asterisks is not mistaken for an alias", arguments: [
        "      Description: 'arn:aws:s3:::bucket/*'",
        "      Description: a*b and s3:Get*",
        "      InputParameters: {pattern: '*'}",
        "      InputParameters: {blacklistedActionPattern: s3:*Acl, other: [ec2:*Tags]}",
        "      # a comment with *emphasis* and [a]: b {c}: d ? e [f]: g [h]: i [j]: k [l]: m [n]: o [p]: q",
        "      Description: text  # trailing comment, *not* an alias",
        "      Description: \"Checks *all* buckets, & *then* &more\"",
        "      Description: 'R&D *team*'",
    ])
    func asterisks(_ line: String) throws {
        #expect(try resolved(ruleTemplate(properties: line)).rules.count == 1)
    }

    @Test("A comment on a line with a quote is still screened, so it cannot hide an alias key after a quoted scalar closes")
    func commentsWithQuotes() {
        #expect(refusal("Resources:\n  x: \"a\n  # b\", *c : d\n").0?.message.contains("YAML aliases are not allowed") == true)
        #expect(refusal("Resources:\n  x: {\"a\n  # b\": 1, *c : d}\n").0?.message.contains("YAML aliases are not allowed") == true)
    }

    @Test("Complex keys are refused once they could cost more than linear time")
    func complexKeys() {
        var yaml = "Resources: {R: {Type: AWS::Config::ConfigRule}}\nx: "
        for _ in 0..<50 { yaml += "{[" }
        yaml += "a"
        for _ in 0..<50 { yaml += "]: b}" }
        let (error, elapsed) = refusal(yaml)
        #expect(error?.message.contains("list or map keys") == true, "\(String(describing: error))")
        #expect(elapsed < .seconds(1))
        // A single complex key is refused by the converter.
        #expect(refusal("Resources:\n  [a, b]: c").0?.message.contains("mapping keys must be plain strings") == true)
    }

    @Test("Deep flow nesting is refused without overflowing the stack", arguments: [100_000, 10_000, 1_000, 200])
    func deepFlowNesting(_ depth: Int) {
        let yaml = "Resources: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let (error, elapsed) = refusal(yaml)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("Template format error: the template nests deeper than 100 levels"), "\(message)")
        #expect(elapsed < .seconds(2))
    }

    @Test("Deep block nesting is refused without overflowing the stack", arguments: [
        ("compact", 10_000), ("compact", 1_500), ("indented", 1_400), ("indented", 150), ("mixed", 700), ("mixed", 150),
    ])
    func deepBlockNesting(_ shape: String, _ depth: Int) {
        var yaml = "Resources:\n"
        switch shape {
        case "compact":
            // `- - - a`: each dash opens a sequence, all on one line.
            yaml += " " + String(repeating: "- ", count: depth) + "a\n"
        case "indented":
            for level in 1...depth { yaml += String(repeating: " ", count: level) + "k:\n" }
        default:
            for level in 1...depth {
                yaml += String(repeating: " ", count: level) + "k:\n" + String(repeating: " ", count: level) + "- \n"
            }
        }
        #expect(yaml.utf8.count < 1 << 20)
        let (error, elapsed) = refusal(yaml)
        #expect(error?.message.hasPrefix("Template format error: the template nests deeper than 100 levels") == true, "\(String(describing: error))")
        #expect(elapsed < .seconds(2))
    }

    @Test("Nesting is refused even from a thread with a small stack")
    func smallStackCaller() async {
        let yaml = "Resources: " + String(repeating: "[", count: 999) + String(repeating: "]", count: 999)
        let message: String? = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let thread = Thread {
                do throws(TemplateError) {
                    _ = try ConformancePackTemplate.resolve(body: yaml, parameters: [:], context: testContext)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error.message)
                }
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        #expect(message?.contains("nests deeper than 100 levels") == true)
    }

    @Test("Deeply nested intrinsic functions are bounded by the nesting limit")
    func deepIntrinsics() {
        var expression = "x"
        for _ in 0..<120 { expression = "!Join ['', [\(expression)]]" }
        let (error, _) = refusal(ruleTemplate(properties: "      Description: \(expression)"))
        #expect(error?.message.contains("nests deeper than 100 levels") == true)
        var shallow = "x"
        for _ in 0..<20 { shallow = "!Join ['', [\(shallow)]]" }
        #expect((try? resolved(ruleTemplate(properties: "      Description: \(shallow)")))?.rules.first?.description == "x")
    }

    @Test("Oversized templates are refused before parsing")
    func oversized() {
        let yaml = "Resources: {}\n# " + String(repeating: "x", count: 1 << 20)
        let (error, elapsed) = refusal(yaml)
        #expect(error?.message.contains("more than the 1048576 this parser accepts") == true)
        #expect(elapsed < .seconds(1))
    }

    @Test("A huge scalar within the size bound is handled and reported briefly")
    func hugeScalar() {
        let yaml = "Resources: '" + String(repeating: "x", count: 1_000_000)
        let (error, elapsed) = refusal(yaml)
        #expect((error?.message.count ?? .max) < 400)
        #expect(elapsed < .seconds(2))
    }

    @Test("Too many nodes are refused before the YAML composer builds them", arguments: [
        "Resources: [" + String(repeating: "a,", count: 300_000) + "a]",
        "Resources:\n" + String(repeating: "- a\n", count: 130_000),
        "Resources: {" + String(repeating: "a,", count: 130_000) + "}",
    ])
    func tooManyNodes(_ yaml: String) {
        let (error, elapsed) = refusal(yaml)
        #expect(error?.message.hasPrefix("Template format error: the template may have more than 250000 YAML nodes") == true)
        #expect(elapsed < .milliseconds(500))
    }

    @Test("Join fan-out over a long parameter is bounded")
    func fanOut() {
        let items = Array(repeating: "!Ref P", count: 3_000).joined(separator: ", ")
        let yaml = ruleTemplate(properties: "      Description: !Join ['', [\(items)]]", header: "Parameters:\n  P: {Type: String}\n")
        let start = ContinuousClock.now
        do throws(TemplateError) {
            _ = try ConformancePackTemplate.resolve(body: yaml, parameters: ["P": String(repeating: "v", count: 4096)], context: testContext)
            Issue.record("expected the output bound to trip")
        } catch {
            #expect(error.message.contains("intrinsic functions produce more than"))
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("Long condition chains are bounded")
    func conditionChain() {
        var conditions = "Conditions:\n  C0: !Equals [a, a]\n"
        for index in 1...150 { conditions += "  C\(index): !Condition C\(index - 1)\n" }
        let yaml = ruleTemplate(properties: "", header: conditions, attributes: "    Condition: C150")
        // Evaluated in declaration order, each condition finds its predecessor already known.
        #expect((try? resolved(yaml))?.rules.count == 1)
        var reversed = "Conditions:\n"
        for index in 0..<150 { reversed += "  C\(index): !Condition C\(index + 1)\n" }
        reversed += "  C150: !Equals [a, a]\n"
        let error = templateError(ruleTemplate(properties: "", header: reversed))
        #expect(error?.message.contains("more than 100 levels deep") == true)
    }

    @Test("Seeded random byte mutations of a corpus template never crash", arguments: [1, 2, 3])
    func mutations(_ seed: UInt64) throws {
        let text = try Corpus.text("Security-Best-Practices-for-ECS.yaml")
        var generator = SplitMix64(seed: seed)
        let bytes = Array(text.utf8)
        let alphabet = Array("[]{}:-?*&!|>'\"#,\n \t%@`\\".utf8)
        for round in 0..<150 {
            var mutated = bytes
            for _ in 0..<(1 + Int(generator.next() % 8)) {
                let position = Int(generator.next() % UInt64(mutated.count))
                mutated[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            let yaml = String(decoding: mutated, as: UTF8.self)
            do throws(TemplateError) {
                _ = try ConformancePackTemplate.resolve(body: yaml, parameters: [:], context: testContext)
            } catch {
                #expect(!error.message.isEmpty, "seed \(seed) round \(round)")
            }
        }
    }
}

/// A small seeded generator (SplitMix64) so mutation tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
