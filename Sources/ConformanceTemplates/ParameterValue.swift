/// The value a `Ref` to a template parameter resolves to.
enum ParameterValue: Sendable, Hashable {
    /// `String`, `Number` and the single-valued AWS-specific types.
    case string(String)
    /// `CommaDelimitedList`, `List<Number>` and `List<AWS::...>`: the value split on commas.
    case list([String])

    /// The value as a template node.
    var templateValue: TemplateValue {
        switch self {
        case .string(let text): .string(text, plain: false)
        case .list(let items): .list(items.map { .string($0, plain: false) })
        }
    }
}
