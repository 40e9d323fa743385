import Foundation
import Testing
@testable import ConformancePacks

@Suite("Corpus templates")
struct CorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus/templates")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
        }.sorted()
    }

    /// `AWS::Config::ConfigRule` resources in the text, and whether some carry a `Condition`.
    static func ruleCount(_ text: String) -> (rules: Int, conditional: Bool) {
        let lines = text.split(whereSeparator: \.isNewline)
        let rules = lines.filter {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "\"", with: "") == "Type: AWS::Config::ConfigRule"
        }.count
        let conditional = lines.contains { $0.hasPrefix("    Condition:") }
        return (rules, conditional)
    }

    @Test("Every corpus template deploys (the oversized one through TemplateS3Uri) with the template's rule count")
    func corpusDeploys() async throws {
        let files = Self.files
        #expect(files.count == 86, "corpus at \(Self.directory.path)")
        try await withEngine { engine in
            for (index, file) in files.enumerated() {
                let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
                let text = String(decoding: data, as: UTF8.self)
                let context = RequestContext(accountId: String(format: "%012d", 100 + index), region: "us-east-1")
                var request = PutConformancePackRequest(conformancePackName: "Corpus\(index)")
                if text.utf16.count > 51_200 {
                    try await engine.putTemplate(s3Uri: "s3://corpus/\(index).yaml", body: text)
                    request.templateS3Uri = "s3://corpus/\(index).yaml"
                } else {
                    request.templateBody = text
                }
                if text.contains("S3TargetBucketNameForEnableLogging:") {
                    request.conformancePackInputParameters = [ConformancePackInputParameter(parameterName: "S3TargetBucketNameForEnableLogging", parameterValue: "log-bucket")]
                }
                do {
                    _ = try await engine.putConformancePack(request, context: context)
                } catch {
                    Issue.record("\(file): \(error)")
                    continue
                }
                let status = try await engine.describeConformancePackStatus(.init(), context: context).conformancePackStatusDetails?.first
                #expect(status?.conformancePackState == .createComplete, "\(file): \(status?.conformancePackStatusReason ?? "")")
                var deployed = 0
                var token: String?
                repeat {
                    let page = try await engine.describeConfigRules(.init(nextToken: token), context: context)
                    deployed += page.configRules?.count ?? 0
                    token = page.nextToken
                } while token != nil
                let expected = Self.ruleCount(text)
                if expected.conditional {
                    #expect(deployed > 0 && deployed <= expected.rules, "\(file)")
                } else {
                    #expect(deployed == expected.rules, "\(file)")
                }
            }
        }
    }
}
