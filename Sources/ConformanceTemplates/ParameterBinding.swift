/// Reads the `Parameters` section and binds each parameter to its input or default value.
enum ParameterBinding {
    /// Resolves every declared parameter.
    ///
    /// - Throws: `Parameters: [X] do not exist in the template` for inputs the template does not
    ///   declare, `Parameters: [X] must have values` for declarations with neither input nor
    ///   default (each listing every such name), or the first constraint a value breaks.
    static func bind(section: TemplateValue?, inputs: [String: String]) throws(TemplateFailure) -> [String: ParameterValue] {
        var declarations: [TemplateParameter] = []
        if let section {
            guard let map = section.map else {
                throw TemplateFailure("Template format error: Parameters must be an object, not \(section.kindName)").at("Parameters")
            }
            for (name, declaration) in zip(map.keys, map.values) {
                declarations.append(try within("Parameters") { () throws(TemplateFailure) in
                    try within(name) { () throws(TemplateFailure) in try TemplateParameter(name: name, declaration: declaration) }
                })
            }
        }
        let declared = Set(declarations.map(\.name))
        let unknown = inputs.keys.filter { !declared.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw TemplateFailure("Parameters: [\(unknown.joined(separator: ", "))] do not exist in the template", appendsLocation: false).at("Parameters")
        }
        let missing = declarations.filter { inputs[$0.name] == nil && $0.defaultValue == nil }.map(\.name)
        if !missing.isEmpty {
            throw TemplateFailure("Parameters: [\(missing.joined(separator: ", "))] must have values", appendsLocation: false).at("Parameters")
        }
        var values: [String: ParameterValue] = [:]
        values.reserveCapacity(declarations.count)
        for declaration in declarations {
            // Checked above: every declaration has an input or a default.
            let text = inputs[declaration.name] ?? declaration.defaultValue ?? ""
            values[declaration.name] = try within("Parameters") { () throws(TemplateFailure) in
                try within(declaration.name) { () throws(TemplateFailure) in try declaration.bind(text) }
            }
        }
        return values
    }
}
