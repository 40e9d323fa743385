/// The body of `ConformAdmin.PutTemplate`: `{"TemplateS3Uri", "TemplateBody"}` or
/// `{"DocumentName", "DocumentVersion"?, "TemplateBody"}`.
struct PutTemplateRequest: Sendable, Decodable {
    var templateS3Uri: String?
    var documentName: String?
    var documentVersion: String?
    var templateBody: String

    enum CodingKeys: String, CodingKey {
        case templateS3Uri = "TemplateS3Uri"
        case documentName = "DocumentName"
        case documentVersion = "DocumentVersion"
        case templateBody = "TemplateBody"
    }

    /// Where the template goes.
    enum Source {
        case s3(uri: String)
        case ssm(name: String, version: String?)
    }

    /// The one source the request names.
    ///
    /// - Throws: `InvalidParameterValueException` unless exactly one of `TemplateS3Uri` and
    ///   `DocumentName` is given (`DocumentVersion` only with `DocumentName`).
    func source() throws(ServiceError) -> Source {
        switch (templateS3Uri, documentName) {
        case (let uri?, nil) where documentVersion == nil:
            return .s3(uri: uri)
        case (nil, let name?):
            return .ssm(name: name, version: documentVersion)
        default:
            throw ServiceError(
                .invalidParameterValue,
                "Give either TemplateS3Uri or DocumentName (with an optional DocumentVersion), not both or neither."
            )
        }
    }
}

/// The answer of `ConformAdmin.PutTemplate` for an SSM document: the version stored.
struct PutTemplateResponse: Sendable, Encodable {
    var documentVersion: String

    enum CodingKeys: String, CodingKey {
        case documentVersion = "DocumentVersion"
    }
}
