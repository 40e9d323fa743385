import ComplianceStore
import ConformanceTemplates

extension ConformanceEngine {
    /// Organization packs per organization (spec §3).
    static let organizationPackLimit = 50

    /// Creates or updates an organization conformance pack and deploys it to every account of
    /// the organization but the excluded ones (spec §8.9).
    ///
    /// Each target account gets a member pack `OrgConformsPack-<name>-<suffix>`: an ordinary
    /// pack of that account, with its rules, that the member cannot change. Accounts that are no
    /// longer targets (newly excluded) lose theirs. The whole deployment is one event, atomic
    /// across the accounts.
    ///
    /// - Parameters:
    ///   - request: The request; `TemplateS3Uri` (through the template registry) wins over `TemplateBody`.
    ///   - context: The caller: the management account or a delegated administrator, and the region.
    /// - Returns: The organization pack's ARN (kept across updates).
    /// - Throws: `ValidationException`, `OrganizationAccessDeniedException`,
    ///   `OrganizationAllFeaturesNotEnabledException`, `ResourceInUseException`,
    ///   `MaxNumberOfOrganizationConformancePacksExceededException`,
    ///   `OrganizationConformancePackTemplateValidationException`, `InsufficientPermissionsException`.
    nonisolated(nonsending) public func putOrganizationConformancePack(
        _ request: PutOrganizationConformancePackRequest, context: RequestContext
    ) async throws(ConformanceError) -> PutOrganizationConformancePackResponse {
        try request.validate()
        if let bucket = request.deliveryS3Bucket, !bucket.isEmpty, !bucket.hasPrefix("awsconfigconforms") {
            throw ConformanceError(.validation, "DeliveryS3Bucket '\(bucket)' must start with 'awsconfigconforms'.")
        }
        let origin: TemplateOrigin
        if let uri = request.templateS3Uri {
            origin = .s3(uri: uri)
        } else if request.templateBody != nil {
            origin = .body
        } else {
            throw ConformanceError(.validation, "Template body is invalid. Provide TemplateBody or TemplateS3Uri.")
        }
        let creator = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.organizationConformancePackName
        var parameters: [String: String] = [:]
        for parameter in request.conformancePackInputParameters ?? [] {
            parameters[parameter.parameterName] = parameter.parameterValue
        }
        let excluded = Self.distinct(request.excludedAccounts ?? [])
        let arn = try await perform { state, now throws(ConformanceError) -> Decision<String> in
            let organization = state.organizations.organization
            try organization.checkAdministrator(creator.accountId)
            guard organization.allFeaturesEnabled else {
                throw ConformanceError(
                    .organizationAllFeaturesNotEnabled,
                    "This action can be only made by AWS Organization with all features enabled.")
            }
            let existing = state.organizations.packs[creator]?[name]
            if let existing, existing.isInProgress { throw Self.organizationPackInUse(existing) }
            if existing == nil, state.organizations.packCount >= Self.organizationPackLimit {
                throw ConformanceError(
                    .maxNumberOfOrganizationConformancePacksExceeded,
                    "Failed to put organization conformance pack '\(name)' because the maximum number of organization conformance packs (\(Self.organizationPackLimit)) has been reached in this organization.")
            }
            let body: String
            switch origin {
            case .s3(let uri): body = try Self.organizationTemplate { () throws(ConformanceError) in try TemplateReference(kind: .s3(uri)).body(in: state) }
            default: body = request.templateBody ?? ""
            }
            let template = try Self.organizationTemplate { () throws(ConformanceError) in
                try Self.resolve(body, parameters: parameters, partition: creator, name: name, packId: "conformance-pack-organization")
            }
            let suffix = existing?.suffix ?? mint.lowercaseAlphanumerics(OrganizationPackNames.suffixLength)
            let arn = existing?.arn ?? ARN.organizationPack(creator, name: name, suffix: suffix)
            let dependsOnAccount = OrganizationDeployment.dependsOnAccount(body)
            let deployment = OrganizationDeployment(
                creator: creator, name: name, suffix: suffix, base: PackDeployment.baseRules(template),
                accountTemplate: dependsOnAccount ? (body, parameters) : nil, seed: mint.source.next(), rows: existing?.rows)
            let skipped = Set(excluded)
            let targets = organization.accountIds.filter { !skipped.contains($0) }
            let targetSet = Set(targets)
            let leaving = existing?.rows.keys.filter { !targetSet.contains($0) } ?? []
            let settings = OrgPackSettings(
                isCreate: existing == nil, deliveryS3Bucket: request.deliveryS3Bucket,
                deliveryS3KeyPrefix: request.deliveryS3KeyPrefix,
                inputParameters: request.conformancePackInputParameters?.map { NameValue(name: $0.parameterName, value: $0.parameterValue) },
                excludedAccounts: excluded, origin: origin, templateBody: dependsOnAccount ? body : nil)
            let events = deployment.events(
                deployTo: targets, removing: Array(leaving), settings: settings, arn: arn, in: state, now: now, delay: delay)
            return Decision(events: events, result: arn)
        }
        return PutOrganizationConformancePackResponse(organizationConformancePackArn: arn)
    }

