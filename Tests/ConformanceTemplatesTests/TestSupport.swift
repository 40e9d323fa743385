import Foundation
import Testing
@testable import ConformanceTemplates

/// The context every test resolves with.
let testContext = TemplateContext(accountId: "123456789012", region: "eu-west-1", stackName: "awsconfigconforms-pack-abc")

/// Resolves `yaml`, failing the test with the template error if it throws.
func resolved(_ yaml: String, _ parameters: [String: String] = [:], context: TemplateContext = testContext) throws -> ResolvedTemplate {
    try ConformancePackTemplate.resolve(body: yaml, parameters: parameters, context: context)
}

/// The error resolving `yaml` throws, or nil (and a recorded issue) if it resolves.
func templateError(_ yaml: String, _ parameters: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> TemplateError? {
    do {
        let template = try ConformancePackTemplate.resolve(body: yaml, parameters: parameters, context: testContext)
        Issue.record("expected a template error, got \(template.rules.count) rules", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A one-rule template whose rule has `properties` (indented YAML lines under `Properties:`).
func ruleTemplate(properties: String, header: String = "", attributes: String = "") -> String {
    """
    \(header)
    Resources:
      Rule:
        Type: AWS::Config::ConfigRule
    \(attributes)
        Properties:
          Source:
            Owner: AWS
            SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
    \(properties)
    """
}

/// The shared corpus of real templates: `/work/shared/corpus` beside the repository.
enum Corpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ConformanceTemplatesTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .deletingLastPathComponent()  // its parent, which holds shared/
        .appendingPathComponent("shared/corpus")

    static var templates: URL { directory.appendingPathComponent("templates") }

    /// The template file names, sorted.
    static func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: templates.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
    }

    /// The README's per-file table: file name → (rules, remediations).
    static func expectedCounts() throws -> [String: (rules: Int, remediations: Int)] {
        let readme = try String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8)
        var counts: [String: (Int, Int)] = [:]
        var inTable = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## Per-file summary") { inTable = true; continue }
            guard inTable, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            // "", file, bytes, rules, remediations, ...
            guard cells.count > 5, let rules = Int(cells[3]), let remediations = Int(cells[4]) else { continue }
            counts[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (rules, remediations)
        }
        return counts
    }
}
