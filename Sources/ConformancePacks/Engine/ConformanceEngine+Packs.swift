import ConformanceTemplates

extension ConformanceEngine {
    /// Packs per account partition (spec §3).
    static let packLimit = 50
    /// The largest object `TemplateS3Uri` may name: 300 KB read as 300 × 1024 bytes (spec §3).
    static let s3TemplateLimit = 307_200

    /// Creates or updates a conformance pack (spec §8.1).
    ///
    /// The template is resolved once, here; the deployed rules (with their ids and ARNs) go into
    /// the recorded event. With a deployment delay the pack stays CREATE_IN_PROGRESS until the
    /// clock passes it; otherwise it is CREATE_COMPLETE (or CREATE_FAILED) when this returns.
    ///
    /// - Parameters:
    ///   - request: The request; `TemplateBody`, `TemplateS3Uri` (wins over a body) or
    ///     `TemplateSSMDocumentDetails` names the template.
    ///   - context: The caller's account and region.
    /// - Returns: The pack's ARN (kept across updates).
    /// - Throws: `ValidationException` (model constraints), `InvalidParameterValueException` (no
    ///   template source, or SSM with another), `InsufficientPermissionsException` (URI or document
    ///   not in the registry), `ConformancePackTemplateValidationException`,
    ///   `ResourceInUseException` (pack in progress), `MaxNumberOfConformancePacksExceededException`,
    ///   `InternalFailure` (the engine is fenced or closed).
    nonisolated(nonsending) public func putConformancePack(
        _ request: PutConformancePackRequest, context: RequestContext
    ) async throws(ConformanceError) -> PutConformancePackResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let source = try TemplateReference(request)
        let name = request.conformancePackName
        var parameters: [String: String] = [:]
        for parameter in request.conformancePackInputParameters ?? [] {
            parameters[parameter.parameterName] = parameter.parameterValue
        }
        // Resolving a template costs milliseconds: do it outside the lock, against the pack id
        // seen now, and retry in the rare case a concurrent create or delete changed that id.
        for _ in 0..<4 {
            let peek = try core.withLock { core throws(ConformanceError) in
                if let refusal = core.refusal { throw refusal }
                return (core.state[partition: key].packs[name]?.id, try source.body(in: core.state))
            }
            let packId = peek.0 ?? mint.packId()
            let template = try Self.resolve(peek.1, parameters: parameters, partition: key, name: name, packId: packId)
            let answer = try await perform { state, now throws(ConformanceError) -> Decision<String?> in
                let partition = state[partition: key]
                let existing = partition.packs[name]
                guard existing?.id == peek.0 else { return Decision(events: [], result: nil) }
                if existing != nil, state.organizations.owner(of: name, in: key) != nil { throw Self.memberPack(name) }
                if let existing, existing.state.isInProgress {
                    throw Self.inUse(existing)
                }
                if existing == nil && partition.packs.count >= Self.packLimit {
                    throw ConformanceError(
                        .maxNumberOfConformancePacksExceeded,
                        "Failed to put conformance pack '\(name)' because the maximum number of conformance packs (\(Self.packLimit)) has been reached in this account and region."
                    )
                }
                let outcome = PackDeployment.plan(template, pack: name, packId: packId, partition: key, in: partition, mint: mint)
                let arn = existing?.arn ?? ARN.pack(key, name: name, id: packId)
                let requested = PackRequested(
                    partition: key, name: name, isCreate: existing == nil, id: packId, arn: arn,
                    stackArn: existing?.stackArn ?? ARN.stack(key, packName: name, packId: packId, uuid: mint.uuid()),
                    time: now, dueTime: now + delay,
                    deliveryS3Bucket: request.deliveryS3Bucket, deliveryS3KeyPrefix: request.deliveryS3KeyPrefix,
                    inputParameters: request.conformancePackInputParameters?.map {
                        NameValue(name: $0.parameterName, value: $0.parameterValue)
                    },
                    origin: source.origin,
                    tags: existing?.tags ?? (request.tags ?? []).map { NameValue(name: $0.key ?? "", value: $0.value ?? "") },
                    outcome: outcome
                )
                var events: [DomainEvent] = [.packRequested(requested)]
                if delay == 0 {
                    events.append(.packCompleted(PackTransition(partition: key, name: name, time: now)))
                }
                return Decision(events: events, result: arn)
            }
            if let answer { return PutConformancePackResponse(conformancePackArn: answer) }
        }
        throw ConformanceError(.resourceInUse, "The conformance pack '\(name)' is being changed concurrently. Try again.")
    }

    /// Deletes a conformance pack and the rules it deployed (spec §8.2).
    ///
    /// - Parameters:
    ///   - request: The pack to delete.
    ///   - context: The caller's account and region.
    /// - Throws: `ValidationException`, `NoSuchConformancePackException`, `ResourceInUseException`
    ///   (pack in progress), `InternalFailure`.
    nonisolated(nonsending) public func deleteConformancePack(
        _ request: DeleteConformancePackRequest, context: RequestContext
    ) async throws(ConformanceError) {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.conformancePackName
        try await perform { state, now throws(ConformanceError) -> Decision<Void> in
            guard let pack = state[partition: key].packs[name] else { throw Self.noSuchPack(name) }
            if state.organizations.owner(of: name, in: key) != nil { throw Self.memberPack(name) }
            if pack.state.isInProgress { throw Self.inUse(pack) }
            var events: [DomainEvent] = [
                .packDeleteRequested(PackDeleteRequested(partition: key, name: name, time: now, dueTime: now + delay))
            ]
            if delay == 0 {
                events.append(.packDeleted(PackTransition(partition: key, name: name, time: now)))
            }
            return Decision(events: events, result: ())
        }
    }

    static func noSuchPack(_ name: String) -> ConformanceError {
        ConformanceError(
            .noSuchConformancePack,
            "One or more conformance packs with specified names are not present. Ensure your names are correct and try your request again. Missing: '\(name)'."
        )
    }

    /// Member accounts cannot change the packs an organization pack deployed (spec §7).
    static func memberPack(_ name: String) -> ConformanceError {
        ConformanceError(
            .accessDenied,
            "The conformance pack '\(name)' was deployed by an organization conformance pack; only the organization's management account or a delegated administrator can change it.")
    }

    static func inUse(_ pack: PackRecord) -> ConformanceError {
        ConformanceError(
            .resourceInUse,
            "The conformance pack '\(pack.name)' is in \(pack.state.modelState) state. Wait until it finishes and try again."
        )
    }

    static func resolve(
        _ body: String, parameters: [String: String], partition key: PartitionKey, name: String, packId: String
    ) throws(ConformanceError) -> ResolvedTemplate {
        let context = TemplateContext(
            accountId: key.accountId, region: key.region, partition: ARN.partition,
            stackName: ARN.stackName(packName: name, packId: packId)
        )
        let template: ResolvedTemplate
        do {
            template = try ConformancePackTemplate.resolve(body: body, parameters: parameters, context: context)
        } catch {
            throw .template(error.message)
        }
        if template.rules.count + template.remediations.count > PackDeployment.resourceLimit {
            throw .template("Number of resources provided in the template exceeds the allowed limit")
        }
        return template
    }
}