    /// Deletes an organization conformance pack: every member pack is deleted, then the
    /// organization pack goes (spec §8.10).
    ///
    /// - Throws: `ValidationException`, `OrganizationAccessDeniedException`,
    ///   `NoSuchOrganizationConformancePackException` (none of that name created by the caller),
    ///   `ResourceInUseException`.
    nonisolated(nonsending) public func deleteOrganizationConformancePack(
        _ request: DeleteOrganizationConformancePackRequest, context: RequestContext
    ) async throws(ConformanceError) {
        try request.validate()
        let creator = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.organizationConformancePackName
        try await perform { state, now throws(ConformanceError) -> Decision<Void> in
            try state.organizations.organization.checkAdministrator(creator.accountId)
            guard let record = state.organizations.packs[creator]?[name] else {
                throw ConformanceError(
                    .noSuchOrganizationConformancePack,
                    "Could not find an OrganizationConformancePack for given request with resourceName \(name)")
            }
            if record.isInProgress { throw Self.organizationPackInUse(record) }
            let deployment = OrganizationDeployment(
                creator: creator, name: name, suffix: record.suffix, base: [], accountTemplate: nil, seed: 0, rows: record.rows)
            let (removals, completions) = deployment.removals(
                of: Array(record.rows.keys), in: state, now: now, delay: delay)
            let requested = OrgPackDeleteRequested(creator: creator, name: name, time: now, dueTime: now + delay, removals: removals)
            return Decision(events: [.orgPackDeleteRequested(requested)] + completions, result: ())
        }
    }

    static func organizationPackInUse(_ record: OrgPackRecord) -> ConformanceError {
        ConformanceError(
            .resourceInUse,
            "The organization conformance pack '\(record.name)' is in \(record.status.organization.rawValue) state. Wait until it finishes and try again.")
    }

    /// Runs a template step, turning a template error into the organization's exception.
    private static func organizationTemplate<T>(_ body: () throws(ConformanceError) -> T) throws(ConformanceError) -> T {
        do {
            return try body()
        } catch where error.code == .conformancePackTemplateValidation {
            throw ConformanceError(.organizationConformancePackTemplateValidation, error.message)
        }
    }

    /// The events that make every organization pack follow a new membership: accounts that
    /// joined its targets get it deployed, accounts that left lose their member pack.
    static func followMembership(
        _ organization: Organization, in state: borrowing EngineState, now: Int64, delay: Int64, mint: IdentifierMint
    ) -> [DomainEvent] {
        var events: [DomainEvent] = []
        // Each pack is decided against the state the packs before it leave, so that two packs
        // joining one account together respect its limits.
        // (Without the evaluation results: no decision reads them, and a write to a copy of the
        // store would copy what it touches.)
        var scratch = copy state
        scratch.compliance = ComplianceStore()
        for creator in state.organizations.packs.keys.sorted() {
            for record in state.organizations.packs[creator]?.orderedValues ?? [] where record.operation != .delete {
                let skipped = Set(record.excludedAccounts)
                let targets = organization.accountIds.filter { !skipped.contains($0) }
                let targetSet = Set(targets)
                // New targets, and those leaving or gone that come back (a leave in progress or
                // failed is turned into a deployment again).
                let joining = targets.filter { account in
                    guard let row = record.rows[account] else { return true }
                    return row.isLeaving || row.status.operation == .delete
                }
                let leaving = record.rows.orderedValues.filter { !targetSet.contains($0.accountId) && !$0.isLeaving }.map(\.accountId)
                guard !joining.isEmpty || !leaving.isEmpty else { continue }
                var parameters: [String: String] = [:]
                for parameter in record.inputParameters ?? [] { parameters[parameter.name] = parameter.value }
                let deployment = OrganizationDeployment(
                    creator: creator, name: record.name, suffix: record.suffix, base: record.rules,
                    accountTemplate: record.templateBody.map { ($0, parameters) }, seed: mint.source.next(), rows: record.rows)
                let decided = deployment.events(
                    deployTo: joining, removing: leaving, settings: nil, arn: record.arn, in: scratch, now: now, delay: delay)
                for event in decided { scratch.apply(event, sequence: scratch.lastSequence) }
                events += decided
            }
        }
        return events
    }
}
