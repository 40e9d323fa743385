/// A response shape that writes its own JSON, used through ``AWSJSON/encode(writing:)`` instead of
/// its `Encodable` conformance.
///
/// Every structure an operation's output reaches has a generated writer
/// (`Generated/JSONWriters.swift`): the same bytes the synthesized `Encodable` conformance writes
/// through ``JSONStreamEncoder`` (members in model order, absent ones omitted, timestamps as epoch
/// seconds, enums as their raw strings), without its existential containers and dynamic casts.
/// `JSONTests` compares the two on every such shape, populated and sparse.
protocol JSONStreamWritable {
    /// Writes the value as one JSON object.
    func write(to encoder: JSONStreamEncoder)
}
