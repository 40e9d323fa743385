/// Renders evaluated template values as canonical JSON text: object keys sorted by Unicode code
/// point (as Python's `json.dumps(sort_keys=True)` orders them), no insignificant whitespace,
/// non-ASCII characters written as themselves, `"`, `\` and control characters escaped.
enum CanonicalJSON {
    /// How scalars are typed in the output.
    enum Scalars {
        /// Every scalar is a JSON string of its text as written (`14` → `"14"`, `True` → `"True"`).
        case strings
        /// Integer-looking scalars become JSON numbers and `true`/`false` (any case) JSON booleans;
        /// everything else is a string. For shapes the API types as numbers (`ExecutionControls`).
        case typed
    }

    /// Renders `value`.
    ///
    /// - Throws: for a null (which ``TemplateEvaluator`` already refuses inside resources).
    static func render(_ value: TemplateValue, scalars: Scalars) throws(TemplateFailure) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        try write(value, scalars: scalars, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: TemplateValue, scalars: Scalars, to output: inout [UInt8]) throws(TemplateFailure) {
        switch value {
        case .string(let text, _):
            if scalars == .typed, let literal = typedLiteral(text) {
                output.append(contentsOf: literal.utf8)
            } else {
                writeString(text, to: &output)
            }
        case .null:
            throw TemplateFailure("Template format error: 'null' values are not allowed in templates")
        case .list(let items):
            output.append(UInt8(ascii: "["))
            for index in items.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try within(index: index) { () throws(TemplateFailure) in try write(items[index], scalars: scalars, to: &output) }
            }
            output.append(UInt8(ascii: "]"))
        case .map(let map):
            output.append(UInt8(ascii: "{"))
            let order = map.keys.indices.sorted { map.keys[$0].utf8.lexicographicallyPrecedes(map.keys[$1].utf8) }
            for (position, index) in order.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(map.keys[index], to: &output)
                output.append(UInt8(ascii: ":"))
                try within(map.keys[index]) { () throws(TemplateFailure) in try write(map.values[index], scalars: scalars, to: &output) }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The JSON literal for an integer or boolean scalar, or nil for anything else.
    private static func typedLiteral(_ text: String) -> String? {
        if let boolean = PropertyReader.yamlBoolean(text) { return boolean ? "true" : "false" }
        guard let number = Int(text) else { return nil }
        return String(number)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
