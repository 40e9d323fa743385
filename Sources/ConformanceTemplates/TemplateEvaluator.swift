/// A resource as the evaluator sees it while resolving `Ref`s to logical ids.
struct ResourceEntry: Sendable {
    var type: String
    var active: Bool
    var properties: TemplateMap?
}

/// Evaluates intrinsic functions and conditions against bound parameters and a context.
///
/// `evaluate` returns nil for `AWS::NoValue`: the enclosing map entry or list element disappears.
/// Every container level adds its key to the path of a failure as it unwinds.
struct TemplateEvaluator {
    let context: TemplateContext
    let parameters: [String: ParameterValue]
    let mappings: TemplateMap?
    /// Condition declarations by name.
    let conditionDeclarations: [String: TemplateValue]
    /// Resources by logical id, for `Ref`s to resources; filled after the conditions are evaluated.
    var resources: [String: ResourceEntry] = [:]
    /// Every resource's logical id, known before the conditions are evaluated.
    var resourceIds: Set<String> = []

    /// Conditions evaluated so far.
    private(set) var conditionValues: [String: Bool] = [:]
    /// Conditions being evaluated, innermost last (cycle detection).
    private var conditionStack: [String] = []
    /// Rules whose name is being resolved for a `Ref` (cycle detection).
    private var resolvingNames: [String] = []
    /// Rule names already resolved for a `Ref`, by logical id: without it, rules whose names each
    /// refer to the next one several times (`Fn::Select` over a list of `Ref`s) cost exponential time.
    private var resolvedNames: [String: String] = [:]
    /// True while evaluating the `Conditions` section, where `Fn::If` and resource `Ref`s are refused.
    private var inConditions = false
    /// Characters produced by string functions so far (bounded).
    private var produced = 0

    init(context: TemplateContext, parameters: [String: ParameterValue], mappings: TemplateMap?, conditions: [String: TemplateValue]) {
        self.context = context
        self.parameters = parameters
        self.mappings = mappings
        self.conditionDeclarations = conditions
    }

    /// The names of the functions CloudFormation has but a conformance pack cannot evaluate.
    static let unsupportedFunctions: Set<String> = [
        "Fn::GetAtt", "Fn::ImportValue", "Fn::Cidr", "Fn::GetAZs", "Fn::Transform", "Fn::Length",
        "Fn::ToJsonString", "Fn::ForEach", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn",
        "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll", "Fn::GetStackOutput",
    ]

    static func isFunctionKey(_ key: String) -> Bool {
        key == "Ref" || key.utf8.starts(with: "Fn::".utf8)
    }

    // MARK: - Values

    /// Evaluates every intrinsic function in `value`; nil means `AWS::NoValue`.
    mutating func evaluate(_ value: TemplateValue) throws(TemplateFailure) -> TemplateValue? {
        switch value {
        case .string:
            return value
        case .null:
            throw TemplateFailure("Template format error: 'null' values are not allowed in templates")
        case .list(let items):
            var result: [TemplateValue] = []
            result.reserveCapacity(items.count)
            for index in items.indices {
                let item = try within(index: index) { () throws(TemplateFailure) in try evaluate(items[index]) }
                if let item { result.append(item) }
            }
            return .list(result)
        case .map(let map):
            if map.count == 1, Self.isFunctionKey(map.keys[0]) {
                return try within(map.keys[0]) { () throws(TemplateFailure) in try function(map.keys[0], map.values[0]) }
            }
            var result = TemplateMap()
            result.keys.reserveCapacity(map.count)
            result.values.reserveCapacity(map.count)
            for index in map.keys.indices {
                let key = map.keys[index]
                if Self.isFunctionKey(key) {
                    throw TemplateFailure("Template format error: \(key) must be the only key of its object").at(key)
                }
                if let item = try within(key, { () throws(TemplateFailure) in try evaluate(map.values[index]) }) {
                    result.append(key, item)
                }
            }
            return .map(result)
        }
    }

    /// Evaluates `value` and requires a string.
    mutating func evaluateString(_ value: TemplateValue, purpose: String) throws(TemplateFailure) -> String {
        guard let result = try evaluate(value) else {
            throw TemplateFailure("Template error: \(purpose) cannot be AWS::NoValue")
        }
        guard let text = result.text else {
            throw TemplateFailure("Template error: \(purpose) must be a string, not \(result.kindName)")
        }
        return text
    }

    /// Evaluates `value` and requires a list of strings.
    mutating func evaluateStringList(_ value: TemplateValue, purpose: String) throws(TemplateFailure) -> [String] {
        guard let result = try evaluate(value), case .list(let items) = result else {
            throw TemplateFailure("Template error: \(purpose) must be a list of strings")
        }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for item in items {
            guard let text = item.text else {
                throw TemplateFailure("Template error: \(purpose) must be a list of strings, not a list holding \(item.kindName)")
            }
            texts.append(text)
        }
        return texts
    }

