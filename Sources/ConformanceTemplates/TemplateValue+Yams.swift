internal import Yams

extension TemplateValue {
    /// Parses YAML or JSON text into a template tree.
    ///
    /// The text is screened first (size, aliases, complex keys; see ``TemplateScreening``), then
    /// composed by Yams/libyaml with no implicit typing, then converted with bounded depth and node
    /// count. Short-form CloudFormation tags become their long form.
    ///
    /// - Throws: `TemplateFailure` for malformed YAML, a refused construct or an exceeded bound.
    static func parse(yaml text: String) throws(TemplateFailure) -> TemplateValue {
        let screening = try TemplateScreening.screen(text)
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw TemplateFailure(Self.describe(error))
        } catch {
            throw TemplateFailure("Template format error: YAML not well-formed. \(String(describing: error).prefix(200))")
        }
        guard let root else {
            throw TemplateFailure("Template format error: the template is empty")
        }
        // The parser owns the anchors its nodes point to weakly: keep it alive while converting.
        return try withExtendedLifetime(parser) { () throws(TemplateFailure) in
            var converter = NodeConverter(checksAnchors: screening.mayHaveAnchors)
            return try converter.convert(root, depth: 0)
        }
    }

    /// A short, bounded description of a Yams error (Yams' own description quotes the offending
    /// line, which may be a megabyte long).
    private static func describe(_ error: YamlError) -> String {
        func located(_ problem: String, _ mark: Mark) -> String {
            "Template format error: YAML not well-formed. \(problem.prefix(200)) (line \(mark.line), column \(mark.column))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level") {
                // libyaml's own bound (1,000 levels) tripped before the converter's.
                return "Template format error: the template nests deeper than \(TemplateLimits.maxDepth) levels (line \(mark.line), column \(mark.column))"
            }
            let text = context.map { "\($0.text) \(problem)" } ?? problem
            return located(text, mark)
        case .reader(let problem, _, _, _):
            return "Template format error: YAML not well-formed. \(problem.prefix(200))"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { String($0.prefix(100)) }.joined(separator: ", ")
            return located("duplicate keys [\(keys)] in a mapping", context.mark)
        case .memory:
            return "Template format error: the YAML parser ran out of memory"
        default:
            return "Template format error: YAML not well-formed"
        }
    }
}

/// Converts a Yams node tree into ``TemplateValue``s, counting nodes and depth.
private struct NodeConverter {
    /// Whether nodes must be checked for anchors (the screen saw an anchor-looking token).
    let checksAnchors: Bool
    private var nodes = 0

    init(checksAnchors: Bool) {
        self.checksAnchors = checksAnchors
    }

    /// Long-form names of the CloudFormation short-form tags.
    private static let shortForms: [String: String] = [
        "!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!And": "Fn::And",
        "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!Equals": "Fn::Equals", "!FindInMap": "Fn::FindInMap",
        "!GetAZs": "Fn::GetAZs", "!If": "Fn::If", "!ImportValue": "Fn::ImportValue", "!Join": "Fn::Join",
        "!Not": "Fn::Not", "!Or": "Fn::Or", "!Select": "Fn::Select", "!Split": "Fn::Split", "!Sub": "Fn::Sub",
        "!Transform": "Fn::Transform", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
    ]

    /// YAML 1.1 nulls: an empty plain scalar, `~`, `null`, `Null`, `NULL`.
    private static func isNull(_ text: String) -> Bool {
        guard text.utf8.count <= 4 else { return false }
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    mutating func convert(_ node: Node, depth: Int) throws(TemplateFailure) -> TemplateValue {
        nodes += 1
        guard nodes <= TemplateLimits.maxNodes else {
            throw TemplateFailure("Template format error: the template has more than \(TemplateLimits.maxNodes) YAML nodes")
        }
        guard depth <= TemplateLimits.maxDepth else {
            throw TemplateFailure("Template format error: the template nests deeper than \(TemplateLimits.maxDepth) levels")
        }
        if checksAnchors, node.anchor != nil {
            throw TemplateFailure("Template format error: YAML anchors and aliases are not allowed in CloudFormation templates (line \(node.mark?.line ?? 0))")
        }
        let value: TemplateValue
        let tagName: String
        switch node {
        case .scalar(let scalar):
            tagName = scalar.tag.rawValue
            value = try Self.scalarValue(scalar, tag: tagName)
        case .sequence(let sequence):
            tagName = sequence.tag.rawValue
            var items: [TemplateValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try within(index: index) { () throws(TemplateFailure) in try convert(item, depth: depth + 1) })
            }
            value = .list(items)
        case .mapping(let mapping):
            tagName = mapping.tag.rawValue
            var map = TemplateMap()
            map.keys.reserveCapacity(mapping.count)
            map.values.reserveCapacity(mapping.count)
            // By index: Node.Mapping's iterator copies every pair into a new array first.
            for index in mapping.startIndex..<mapping.endIndex {
                let (key, item) = mapping[index]
                guard case .scalar(let keyScalar) = key, keyScalar.tag.rawValue.isEmpty || keyScalar.tag.rawValue == Tag.Name.str.rawValue else {
                    throw TemplateFailure("Template format error: mapping keys must be plain strings (line \(key.mark?.line ?? 0))")
                }
                let name = keyScalar.string
                map.append(name, try within(name) { () throws(TemplateFailure) in try convert(item, depth: depth + 1) })
            }
            value = .map(map)
        case .alias:
            throw TemplateFailure("Template format error: YAML aliases are not allowed in CloudFormation templates")
        }
        if tagName.isEmpty { return value }
        return try Self.applyTag(tagName, to: value, node: node)
    }

    private static func scalarValue(_ scalar: Node.Scalar, tag: String) throws(TemplateFailure) -> TemplateValue {
        let text = scalar.string
        switch scalar.style {
        case .plain, .any:
            if tag.isEmpty {
                return isNull(text) ? .null : .string(text, plain: true)
            }
            if tag == Tag.Name.null.rawValue { return .null }
            // An explicit `!!str` makes even a number-looking scalar a string.
            return .string(text, plain: tag != Tag.Name.str.rawValue)
        case .singleQuoted, .doubleQuoted, .literal, .folded:
            return .string(text, plain: false)
        }
    }

    /// Applies a node's tag: YAML core tags keep the value, CloudFormation short forms wrap it in
    /// their long form, anything else is refused.
    private static func applyTag(_ tag: String, to value: TemplateValue, node: Node) throws(TemplateFailure) -> TemplateValue {
        if tag.isEmpty || tag == "!" || tag.hasPrefix("tag:yaml.org,2002:") {
            return value
        }
        // The line is only needed for an error; reading a node's mark is not free.
        var line: Int { node.mark?.line ?? 0 }
        guard let longForm = shortForms[tag] else {
            throw TemplateFailure("Template format error: unsupported YAML tag \(tag.prefix(100)) (line \(line))")
        }
        if longForm == "Fn::GetAtt", case .string(let text, _) = value {
            // `!GetAtt Resource.Attribute`: the attribute name may itself contain dots.
            guard let dot = text.firstIndex(of: ".") else {
                throw TemplateFailure("Template error: Fn::GetAtt requires the form Resource.Attribute (line \(line))")
            }
            let resource = String(text[..<dot])
            let attribute = String(text[text.index(after: dot)...])
            return .single(longForm, .list([.string(resource, plain: false), .string(attribute, plain: false)]))
        }
        return .single(longForm, value)
    }
}
