/// One entry of the template's `Parameters` section.
struct TemplateParameter: Sendable {
    /// How a parameter's text is checked and what a `Ref` to it returns.
    enum Kind: Sendable, Equatable {
        case string, number, numberList, commaDelimitedList
    }

    var name: String
    var kind: Kind
    var defaultValue: String?
    var allowedValues: [String]?
    var allowedPattern: String?
    var constraintDescription: String?
    var minLength: Int?
    var maxLength: Int?
    var minValue: Double?
    var maxValue: Double?

    /// The keys CloudFormation defines for a parameter.
    private static let knownKeys: Set<String> = [
        "Type", "Default", "Description", "AllowedValues", "AllowedPattern", "ConstraintDescription",
        "MinLength", "MaxLength", "MinValue", "MaxValue", "NoEcho",
    ]

    /// Reads one parameter declaration.
    init(name: String, declaration: TemplateValue) throws(TemplateFailure) {
        guard Self.isAlphanumeric(name) else {
            throw TemplateFailure("Template format error: Parameter name \(name) is non alphanumeric.")
        }
        guard let map = declaration.map else {
            throw TemplateFailure("Template format error: every Parameters member must be an object, not \(declaration.kindName)")
        }
        for key in map.keys where !Self.knownKeys.contains(key) {
            throw TemplateFailure("Template format error: Invalid template parameter property '\(key)'")
        }
        self.name = name
        guard let type = map["Type"]?.text else {
            throw TemplateFailure("Template format error: Every Parameters object must contain a Type member.")
        }
        switch type {
        case "String", "AWS::SSM::Parameter::Name": kind = .string
        case "Number": kind = .number
        case "List<Number>": kind = .numberList
        case "CommaDelimitedList": kind = .commaDelimitedList
        default:
            if type.hasPrefix("AWS::SSM::Parameter::Value<") {
                throw TemplateFailure("Template format error: SSM parameter types are not supported in conformance pack templates: \(type)")
            } else if type.hasPrefix("List<AWS::") && type.hasSuffix(">") {
                kind = .commaDelimitedList
            } else if type.hasPrefix("AWS::") {
                kind = .string
            } else {
                throw TemplateFailure("Template format error: Unrecognized parameter type: \(type)")
            }
        }
        defaultValue = try within("Default") { () throws(TemplateFailure) in try Self.scalar(map["Default"]) }
        allowedPattern = try within("AllowedPattern") { () throws(TemplateFailure) in try Self.scalar(map["AllowedPattern"]) }
        constraintDescription = try within("ConstraintDescription") { () throws(TemplateFailure) in try Self.scalar(map["ConstraintDescription"]) }
        minLength = try within("MinLength") { () throws(TemplateFailure) in try Self.integer(map["MinLength"]) }
        maxLength = try within("MaxLength") { () throws(TemplateFailure) in try Self.integer(map["MaxLength"]) }
        minValue = try within("MinValue") { () throws(TemplateFailure) in try Self.number(map["MinValue"]) }
        maxValue = try within("MaxValue") { () throws(TemplateFailure) in try Self.number(map["MaxValue"]) }
        if let allowed = map["AllowedValues"] {
            guard case .list(let items) = allowed else {
                throw TemplateFailure("Template format error: AllowedValues must be a list").at("AllowedValues")
            }
            var values: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = item.text else {
                    throw TemplateFailure("Template format error: AllowedValues must hold strings, not \(item.kindName)").at("AllowedValues").at(index: index)
                }
                values.append(text)
            }
            allowedValues = values
        }
    }

    /// Checks `text` against the declaration and returns what a `Ref` yields.
    func bind(_ text: String) throws(TemplateFailure) -> ParameterValue {
        switch kind {
        case .string:
            try check(text)
            return .string(text)
        case .number:
            try check(text)
            return .string(text)
        case .numberList, .commaDelimitedList:
            // An empty string is an empty list (CloudFormation's reading of Default: "").
            let items = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for item in items { try check(item) }
            return .list(items)
        }
    }

    private func failure(_ detail: String) -> TemplateFailure {
        TemplateFailure(constraintDescription.map { "Parameter '\(name)' failed to satisfy constraint: \($0)" } ?? detail)
    }

    /// Checks one value (or one list element) against the constraints.
    private func check(_ text: String) throws(TemplateFailure) {
        if let allowedValues, !allowedValues.contains(text) {
            throw TemplateFailure("Parameter '\(name)' must be one of AllowedValues")
        }
        if kind == .number || kind == .numberList {
            guard let number = Double(text.trimmingSpaces), number.isFinite else {
                throw failure("Parameter '\(name)' must be a number")
            }
            if let minValue, number < minValue {
                throw failure("Parameter '\(name)' must be a number not less than \(Self.format(minValue))")
            }
            if let maxValue, number > maxValue {
                throw failure("Parameter '\(name)' must be a number not greater than \(Self.format(maxValue))")
            }
            return
        }
        if let minLength, text.count < minLength {
            throw failure("Parameter '\(name)' must contain at least \(minLength) characters")
        }
        if let maxLength, text.count > maxLength {
            throw failure("Parameter '\(name)' must contain at most \(maxLength) characters")
        }
        if let allowedPattern {
            let pattern: AllowedPattern
            do {
                pattern = try AllowedPattern(allowedPattern)
            } catch {
                throw TemplateFailure("Template format error: AllowedPattern of parameter '\(name)' is not supported: \(error.reason)")
            }
            if !pattern.wholeMatch(text) {
                throw failure("Parameter '\(name)' must match pattern \(allowedPattern)")
            }
        }
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    private static func scalar(_ value: TemplateValue?) throws(TemplateFailure) -> String? {
        guard let value else { return nil }
        guard let text = value.text else {
            throw TemplateFailure("Template format error: expected a string, found \(value.kindName)")
        }
        return text
    }

    private static func integer(_ value: TemplateValue?) throws(TemplateFailure) -> Int? {
        guard let text = try scalar(value) else { return nil }
        guard let number = Int(text.trimmingSpaces), number >= 0 else {
            throw TemplateFailure("Template format error: expected a non-negative integer, found '\(text.prefix(40))'")
        }
        return number
    }

    private static func number(_ value: TemplateValue?) throws(TemplateFailure) -> Double? {
        guard let text = try scalar(value) else { return nil }
        guard let number = Double(text.trimmingSpaces) else {
            throw TemplateFailure("Template format error: expected a number, found '\(text.prefix(40))'")
        }
        return number
    }

    /// CloudFormation logical ids (parameters, resources, conditions) are ASCII letters and digits.
    static func isAlphanumeric(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
    }
}