    /// Counts characters produced by a string function against the template's budget.
    mutating func produce(_ characters: Int) throws(TemplateFailure) {
        produced += characters
        if produced > TemplateLimits.maxProducedCharacters {
            throw TemplateFailure("Template error: intrinsic functions produce more than \(TemplateLimits.maxProducedCharacters) characters")
        }
    }

    private mutating func function(_ name: String, _ argument: TemplateValue) throws(TemplateFailure) -> TemplateValue? {
        switch name {
        case "Ref":
            guard let target = argument.text else {
                throw TemplateFailure("Template format error: Ref requires a string argument, not \(argument.kindName)")
            }
            let value = try reference(target)
            // Counted like a function's output: a template that repeats a `Ref` to a long parameter
            // value or list many times must stay within the budget, in memory and in rendered JSON.
            try produce(Self.referenceSize(value))
            return value
        case "Fn::If":
            return try conditional(argument)
        case "Fn::Sub":
            return .string(try substitute(argument), plain: false)
        case "Fn::Join":
            return .string(try join(argument), plain: false)
        case "Fn::Select":
            return try select(argument)
        case "Fn::Split":
            return .list(try split(argument).map { .string($0, plain: false) })
        case "Fn::FindInMap":
            return try findInMap(argument)
        case "Fn::Base64":
            let text = try evaluateString(argument, purpose: "the argument of Fn::Base64")
            let encoded = Base64.encode(Array(text.utf8))
            try produce(encoded.utf8.count)
            return .string(encoded, plain: false)
        case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
            throw TemplateFailure("Template error: \(name) can only be used in the Conditions section; use Fn::If with a named condition")
        default:
            if Self.unsupportedFunctions.contains(name) {
                throw TemplateFailure("Template error: \(name) is not supported in conformance pack templates")
            }
            throw TemplateFailure("Template error: unknown intrinsic function \(name.prefix(100))")
        }
    }

    // MARK: - Ref

    /// The value of `Ref: name`; nil for `AWS::NoValue`.
    mutating func reference(_ name: String) throws(TemplateFailure) -> TemplateValue? {
        if let parameter = parameters[name] {
            return parameter.templateValue
        }
        if name.utf8.starts(with: "AWS::".utf8) {
            return try pseudoParameter(name)
        }
        if let resource = resources[name], !inConditions {
            return .string(try ruleName(of: name, resource), plain: false)
        }
        if inConditions, resourceIds.contains(name) {
            throw TemplateFailure("Template format error: Unresolved dependencies [\(name)]. Cannot reference resources in the Conditions block of the template")
        }
        throw TemplateFailure("Template format error: Unresolved resource dependencies [\(name.prefix(100))] in the Resources block of the template")
    }

    /// The characters and list elements a `Ref` result adds to the output.
    private static func referenceSize(_ value: TemplateValue?) -> Int {
        guard let value else { return 0 }
        switch value {
        case .string(let text, _):
            return text.utf8.count
        case .list(let items):
            var size = items.count
            for item in items { size += item.text?.utf8.count ?? 0 }
            return size
        case .null, .map:
            return 0
        }
    }

    private func pseudoParameter(_ name: String) throws(TemplateFailure) -> TemplateValue? {
        switch name {
        case "AWS::NoValue": return nil
        case "AWS::AccountId": return .string(context.accountId, plain: false)
        case "AWS::Region": return .string(context.region, plain: false)
        case "AWS::Partition": return .string(context.partition, plain: false)
        case "AWS::StackName": return .string(context.stackName, plain: false)
        case "AWS::URLSuffix": return .string(context.urlSuffix, plain: false)
        case "AWS::NotificationARNs": return .list([])
        case "AWS::StackId":
            guard let stackId = context.stackId else {
                throw TemplateFailure("Template error: AWS::StackId is not available when resolving this template")
            }
            return .string(stackId, plain: false)
        default:
            throw TemplateFailure("Template format error: Unresolved resource dependencies [\(name.prefix(100))] in the Resources block of the template")
        }
    }

    /// The un-suffixed name of a rule a `Ref` points at: its `ConfigRuleName`, or its logical id.
    private mutating func ruleName(of logicalId: String, _ resource: ResourceEntry) throws(TemplateFailure) -> String {
        guard resource.type == ResourceKind.configRule else {
            throw TemplateFailure("Template error: Ref to \(logicalId), a \(resource.type), is not supported; only rules can be referenced")
        }
        guard resource.active else {
            throw TemplateFailure("Template error: Ref to \(logicalId), a rule whose Condition is false")
        }
        guard let nameValue = resource.properties?["ConfigRuleName"] else { return logicalId }
        if let known = resolvedNames[logicalId] { return known }
        guard !resolvingNames.contains(logicalId) else {
            throw TemplateFailure("Template format error: Circular dependency between resources: [\(resolvingNames.joined(separator: ", "))]")
        }
        resolvingNames.append(logicalId)
        defer { resolvingNames.removeLast() }
        let name = try evaluateString(nameValue, purpose: "ConfigRuleName of \(logicalId)")
        resolvedNames[logicalId] = name
        return name
    }

