/// The steps of ``ConformancePackTemplate/resolve(body:parameters:context:)``, in order.
enum TemplateResolver {
    private static let topLevelKeys: Set<String> = [
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Resources", "Outputs",
    ]

    static func resolve(body: String, inputs: [String: String], context: TemplateContext) throws(TemplateFailure) -> ResolvedTemplate {
        let root = try ParsedTemplateCache.shared.value(of: body) { text throws(TemplateFailure) in try TemplateValue.parse(yaml: text) }
        guard let template = root.map else {
            throw TemplateFailure("Template format error: a template must be an object of sections (Resources, Parameters, Conditions, ...), not \(root.kindName)")
        }
        try checkTopLevel(template)

        guard let resourcesValue = template["Resources"] else {
            throw TemplateFailure("Template format error: At least one Resources member must be defined.")
        }
        guard let resources = resourcesValue.map else {
            throw TemplateFailure("Template format error: Resources must be an object, not \(resourcesValue.kindName)").at("Resources")
        }
        guard resources.count > 0 else {
            throw TemplateFailure("Template format error: At least one Resources member must be defined.").at("Resources")
        }
        guard resources.count <= TemplateLimits.maxResources else {
            throw TemplateFailure("Number of resources provided in the template exceeds the allowed limit", appendsLocation: false).at("Resources")
        }

        let parameters = try ParameterBinding.bind(section: template["Parameters"], inputs: inputs)
        let mappings = try readMappings(template["Mappings"])
        let (conditionOrder, conditions) = try readConditions(template["Conditions"])
        var evaluator = TemplateEvaluator(context: context, parameters: parameters, mappings: mappings, conditions: conditions)
        evaluator.resourceIds = Set(resources.keys)
        try evaluator.evaluateAllConditions(order: conditionOrder)

        // First pass: types, conditions and attributes of every resource, so that `Ref`s between
        // resources resolve whatever their order.
        var entries: [(id: String, entry: ResourceEntry, controls: [String])] = []
        entries.reserveCapacity(resources.count)
        for index in resources.keys.indices {
            let id = resources.keys[index]
            let (entry, controls) = try within("Resources") { () throws(TemplateFailure) in
                try within(id) { () throws(TemplateFailure) in
                    try readResource(id: id, resources.values[index], resources: resources, evaluator: &evaluator)
                }
            }
            entries.append((id, entry, controls))
            evaluator.resources[id] = entry
        }

        var rules: [TemplateConfigRule] = []
        var remediations: [TemplateRemediation] = []
        rules.reserveCapacity(entries.count)
        for (id, entry, controls) in entries {
            try within("Resources") { () throws(TemplateFailure) in
                try within(id) { () throws(TemplateFailure) in
                    guard entry.active else {
                        // Not deployed, but its references must still exist, as CloudFormation checks.
                        if let properties = entry.properties {
                            try within("Properties") { () throws(TemplateFailure) in try evaluator.checkReferences(.map(properties)) }
                        }
                        return
                    }
                    if entry.type == ResourceKind.remediation, let properties = entry.properties {
                        try within("Properties") { () throws(TemplateFailure) in try ResourceKind.checkLiteralAssumeRole(properties) }
                    }
                    let evaluated = try within("Properties") { () throws(TemplateFailure) -> TemplateMap in
                        guard let properties = entry.properties, let value = try evaluator.evaluate(.map(properties)) else {
                            return TemplateMap()
                        }
                        return value.map ?? TemplateMap()
                    }
                    try within("Properties") { () throws(TemplateFailure) in
                        if entry.type == ResourceKind.configRule {
                            rules.append(try ResourceKind.rule(logicalId: id, properties: evaluated, controls: controls))
                        } else {
                            remediations.append(try ResourceKind.remediation(logicalId: id, properties: evaluated))
                        }
                    }
                }
            }
        }
        return ResolvedTemplate(rules: rules, remediations: remediations)
    }

    private static func checkTopLevel(_ template: TemplateMap) throws(TemplateFailure) {
        if template["Transform"] != nil {
            throw TemplateFailure("Template format error: Transform is not supported in conformance pack templates").at("Transform")
        }
        let unknown = template.keys.filter { !topLevelKeys.contains($0) }
        if !unknown.isEmpty {
            throw TemplateFailure("Template format error: Invalid template property or properties [\(unknown.map { String($0.prefix(100)) }.joined(separator: ", "))]")
        }
        if let version = template["AWSTemplateFormatVersion"], version.text != "2010-09-09" {
            throw TemplateFailure("Template format error: Unsupported template format version; only 2010-09-09 is supported").at("AWSTemplateFormatVersion")
        }
        if let description = template["Description"], description.text == nil {
            throw TemplateFailure("Template format error: Description must be a string, not \(description.kindName)").at("Description")
        }
        for section in ["Metadata", "Outputs"] {
            if let value = template[section], value.map == nil {
                throw TemplateFailure("Template format error: \(section) must be an object, not \(value.kindName)").at(section)
            }
        }
    }

