import ConformancePacks
import Foundation

extension ServiceError {
    /// The wire error for a body that failed to decode into a request shape.
    ///
    /// A required member that is missing or `null` is a `ValidationException` in AWS's form
    /// (`Value null at '<path>' failed to satisfy constraint: Member must not be null`); anything
    /// else (not JSON, not an object, a member of the wrong JSON type) is a `SerializationException`.
    ///
    /// - Parameter error: What `JSONDecoder` threw.
    /// - Returns: The error to send.
    package init(decoding error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(.serialization, "The request body could not be read as a JSON object.")
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .mustNotBeNull(at: Self.path(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            self = .mustNotBeNull(at: Self.path(context.codingPath))
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                self.init(.serialization, "The request body must be a JSON object.")
            } else {
                self.init(
                    .serialization,
                    "Unexpected JSON type at '\(Self.path(context.codingPath))': expected \(Self.jsonKind(of: type))."
                )
            }
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(.serialization, "The request body is not valid JSON.")
            } else {
                self.init(.serialization, "Unreadable value at '\(Self.path(context.codingPath))'.")
            }
        @unknown default:
            self.init(.serialization, "The request body could not be read as a JSON object.")
        }
    }

    /// `1 validation error detected: Value null at '<path>' failed to satisfy constraint: Member must not be null`.
    static func mustNotBeNull(at path: String) -> ServiceError {
        ServiceError(
            .validation,
            "1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null"
        )
    }

    /// AWS's member path: lowerCamelCase member names joined by `.`, list elements as
    /// `<list>.<1-based index>.member`.
    ///
    /// - Parameter codingPath: The decoder's coding path (PascalCase keys, integer keys for list elements).
    /// - Returns: e.g. `conformancePackInputParameters.2.member.parameterName`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += ".\(index + 1).member"
            } else {
                if !path.isEmpty { path += "." }
                path += lowerCamel(key.stringValue)
            }
        }
        return path
    }

    /// `ConformancePackName` → `conformancePackName`.
    static func lowerCamel(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// The JSON kind a Swift type is read from, for messages.
    static func jsonKind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is Double.Type, is Date.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
