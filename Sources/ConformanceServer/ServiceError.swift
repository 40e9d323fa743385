package import ConformancePacks
package import Hummingbird

/// An error as it goes on the wire: the AWS exception name (`__type` and `x-amzn-ErrorType`), the
/// HTTP status and the message.
///
/// Every failure of a request ends up as one of these; the message never carries internals (file
/// names, Swift types, stack traces).
package struct ServiceError: Error, Sendable, Equatable {
    /// The exception name, e.g. `NoSuchConformancePackException`.
    package var type: String
    /// The HTTP status.
    package var status: HTTPResponse.Status
    /// The human-readable message.
    package var message: String
    /// For the server log only: what really happened behind an `InternalFailure`. Never sent.
    package var cause: String?

    /// Creates an error.
    package init(type: String, status: HTTPResponse.Status, message: String) {
        self.type = type
        self.status = status
        self.message = message
        self.cause = nil
    }

    /// Creates an error for an AWS exception code with the status AWS uses for it.
    package init(_ code: ConformanceError.Code, _ message: String) {
        self.init(type: code.rawValue, status: Self.status(for: code), message: message)
    }

    /// The wire form of an engine error.
    package init(_ error: ConformanceError) {
        self.init(error.code, error.message)
    }

    /// The HTTP status of an exception: 400 for every modeled exception (spec §1.3), 403 for the
    /// authentication failures, 500/503 for the server-side ones.
    package static func status(for code: ConformanceError.Code) -> HTTPResponse.Status {
        switch code {
        case .missingAuthenticationToken, .invalidSignature, .unrecognizedClient, .invalidClientTokenId:
            .forbidden
        case .internalFailure:
            .internalServerError
        case .serviceUnavailable:
            .serviceUnavailable
        case .accessDenied, .conformancePackTemplateValidation, .incompleteSignature, .insufficientPermissions,
            .invalidLimit, .invalidNextToken, .invalidParameterValue, .invalidResultToken, .maxNumberOfConfigRulesExceeded,
            .maxNumberOfConformancePacksExceeded, .maxNumberOfOrganizationConformancePacksExceeded,
            .noAvailableConfigurationRecorder, .noAvailableOrganization, .noSuchConfigRule,
            .noSuchConfigRuleInConformancePack, .noSuchConfigurationAggregator, .noSuchConformancePack,
            .noSuchOrganizationConformancePack, .organizationAccessDenied, .organizationAllFeaturesNotEnabled,
            .organizationConformancePackTemplateValidation, .requestExpired, .resourceInUse, .serialization, .throttling,
            .unknownOperation, .validation:
            .badRequest
        }
    }

    /// The answer to anything unexpected: logged by the caller, opaque to the client.
    package static let internalFailure = ServiceError(
        .internalFailure, "The request processing has failed because of an unknown error, exception or failure."
    )

    /// An `InternalFailure` for an unexpected error, which is kept for the log.
    package static func unexpected(_ error: any Error) -> ServiceError {
        var failure = internalFailure
        failure.cause = String(describing: error)
        return failure
    }

    /// A body larger than ``ServerLimits/maxBodyBytes``.
    package static let bodyTooLarge = ServiceError(
        type: "RequestEntityTooLargeException",
        status: .contentTooLarge,
        message: "Request body exceeds the limit of \(ServerLimits.maxBodyBytes) bytes."
    )

    /// A method other than POST.
    package static let methodNotAllowed = ServiceError(
        .unknownOperation, "AWS JSON 1.1 requests must use POST."
    )

    /// A write while the server serves a read-only view.
    package static let readOnly = ServiceError(
        .accessDenied, "This endpoint serves a read-only view of the log and accepts no writes."
    )

    /// A write (an API command or an admin write target) carrying `x-conform-at`.
    package static let pointOnWrite = ServiceError(
        .validation, "x-conform-at is only accepted on queries: the past cannot be written. Send the write without it."
    )

    /// An `x-conform-at` that is neither a sequence number nor an ISO-8601 time.
    package static func malformedPoint(_ value: String) -> ServiceError {
        ServiceError(
            .validation,
            "x-conform-at must be an event sequence number or an ISO-8601 time (2024-01-02T03:04:05Z), not '\(value.prefix(64))'.")
    }
}
