import Testing
@testable import ConformancePacks

@Suite("Pagination")
struct PaginationTests {
    @Test("Pages follow name order, tokens carry across pages, the last page has no token")
    func pagesInOrder() async throws {
        try await withEngine { engine in
            let names = (0..<45).map { "Pack\(String(format: "%02d", $0))" }
            for name in names.shuffled() {
                _ = try await engine.putConformancePack(put(name, body: template(rules: ["r"])), context: alice)
            }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await engine.describeConformancePacks(.init(nextToken: token), context: alice)
                seen += page.conformancePackDetails?.map(\.conformancePackName) ?? []
                token = page.nextToken
                pages += 1
            } while token != nil
            #expect(seen == names)
            #expect(pages == 3)
            let statusPage = try await engine.describeConformancePackStatus(.init(limit: 20), context: alice)
            #expect(statusPage.conformancePackStatusDetails?.count == 20)
            #expect(statusPage.nextToken != nil)
        }
    }

    @Test("A token stays valid while writes continue: the next page starts strictly after the last name returned")
    func keysetSurvivesWrites() async throws {
        try await withEngine { engine in
            for name in ["A", "C", "E", "G"] {
                _ = try await engine.putConformancePack(put(name, body: template(rules: ["r"])), context: alice)
            }
            let first = try await engine.describeConformancePacks(.init(limit: 2), context: alice)
            #expect(first.conformancePackDetails?.map(\.conformancePackName) == ["A", "C"])
            _ = try await engine.putConformancePack(put("B", body: template(rules: ["r"])), context: alice)
            _ = try await engine.putConformancePack(put("D", body: template(rules: ["r"])), context: alice)
            try await engine.deleteConformancePack(.init(conformancePackName: "C"), context: alice)
            let second = try await engine.describeConformancePacks(.init(limit: 2, nextToken: first.nextToken), context: alice)
            #expect(second.conformancePackDetails?.map(\.conformancePackName) == ["D", "E"])
        }
    }

    @Test("Forged, foreign and malformed tokens are InvalidNextTokenException")
    func badTokens() async throws {
        try await withEngine { engine in
            for index in 0..<30 {
                _ = try await engine.putConformancePack(put("P\(index)", body: template(rules: ["r"])), context: alice)
                try await engine.putConfigRule(userRule("rule-\(index)"), context: alice)
            }
            let token = try #require(try await engine.describeConformancePacks(.init(limit: 5), context: alice).nextToken)
            let ruleToken = try #require(try await engine.describeConfigRules(.init(), context: alice).nextToken)
            func packs(_ token: String, _ context: RequestContext = alice) async -> ConformanceError.Code? {
                await errorCode { _ = try await engine.describeConformancePacks(.init(nextToken: token), context: context) }
            }
            #expect(await packs(token) == nil)
            #expect(await packs(token, bob) == .invalidNextToken)  // another partition
            #expect(await errorCode { _ = try await engine.describeConformancePackStatus(.init(nextToken: token), context: alice) } == .invalidNextToken)  // another operation
            #expect(await packs(ruleToken) == .invalidNextToken)
            #expect(await errorCode { _ = try await engine.describeConfigRules(.init(nextToken: ruleToken, filters: .init(evaluationMode: .detective)), context: alice) } == .invalidNextToken)  // other filters
            for bad in ["", "x", "not base64!", "P5", String(token.dropLast()), token + "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
                #expect(await packs(bad) == .invalidNextToken, "token \(bad)")
            }
            // Every single-character change of a valid token is refused.
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            var chars = Array(token)
            for index in chars.indices {
                let original = chars[index]
                chars[index] = alphabet[(alphabet.firstIndex(of: original)! + 1) % alphabet.count]
                let forged = String(chars)
                chars[index] = original
                #expect(throws: ConformanceError.invalidNextToken) {
                    _ = try PageToken.decode(forged, .describeConformancePacks, scope: PageToken.scope(PartitionKey(accountId: alice.accountId, region: alice.region)))
                }
            }
        }
    }

    @Test("base64url round-trips every length and refuses non-canonical text")
    func base64() {
        var generator = SeededGenerator(seed: 7)
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.decode("AB") == nil)  // leftover bits set
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("AA==") == nil)
    }
}
