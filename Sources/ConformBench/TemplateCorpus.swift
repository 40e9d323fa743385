import ConformanceTemplates
import Foundation

/// The conformance pack templates a workload deploys: the public corpus when it is found, else a
/// few synthetic templates (the report says which).
public struct TemplateCorpus: Sendable {
    /// One template.
    public struct Template: Sendable, Hashable {
        /// The file name, or a synthetic name.
        public var name: String
        public var body: String
        /// The `AWS::Config::ConfigRule` resources it declares.
        public var ruleCount: Int
    }

    /// The templates, in file-name order (the order the generator draws from).
    public var templates: [Template]
    /// Where they came from: a directory, or "synthetic".
    public var source: String

    /// The largest `TemplateBody` a Put accepts inline (bytes).
    static let maxInlineBody = 51_200

    public init(templates: [Template], source: String) {
        self.templates = templates
        self.source = source
    }

    /// The `.yaml`, `.yml` and `.json` files of `directory` that deploy as they are (no input
    /// parameter is required) and can be sent inline, or nil when the directory cannot be read or
    /// holds none.
    public static func load(directory: String) -> TemplateCorpus? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let templates = names.sorted().compactMap { name -> Template? in
            guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"),
                let body = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            else { return nil }
            return template(name: name, body: body)
        }
        return templates.isEmpty ? nil : TemplateCorpus(templates: templates, source: directory)
    }

    /// `body` as a template a workload can send: inline-sized, resolving without input
    /// parameters, with at least one rule; nil otherwise.
    static func template(name: String, body: String) -> Template? {
        guard body.utf8.count <= maxInlineBody else { return nil }
        let context = TemplateContext(accountId: "123456789012", region: "us-east-1", stackName: "bench")
        guard let resolved = try? ConformancePackTemplate.resolve(body: body, parameters: [:], context: context),
            !resolved.rules.isEmpty
        else { return nil }
        return Template(name: name, body: body, ruleCount: resolved.rules.count)
    }

    /// Three templates of 5, 10 and 20 AWS managed rules, for machines without the corpus.
    public static let synthetic = TemplateCorpus(
        templates: [5, 10, 20].map { count in
            var body = "Resources:\n"
            for index in 0..<count {
                body += "  Rule\(index):\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
                body += "      ConfigRuleName: synthetic-rule-\(index)\n"
                body += "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"
            }
            return Template(name: "synthetic-\(count)-rules", body: body, ruleCount: count)
        },
        source: "synthetic")

    /// The templates with at most `maxRules` rules (all of them when none is that small).
    public func limited(toRules maxRules: Int) -> TemplateCorpus {
        let small = templates.filter { $0.ruleCount <= maxRules }
        return TemplateCorpus(templates: small.isEmpty ? templates : small, source: source)
    }

}