/// Which template a PutConformancePack names (spec §4.1).
struct TemplateReference: Sendable {
    enum Kind: Sendable {
        case body(String)
        case s3(String)
        case ssm(name: String, version: String?)
    }

    var kind: Kind

    init(kind: Kind) {
        self.kind = kind
    }

    init(_ request: PutConformancePackRequest) throws(ConformanceError) {
        if let ssm = request.templateSSMDocumentDetails {
            guard request.templateBody == nil && request.templateS3Uri == nil else {
                throw ConformanceError(
                    .invalidParameterValue,
                    "TemplateSSMDocumentDetails cannot be combined with TemplateBody or TemplateS3Uri. Provide exactly one template source."
                )
            }
            kind = .ssm(name: ssm.documentName, version: ssm.documentVersion)
        } else if let uri = request.templateS3Uri {
            kind = .s3(uri)  // With a TemplateBody too, AWS uses the URI (spec §4.1).
        } else if let body = request.templateBody {
            kind = .body(body)
        } else {
            throw ConformanceError(
                .invalidParameterValue,
                "No template provided. Provide one of TemplateBody, TemplateS3Uri or TemplateSSMDocumentDetails."
            )
        }
    }

    var origin: TemplateOrigin {
        switch kind {
        case .body: .body
        case .s3(let uri): .s3(uri: uri)
        case .ssm(let name, let version): .ssm(name: name, version: version)
        }
    }

    static let noAccess = ConformanceError(
        .insufficientPermissions,
        "You do not have permission to read Amazon S3 bucket or call SSM:GetDocument"
    )

    /// The template text, looked up in the registry for a URI or a document.
    func body(in state: borrowing EngineState) throws(ConformanceError) -> String {
        switch kind {
        case .body(let body):
            return body
        case .s3(let uri):
            guard let body = state.s3Templates[ByteString(uri)] else { throw Self.noAccess }
            let size = body.utf8.count
            guard size <= ConformanceEngine.s3TemplateLimit else {
                throw .template("Template size \(size) bytes exceeds the maximum of \(ConformanceEngine.s3TemplateLimit) bytes for TemplateS3Uri")
            }
            return body
        case .ssm(let name, let version):
            guard let document = state.ssmDocuments[ByteString(name)], !document.versions.isEmpty else { throw Self.noAccess }
            switch version {
            case nil, "$DEFAULT"?: return document.versions[0]
            case "$LATEST"?: return document.versions[document.versions.count - 1]
            case let number?:
                guard let index = Int(number), index >= 1, index <= document.versions.count else { throw Self.noAccess }
                return document.versions[index - 1]
            }
        }
    }
}