    /// `Mappings`: map name → top-level key → second-level key → value.
    private static func readMappings(_ section: TemplateValue?) throws(TemplateFailure) -> TemplateMap? {
        guard let section else { return nil }
        guard let mappings = section.map else {
            throw TemplateFailure("Template format error: Mappings must be an object, not \(section.kindName)").at("Mappings")
        }
        for (name, mapping) in zip(mappings.keys, mappings.values) {
            guard let top = mapping.map, top.count > 0 else {
                throw TemplateFailure("Template format error: Every Mappings member \(name) must contain at least one attribute and be an object").at(name).at("Mappings")
            }
            for (key, second) in zip(top.keys, top.values) where second.map == nil {
                throw TemplateFailure("Template format error: every Mappings attribute must be an object, not \(second.kindName)").at(key).at(name).at("Mappings")
            }
        }
        return mappings
    }

    private static func readConditions(_ section: TemplateValue?) throws(TemplateFailure) -> ([String], [String: TemplateValue]) {
        guard let section else { return ([], [:]) }
        guard let conditions = section.map else {
            throw TemplateFailure("Template format error: Conditions must be an object, not \(section.kindName)").at("Conditions")
        }
        return (conditions.keys, Dictionary(zip(conditions.keys, conditions.values), uniquingKeysWith: { first, _ in first }))
    }

    /// Reads a resource's type, condition, dependencies and `Controls`; properties stay unevaluated.
    private static func readResource(
        id: String, _ value: TemplateValue, resources: TemplateMap, evaluator: inout TemplateEvaluator
    ) throws(TemplateFailure) -> (ResourceEntry, [String]) {
        guard TemplateParameter.isAlphanumeric(id) else {
            throw TemplateFailure("Template format error: Resource name \(id.prefix(100)) is non alphanumeric.")
        }
        guard let resource = value.map else {
            throw TemplateFailure("Template format error: every Resources member must be an object, not \(value.kindName)")
        }
        guard let type = resource["Type"]?.text else {
            throw TemplateFailure("Template format error: [/Resources/\(id)] Every Resources object must contain a Type member.")
        }
        guard type == ResourceKind.configRule || type == ResourceKind.remediation else {
            throw TemplateFailure("Template format error: Unsupported resource type \(type.prefix(100)) for resource \(id); conformance pack templates may only contain AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration").at("Type")
        }
        var active = true
        if let condition = resource["Condition"] {
            guard let name = condition.text else {
                throw TemplateFailure("Template format error: Condition must be the name of a condition, not \(condition.kindName)").at("Condition")
            }
            active = try within("Condition") { () throws(TemplateFailure) in try evaluator.namedCondition(name) }
        }
        if let dependsOn = resource["DependsOn"] {
            let names: [String]
            switch dependsOn {
            case .string(let name, _): names = [name]
            case .list(let items): names = items.compactMap(\.text)
            default: names = []
            }
            guard dependsOn.text != nil || names.count == (dependsOn.listCount ?? -1) else {
                throw TemplateFailure("Template format error: DependsOn must be a resource name or a list of resource names").at("DependsOn")
            }
            if let missing = names.first(where: { resources[$0] == nil }) {
                throw TemplateFailure("Template format error: Unresolved resource dependencies [\(missing.prefix(100))] in the Resources block of the template").at("DependsOn")
            }
        }
        var controls: [String] = []
        if let value = resource["Controls"] {
            controls = try within("Controls") { () throws(TemplateFailure) in try readControls(value) }
        }
        var properties: TemplateMap?
        if let value = resource["Properties"] {
            guard let map = value.map else {
                throw TemplateFailure("Template format error: Properties must be an object, not \(value.kindName)").at("Properties")
            }
            properties = map
        }
        return (ResourceEntry(type: type, active: active, properties: properties), controls)
    }

    /// The resource-level `Controls` attribute: at most 20 strings of 1...128 characters.
    private static func readControls(_ value: TemplateValue) throws(TemplateFailure) -> [String] {
        guard case .list(let items) = value else {
            throw TemplateFailure("Template error: Controls must be a list of strings, not \(value.kindName)")
        }
        guard items.count <= TemplateLimits.maxControls else {
            throw TemplateFailure("Template error: Controls has \(items.count) entries; at most \(TemplateLimits.maxControls) are allowed")
        }
        var controls: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.text else {
                throw TemplateFailure("Template error: Controls must hold strings, not \(item.kindName)").at(index: index)
            }
            guard (1...TemplateLimits.maxControlLength).contains(text.count) else {
                throw TemplateFailure("Template error: each control must be 1 to \(TemplateLimits.maxControlLength) characters long").at(index: index)
            }
            controls.append(text)
        }
        return controls
    }
}