    // MARK: - Conditions

    /// `Fn::If: [condition, whenTrue, whenFalse]`.
    private mutating func conditional(_ argument: TemplateValue) throws(TemplateFailure) -> TemplateValue? {
        if inConditions {
            throw TemplateFailure("Template error: Fn::If cannot be used in the Conditions section")
        }
        guard case .list(let items) = argument, items.count == 3 else {
            throw TemplateFailure("Template error: Fn::If requires a list argument with three elements")
        }
        guard let name = items[0].text else {
            throw TemplateFailure("Template error: the first element of Fn::If must be a condition name")
        }
        let holds = try namedCondition(name)
        return try within(index: holds ? 1 : 2) { () throws(TemplateFailure) in try evaluate(items[holds ? 1 : 2]) }
    }

    /// Evaluates every declared condition, so that errors and cycles surface even in unused ones.
    mutating func evaluateAllConditions(order: [String]) throws(TemplateFailure) {
        for name in order {
            _ = try namedCondition(name)
        }
    }

    /// The value of the condition declared as `name`, evaluated once.
    mutating func namedCondition(_ name: String) throws(TemplateFailure) -> Bool {
        if let value = conditionValues[name] { return value }
        guard let declaration = conditionDeclarations[name] else {
            throw TemplateFailure("Template format error: Unresolved condition dependency \(name.prefix(100)); it is not declared in Conditions")
        }
        if let start = conditionStack.firstIndex(of: name) {
            let cycle = conditionStack[start...] + [name]
            throw TemplateFailure("Template format error: Circular dependency between conditions: [\(cycle.joined(separator: ", "))]").rooted(at: ["Conditions", name])
        }
        guard conditionStack.count < TemplateLimits.maxConditionDepth else {
            throw TemplateFailure("Template format error: conditions refer to each other more than \(TemplateLimits.maxConditionDepth) levels deep")
        }
        conditionStack.append(name)
        let wasInConditions = inConditions
        inConditions = true
        defer {
            conditionStack.removeLast()
            inConditions = wasInConditions
        }
        let value: Bool
        do {
            value = try condition(declaration)
        } catch {
            // Located in the declaration, wherever the condition was used from; a failure
            // already rooted (in a condition this one refers to) keeps its own path.
            throw error.rooted(at: ["Conditions", name])
        }
        conditionValues[name] = value
        return value
    }

    /// Evaluates a condition function: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` or `Condition`.
    private mutating func condition(_ value: TemplateValue) throws(TemplateFailure) -> Bool {
        guard let map = value.map, map.count == 1 else {
            throw TemplateFailure("Template error: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition, not \(value.kindName)")
        }
        let name = map.keys[0]
        let argument = map.values[0]
        if name == "Condition" {
            guard let target = argument.text else {
                throw TemplateFailure("Template error: Condition requires a condition name").at(name)
            }
            // Not wrapped: a failure inside the named condition is located there.
            return try namedCondition(target)
        }
        return try within(name) { () throws(TemplateFailure) in
            switch name {
            case "Fn::Equals":
                guard case .list(let items) = argument, items.count == 2 else {
                    throw TemplateFailure("Template error: Fn::Equals requires a list argument with two elements")
                }
                let left = try within(index: 0) { () throws(TemplateFailure) in try evaluate(items[0]) }
                let right = try within(index: 1) { () throws(TemplateFailure) in try evaluate(items[1]) }
                guard let left, let right else {
                    throw TemplateFailure("Template error: Fn::Equals cannot compare AWS::NoValue")
                }
                return Self.sameValue(left, right)
            case "Fn::Not":
                guard case .list(let items) = argument, items.count == 1 else {
                    throw TemplateFailure("Template error: Fn::Not requires a list argument with one function token")
                }
                return try !within(index: 0) { () throws(TemplateFailure) in try condition(items[0]) }
            case "Fn::And", "Fn::Or":
                guard case .list(let items) = argument, (2...10).contains(items.count) else {
                    throw TemplateFailure("Template error: \(name) requires a list argument with between 2 and 10 conditions")
                }
                let isAnd = name == "Fn::And"
                var result = isAnd
                // Every operand is evaluated (no short circuit) so that errors surface.
                for index in items.indices {
                    let operand = try within(index: index) { () throws(TemplateFailure) in try condition(items[index]) }
                    result = isAnd ? (result && operand) : (result || operand)
                }
                return result
            default:
                throw TemplateFailure("Template error: \(name.prefix(100)) is not a condition function; use Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
            }
        }
    }

    /// Equality for `Fn::Equals`: scalars compare by text, however they were quoted.
    private static func sameValue(_ left: TemplateValue, _ right: TemplateValue) -> Bool {
        switch (left, right) {
        case (.string(let a, _), .string(let b, _)):
            return a == b
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { sameValue($0, $1) }
        case (.map(let a), .map(let b)):
            return a.keys == b.keys && zip(a.values, b.values).allSatisfy { sameValue($0, $1) }
        case (.null, .null):
            return true
        default:
            return false
        }
    }
}
