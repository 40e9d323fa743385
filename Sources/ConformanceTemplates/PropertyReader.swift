/// Typed access to the evaluated properties of one resource, refusing keys the type doesn't have.
struct PropertyReader {
    let map: TemplateMap

    /// Refuses the map if it has a key outside `known`.
    init(_ map: TemplateMap, known: Set<String>) throws(TemplateFailure) {
        for key in map.keys where !known.contains(key) {
            throw TemplateFailure("Encountered unsupported property \(key.prefix(100))").at(key)
        }
        self.map = map
    }

    /// Reads `value` as a map of `known` keys.
    init(_ value: TemplateValue, known: Set<String>) throws(TemplateFailure) {
        guard let map = value.map else {
            throw TemplateFailure("Template error: expected an object, found \(value.kindName)")
        }
        try self.init(map, known: known)
    }

    func string(_ key: String) throws(TemplateFailure) -> String? {
        guard let value = map[key] else { return nil }
        guard let text = value.text else {
            throw TemplateFailure("Template error: \(key) must be a string, not \(value.kindName)").at(key)
        }
        return text
    }

    func requiredString(_ key: String) throws(TemplateFailure) -> String {
        guard let text = try string(key) else {
            throw TemplateFailure("Template error: required property \(key) is missing")
        }
        return text
    }

    func strings(_ key: String) throws(TemplateFailure) -> [String]? {
        guard let value = map[key] else { return nil }
        guard case .list(let items) = value else {
            throw TemplateFailure("Template error: \(key) must be a list of strings, not \(value.kindName)").at(key)
        }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let text = item.text else {
                throw TemplateFailure("Template error: \(key) must hold strings, not \(item.kindName)").at(index: index).at(key)
            }
            texts.append(text)
        }
        return texts
    }

    func list(_ key: String) throws(TemplateFailure) -> [TemplateValue]? {
        guard let value = map[key] else { return nil }
        guard case .list(let items) = value else {
            throw TemplateFailure("Template error: \(key) must be a list, not \(value.kindName)").at(key)
        }
        return items
    }

    /// A YAML 1.1 boolean (`true`, `True`, `TRUE`, `false`, ...), as CloudFormation reads one.
    func boolean(_ key: String) throws(TemplateFailure) -> Bool? {
        guard let text = try string(key) else { return nil }
        guard let value = Self.yamlBoolean(text) else {
            throw TemplateFailure("Template error: \(key) must be true or false, not '\(text.prefix(40))'").at(key)
        }
        return value
    }

    /// The YAML 1.1 spellings of a boolean that CloudFormation accepts, or nil for other text.
    static func yamlBoolean(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    func integer(_ key: String) throws(TemplateFailure) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let number = Int(text.trimmingSpaces) else {
            throw TemplateFailure("Template error: \(key) must be an integer, not '\(text.prefix(40))'").at(key)
        }
        return number
    }

    /// A map or a JSON object text, rendered as canonical JSON; nil when absent or empty.
    func json(_ key: String, scalars: CanonicalJSON.Scalars) throws(TemplateFailure) -> String? {
        guard let value = map[key] else { return nil }
        return try within(key) { () throws(TemplateFailure) in
            var object = value
            if case .string(let text, _) = value {
                // CloudFormation's Json properties also take the object as JSON text.
                object = try TemplateValue.parse(yaml: text)
            }
            guard let objectMap = object.map else {
                throw TemplateFailure("Template error: \(key) must be an object, not \(object.kindName)")
            }
            if objectMap.count == 0 { return nil }
            return try CanonicalJSON.render(object, scalars: scalars)
        }
    }

    /// Runs `body` on the nested object at `key`, if present.
    func nested<T>(_ key: String, known: Set<String>, _ body: (PropertyReader) throws(TemplateFailure) -> T) throws(TemplateFailure) -> T? {
        guard let value = map[key] else { return nil }
        return try within(key) { () throws(TemplateFailure) in try body(PropertyReader(value, known: known)) }
    }
}
