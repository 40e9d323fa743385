/// A string enum of the AWS Config model: one case per value the model lists, plus `unknown` for any
/// other value.
///
/// A value the model does not list never fails decoding: it decodes as `unknown` and the request's
/// `validate()` reports it in AWS's form (`Member must satisfy enum value set: [A, B]`), as AWS's
/// front end does. The raw value is the wire string: it is what a value encodes, prints and is
/// stored as. Every generated enum (`Sources/ConformancePacks/Generated/ModelEnums.swift`) conforms.
public protocol ModelEnum: RawRepresentable<String>, CaseIterable, Codable, CustomStringConvertible, Hashable, Sendable
where AllCases == [Self] {
    /// The value of a wire string; a string the model does not list is `unknown`.
    init(rawValue: String)
}

extension ModelEnum {
    /// Whether the model lists this value.
    public var isListed: Bool {
        Self.allCases.contains { $0.rawValue == rawValue }
    }

    /// The wire string, as AWS's messages quote it.
    public var description: String { rawValue }

    /// Reads the wire string; a value the model does not list is `unknown`, never an error.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Writes the wire string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
