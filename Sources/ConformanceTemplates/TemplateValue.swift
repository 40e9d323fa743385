/// A template node after YAML parsing: short-form tags are already rewritten to their long form
/// (`!Ref x` → `{Ref: x}`), and scalars keep the exact text they were written with.
enum TemplateValue: Sendable, Hashable {
    /// A scalar's text. `plain` is true for an unquoted plain scalar, which YAML 1.1 may read as a
    /// number or boolean; the text is kept as written either way.
    case string(String, plain: Bool)
    /// A YAML null: an empty plain scalar, `~`, `null`, `Null` or `NULL`.
    case null
    /// A sequence.
    case list([TemplateValue])
    /// A mapping with string keys, in template order.
    case map(TemplateMap)

    /// The scalar text, or nil for anything else.
    var text: String? {
        if case .string(let text, _) = self { return text }
        return nil
    }

    /// The mapping, or nil for anything else.
    var map: TemplateMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    /// The element count of a list, or nil for anything else.
    var listCount: Int? {
        if case .list(let items) = self { return items.count }
        return nil
    }

    /// A short name of the node's kind for error messages.
    var kindName: String {
        switch self {
        case .string: "a string"
        case .null: "null"
        case .list: "a list"
        case .map: "a map"
        }
    }

    /// The single-key map `{key: value}`.
    static func single(_ key: String, _ value: TemplateValue) -> TemplateValue {
        .map(TemplateMap(keys: [key], values: [value]))
    }
}

/// A mapping that keeps its keys in template order. Keys are unique (the YAML parser refuses
/// duplicates).
struct TemplateMap: Sendable, Hashable {
    /// The keys, in template order.
    var keys: [String]
    /// `values[i]` belongs to `keys[i]`.
    var values: [TemplateValue]

    init(keys: [String] = [], values: [TemplateValue] = []) {
        self.keys = keys
        self.values = values
    }

    /// The number of entries.
    var count: Int { keys.count }

    /// The value for `key`.
    ///
    /// - Complexity: O(n); template maps that are looked up often are indexed by their readers.
    subscript(key: String) -> TemplateValue? {
        guard let index = keys.firstIndex(of: key) else { return nil }
        return values[index]
    }

    /// Appends an entry (the caller keeps keys unique).
    mutating func append(_ key: String, _ value: TemplateValue) {
        keys.append(key)
        values.append(value)
    }
}
