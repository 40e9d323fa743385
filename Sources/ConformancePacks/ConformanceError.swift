/// An error of the conformance-pack engine, in AWS's terms.
///
/// `code` names the AWS exception (its raw value is the exact `__type` of the wire protocol), and
/// `message` is the text AWS would send with it. The server maps one to the other without looking
/// inside; embedded callers can switch over ``Code`` exhaustively.
public struct ConformanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The AWS exception this error stands for.
    public var code: Code
    /// What went wrong, in AWS's wording where AWS has one.
    public var message: String

    /// Creates an error with an AWS exception code and its message.
    ///
    /// - Parameters:
    ///   - code: The AWS exception.
    ///   - message: The text that goes with it.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `<ExceptionName>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension ConformanceError {
    /// The `ConformancePackTemplateValidationException` for a template problem, in AWS's form.
    static func template(_ detail: String) -> ConformanceError {
        ConformanceError(
            .conformancePackTemplateValidation,
            "Invalid conformance pack template provided. Errors found: [\(detail)]. Fix your template and try again."
        )
    }

    /// The `InvalidNextTokenException` every paginated operation answers a bad token with.
    static let invalidNextToken = ConformanceError(.invalidNextToken, "The nextToken provided is invalid")

    /// The `AccessDeniedException` for Put/DeleteConfigRule on a rule a conformance pack owns.
    static let serviceLinkedRule = ConformanceError(
        .accessDenied,
        "An AWS service owns ServiceLinkedConfigRule. You do not have permissions to take action on this rule."
    )
}
