/// The model-constraint violations found in one request, reported the way AWS's front end does.
///
/// Generated `validate(into:at:)` methods call the checks below with the member's lowerCamelCase
/// path (`conformancePackInputParameters.1.member.parameterName`, spec §1.4); `throwIfAny()` turns
/// what they found into one error.
struct ConstraintViolations {
    private(set) var messages: [String] = []
    private var limitMessage: String?

    // Paths are autoclosures: a valid request never builds one.

    /// Checks a string's length in UTF-16 code units, the unit AWS's Java front end counts.
    mutating func length(_ value: String, at path: @autoclosure () -> String, min: Int?, max: Int?) {
        let count = value.utf16.count
        if let min, count < min {
            record(value, path(), "Member must have length greater than or equal to \(min)")
        } else if let max, count > max {
            record(value, path(), "Member must have length less than or equal to \(max)")
        }
    }

    /// Checks the number of elements of a list or map.
    mutating func count<C: Collection>(_ value: C, at path: @autoclosure () -> String, min: Int?, max: Int?) {
        let count = value.count
        if let min, count < min {
            record(Self.render(value), path(), "Member must have length greater than or equal to \(min)")
        } else if let max, count > max {
            record(Self.render(value), path(), "Member must have length less than or equal to \(max)")
        }
    }

    /// Checks an integer range; a violation on the top-level `Limit` is `InvalidLimitException`.
    mutating func range(_ value: Int, at path: @autoclosure () -> String, min: Int?, max: Int?) {
        var constraint: String?
        if let min, value < min {
            constraint = "Member must have value greater than or equal to \(min)"
        } else if let max, value > max {
            constraint = "Member must have value less than or equal to \(max)"
        }
        guard let constraint else { return }
        let path = path()
        if path == "limit" {
            limitMessage = limitMessage ?? "Value '\(value)' at 'limit' failed to satisfy constraint: \(constraint)"
        } else {
            record(String(value), path, constraint)
        }
    }

    /// Checks a whole-string pattern match.
    mutating func pattern(_ value: String, at path: @autoclosure () -> String, _ pattern: ModelPattern) {
        if !pattern.matches(value) {
            record(value, path(), "Member must satisfy regular expression pattern: \(pattern.source)")
        }
    }

    /// Checks that the model lists a value of one of its enums (an `unknown` value was sent).
    mutating func oneOf<E: ModelEnum>(_ value: E, at path: @autoclosure () -> String) {
        if !value.isListed {
            let listed = E.allCases.map(\.rawValue).joined(separator: ", ")
            record(value.rawValue, path(), "Member must satisfy enum value set: [\(listed)]")
        }
    }

    /// Throws the violations found, if any.
    ///
    /// - Throws: `InvalidLimitException` when `Limit` is out of range, else `ValidationException`
    ///   with `N validation error(s) detected: e1; e2`.
    func throwIfAny() throws(ConformanceError) {
        if let limitMessage {
            throw ConformanceError(.invalidLimit, limitMessage)
        }
        guard !messages.isEmpty else { return }
        let noun = messages.count == 1 ? "error" : "errors"
        throw ConformanceError(
            .validation,
            "\(messages.count) validation \(noun) detected: \(messages.joined(separator: "; "))"
        )
    }

    private mutating func record(_ value: String, _ path: String, _ constraint: String) {
        messages.append("Value '\(value)' at '\(path)' failed to satisfy constraint: \(constraint)")
    }

    private static func render<C: Collection>(_ value: C) -> String {
        "[" + value.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}
