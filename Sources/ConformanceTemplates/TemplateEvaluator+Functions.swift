extension TemplateEvaluator {
    /// `Fn::Sub: "text"` or `Fn::Sub: ["text", {Name: value}]`: replaces `${Name}` with a variable,
    /// parameter, pseudo parameter or rule name, and `${!Text}` with the literal `${Text}`. Text
    /// without placeholders (such as an ARN holding `<Account-Id>`) passes through unchanged.
    mutating func substitute(_ argument: TemplateValue) throws(TemplateFailure) -> String {
        let template: String
        var variables: [String: String] = [:]
        switch argument {
        case .string(let text, _):
            template = text
        case .list(let items) where items.count == 2:
            guard let text = items[0].text else {
                throw TemplateFailure("Template error: the first element of Fn::Sub must be a string").at(index: 0)
            }
            template = text
            guard let map = items[1].map else {
                throw TemplateFailure("Template error: the second element of Fn::Sub must be a map of variables").at(index: 1)
            }
            for index in map.keys.indices {
                let key = map.keys[index]
                variables[key] = try within(index: 1) { () throws(TemplateFailure) in
                    try within(key) { () throws(TemplateFailure) in
                        try evaluateString(map.values[index], purpose: "the Fn::Sub variable \(key)")
                    }
                }
            }
        default:
            throw TemplateFailure("Template error: Fn::Sub requires a string or a list of a string and a map of variables")
        }
        guard template.utf8.contains(UInt8(ascii: "$")) else { return template }

        var output = ""
        var rest = template[...]
        while let start = rest.firstRange(of: "${") {
            output += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                // No closing brace: the rest is literal text.
                output += rest[start.lowerBound...]
                rest = rest[rest.endIndex...]
                break
            }
            let name = afterOpen[..<close]
            rest = afterOpen[afterOpen.index(after: close)...]
            if name.hasPrefix("!") {
                output += "${" + name.dropFirst() + "}"
                continue
            }
            let key = String(name.trimmingSpaces)
            let replacement: String
            if let variable = variables[key] {
                replacement = variable
            } else if key.contains("."), !key.hasPrefix("AWS::") {
                throw TemplateFailure("Template error: Fn::Sub variable ${\(key.prefix(100))} names a resource attribute; Fn::GetAtt is not supported in conformance pack templates")
            } else {
                guard let value = try reference(key) else {
                    throw TemplateFailure("Template error: Fn::Sub variable ${\(key)} cannot be AWS::NoValue")
                }
                guard let text = value.text else {
                    throw TemplateFailure("Template error: Fn::Sub variable ${\(key.prefix(100))} must resolve to a string, not \(value.kindName)")
                }
                replacement = text
            }
            try produce(replacement.utf8.count)
            output += replacement
        }
        output += rest
        try produce(output.utf8.count)
        return output
    }

    /// `Fn::Join: [delimiter, [values]]`.
    mutating func join(_ argument: TemplateValue) throws(TemplateFailure) -> String {
        guard case .list(let items) = argument, items.count == 2 else {
            throw TemplateFailure("Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings")
        }
        let delimiter = try within(index: 0) { () throws(TemplateFailure) in try evaluateString(items[0], purpose: "the Fn::Join delimiter") }
        let values = try within(index: 1) { () throws(TemplateFailure) in try evaluateStringList(items[1], purpose: "the second element of Fn::Join") }
        let joined = values.joined(separator: delimiter)
        try produce(joined.utf8.count)
        return joined
    }

    /// `Fn::Select: [index, [values]]`.
    mutating func select(_ argument: TemplateValue) throws(TemplateFailure) -> TemplateValue? {
        guard case .list(let items) = argument, items.count == 2 else {
            throw TemplateFailure("Template error: Fn::Select requires a list argument with two elements: an index and a list")
        }
        let indexText = try within(index: 0) { () throws(TemplateFailure) in try evaluateString(items[0], purpose: "the Fn::Select index") }
        guard let index = Int(indexText.trimmingSpaces), index >= 0 else {
            throw TemplateFailure("Template error: Fn::Select index must be a non-negative integer, not '\(indexText.prefix(40))'").at(index: 0)
        }
        guard let list = try within(index: 1, { () throws(TemplateFailure) in try evaluate(items[1]) }), case .list(let values) = list else {
            throw TemplateFailure("Template error: the second element of Fn::Select must be a list").at(index: 1)
        }
        guard index < values.count else {
            throw TemplateFailure("Template error: Fn::Select cannot select nonexistent value at index \(index)")
        }
        return values[index]
    }

    /// `Fn::Split: [delimiter, text]`.
    mutating func split(_ argument: TemplateValue) throws(TemplateFailure) -> [String] {
        guard case .list(let items) = argument, items.count == 2 else {
            throw TemplateFailure("Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split")
        }
        let delimiter = try within(index: 0) { () throws(TemplateFailure) in try evaluateString(items[0], purpose: "the Fn::Split delimiter") }
        guard !delimiter.isEmpty else {
            throw TemplateFailure("Template error: the Fn::Split delimiter cannot be empty").at(index: 0)
        }
        let source = try within(index: 1) { () throws(TemplateFailure) in try evaluateString(items[1], purpose: "the string Fn::Split splits") }
        var parts: [String] = []
        var rest = source[...]
        while let range = rest.firstRange(of: delimiter) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        try produce(source.utf8.count + parts.count)
        return parts
    }

    /// `Fn::FindInMap: [map, topKey, secondKey]` over the `Mappings` section.
    mutating func findInMap(_ argument: TemplateValue) throws(TemplateFailure) -> TemplateValue? {
        guard case .list(let items) = argument, items.count == 3 else {
            throw TemplateFailure("Template error: Fn::FindInMap requires a list argument with three elements: a map name, a top-level key and a second-level key")
        }
        var keys: [String] = []
        for index in items.indices {
            keys.append(try within(index: index) { () throws(TemplateFailure) in
                try evaluateString(items[index], purpose: "a Fn::FindInMap key")
            })
        }
        guard let map = mappings?[keys[0]]?.map, let top = map[keys[1]]?.map, let value = top[keys[2]] else {
            throw TemplateFailure("Template error: Unable to get mapping for \(keys[0].prefix(100))::\(keys[1].prefix(100))::\(keys[2].prefix(100))")
        }
        return value
    }
}

/// Standard Base64 (RFC 4648, with padding) for `Fn::Base64`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (remaining == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
