extension ConformanceEngine {
    /// The largest template the registry stores; what a pack may use is checked at Put time.
    static let registryTemplateLimit = 1 << 20

    /// Registers (or replaces) the template that `TemplateS3Uri` names; the stand-in for S3.
    ///
    /// A command with an event like any other, so replay sees it.
    ///
    /// - Parameters:
    ///   - s3Uri: The URI, `s3://…`.
    ///   - body: The template text (YAML or JSON), at most 1 MiB. PutConformancePack refuses one
    ///     over 307,200 bytes, as AWS does.
    /// - Throws: `ValidationException` (URI not `s3://…`, empty or oversized body), `InternalFailure`.
    nonisolated(nonsending) public func putTemplate(s3Uri: String, body: String) async throws(ConformanceError) {
        // The model's own constraints on `templateS3Uri`, through the generated checks.
        try PutConformancePackRequest(conformancePackName: "registry", templateS3Uri: s3Uri).validate()
        try Self.checkRegistryBody(body)
        try await perform { _, _ in
            Decision(events: [.s3TemplateStored(S3TemplateStored(uri: s3Uri, body: body))], result: ())
        }
    }

    /// Registers a version of an SSM document holding a template; the stand-in for SSM.
    ///
    /// `$DEFAULT` resolves to version 1 and `$LATEST` to the newest version.
    ///
    /// - Parameters:
    ///   - documentName: The document name (`[a-zA-Z0-9_\-.:/]{3,200}`).
    ///   - documentVersion: `nil` to add the next version; a number to replace that version (or
    ///     add it when it is the next one).
    ///   - body: The template text, at most 1 MiB.
    /// - Returns: The version stored, e.g. `"2"`.
    /// - Throws: `ValidationException` (name or version pattern, empty or oversized body),
    ///   `InvalidParameterValueException` (a version beyond the next one), `InternalFailure`.
    @discardableResult
    nonisolated(nonsending) public func putTemplate(
        documentName: String, documentVersion: String? = nil, body: String
    ) async throws(ConformanceError) -> String {
        let details = TemplateSSMDocumentDetails(documentName: documentName, documentVersion: documentVersion)
        let probe = PutConformancePackRequest(conformancePackName: "registry", templateSSMDocumentDetails: details)
        try probe.validate()
        try Self.checkRegistryBody(body)
        let requested: Int?
        switch documentVersion {
        case nil:
            requested = nil
        case let text?:
            guard let number = Int(text) else {
                throw ConformanceError(.invalidParameterValue, "Register a numbered document version, not '\(text)'.")
            }
            requested = number
        }
        return try await perform { state, _ throws(ConformanceError) -> Decision<String> in
            let count = state.ssmDocuments[ByteString(documentName)]?.versions.count ?? 0
            let version = requested ?? count + 1
            guard version >= 1 && version <= count + 1 else {
                throw ConformanceError(
                    .invalidParameterValue,
                    "Document '\(documentName)' has \(count) versions; version \(version) cannot be registered."
                )
            }
            let event = SSMDocumentStored(name: documentName, version: version, body: body)
            return Decision(events: [.ssmDocumentStored(event)], result: String(version))
        }
    }

    private static func checkRegistryBody(_ body: String) throws(ConformanceError) {
        let size = body.utf8.count
        guard size >= 1 && size <= registryTemplateLimit else {
            throw ConformanceError(
                .validation,
                "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length between 1 and \(registryTemplateLimit) bytes"
            )
        }
    }
}
