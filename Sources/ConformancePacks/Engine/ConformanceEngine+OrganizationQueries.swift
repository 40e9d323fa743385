import Foundation

extension ConformanceEngine {
    /// The page size of the organization operations when `Limit` is absent or 0 (spec §8.11).
    static let defaultOrganizationPage = 100

    /// Describes the organization packs the caller created (spec §8.11).
    ///
    /// With names: exactly those, in request order (`Limit` and `NextToken` ignored); any unknown
    /// name fails the call. Without: all of them by name, `Limit` (default 100) per page.
    ///
    /// - Throws: `ValidationException`, `OrganizationAccessDeniedException`,
    ///   `NoSuchOrganizationConformancePackException`, `InvalidLimitException`, `InvalidNextTokenException`.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) public func describeOrganizationConformancePacks(
        _ request: DescribeOrganizationConformancePacksRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeOrganizationConformancePacksResponse {
        try request.validate()
        let (rows, next) = try await organizationPackPage(
            .describeOrganizationConformancePacks, names: request.organizationConformancePackNames,
            after: request.nextToken, limit: request.limit, context: context, Self.organizationPack)
        return DescribeOrganizationConformancePacksResponse(organizationConformancePacks: rows, nextToken: next)
    }

    /// The statuses of the organization packs the caller created (spec §8.12), derived from
    /// their member rows' counters.
    ///
    /// - Throws: as ``describeOrganizationConformancePacks(_:context:)``.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) public func describeOrganizationConformancePackStatuses(
        _ request: DescribeOrganizationConformancePackStatusesRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeOrganizationConformancePackStatusesResponse {
        try request.validate()
        let (rows, next) = try await organizationPackPage(
            .describeOrganizationConformancePackStatuses, names: request.organizationConformancePackNames,
            after: request.nextToken, limit: request.limit, context: context, Self.organizationPackStatus)
        return DescribeOrganizationConformancePackStatusesResponse(organizationConformancePackStatuses: rows, nextToken: next)
    }

    /// One row per target account of an organization pack (spec §8.13), by account id;
    /// `Filters.AccountId` and `Filters.Status` are ANDed.
    ///
    /// - Throws: `ValidationException`, `OrganizationAccessDeniedException`,
    ///   `NoSuchOrganizationConformancePackException`, `InvalidLimitException`, `InvalidNextTokenException`.
    /// - Complexity: O(log n + page) with any filter.
    nonisolated(nonsending) public func getOrganizationConformancePackDetailedStatus(
        _ request: GetOrganizationConformancePackDetailedStatusRequest, context: RequestContext
    ) async throws(ConformanceError) -> GetOrganizationConformancePackDetailedStatusResponse {
        try request.validate()
        let creator = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.organizationConformancePackName
        let account = request.filters?.accountId
        let wanted = try request.filters?.status.map { status throws(ConformanceError) in
            guard let wanted = OrgStatus(status) else { throw ConformanceError(.validation, "Unknown status filter.") }
            return wanted
        }
        let scope = PageToken.scope(creator, filters: [name, account ?? "", wanted.map { String($0.code) } ?? ""])
        let limit = Self.pageSize(request.limit, default: Self.defaultOrganizationPage)
        let token = request.nextToken
        let (rows, more) = try await read { state throws(ConformanceError) -> ([OrganizationConformancePackDetailedStatus], Bool) in
            try state.organizations.organization.checkAdministrator(creator.accountId)
            let after = try token.map { token throws(ConformanceError) in
                try PageToken.decode(token, .getOrganizationConformancePackDetailedStatus, scope: scope)
            }
            guard let record = state.organizations.packs[creator]?[name] else { throw Self.noSuchOrganizationPack }
            if let account {
                guard let row = record.rows[account], wanted.map({ $0 == row.status }) ?? true,
                      after.map({ account.bytePrecedes($0) || account.byteEquals($0) }) != true
                else { return ([], false) }
                return ([Self.detailedStatus(row)], false)
            }
            guard let wanted else { return record.rows.page(after: after, limit: limit, Self.detailedStatus) }
            let accounts = record.byStatus[Int(wanted.code)]
            let start = after.map { accounts.firstIndex(after: $0) } ?? 0
            let end = min(start + limit, accounts.count)
            let page = accounts.keys[start..<end].compactMap { record.rows[$0].map(Self.detailedStatus) }
            return (page, end < accounts.count)
        }
        let next = more ? rows.last.map { PageToken.encode(.getOrganizationConformancePackDetailedStatus, scope: scope, lastKey: $0.accountId) } : nil
        return GetOrganizationConformancePackDetailedStatusResponse(organizationConformancePackDetailedStatuses: rows, nextToken: next)
    }

    /// Named organization packs of the caller, or a page of all of them by name.
    nonisolated(nonsending) private func organizationPackPage<Row: Sendable>(
        _ operation: PageToken.Operation, names: [String]?, after token: String?, limit: Int?, context: RequestContext,
        _ row: @escaping @Sendable (OrgPackRecord) -> Row
    ) async throws(ConformanceError) -> ([Row], String?) {
        let creator = PartitionKey(accountId: context.accountId, region: context.region)
        if let names, !names.isEmpty {
            let rows = try await read { state throws(ConformanceError) in
                try state.organizations.organization.checkAdministrator(creator.accountId)
                let packs = state.organizations.packs[creator]
                return try Self.distinct(names).map { name throws(ConformanceError) in
                    guard let pack = packs?[name] else { throw Self.noSuchOrganizationPack }
                    return row(pack)
                }
            }
            return (rows, nil)
        }
        let scope = PageToken.scope(creator)
        let limit = Self.pageSize(limit, default: Self.defaultOrganizationPage)
        let (rows, lastName, more) = try await read { state throws(ConformanceError) in
            try state.organizations.organization.checkAdministrator(creator.accountId)
            let after = try token.map { token throws(ConformanceError) in try PageToken.decode(token, operation, scope: scope) }
            let packs = state.organizations.packs[creator] ?? SortedMap()
            let (page, more) = packs.page(after: after, limit: limit) { ($0.name, row($0)) }
            return (page.map(\.1), page.last?.0, more)
        }
        return (rows, more ? lastName.map { PageToken.encode(operation, scope: scope, lastKey: $0) } : nil)
    }

    static let noSuchOrganizationPack = ConformanceError(
        .noSuchOrganizationConformancePack,
        "One or more organization conformance packs with specified names are not present. Ensure your names are correct and try your request again later.")

    static func organizationPack(_ record: OrgPackRecord) -> OrganizationConformancePack {
        OrganizationConformancePack(
            organizationConformancePackName: record.name,
            organizationConformancePackArn: record.arn,
            deliveryS3Bucket: record.deliveryS3Bucket,
            deliveryS3KeyPrefix: record.deliveryS3KeyPrefix,
            conformancePackInputParameters: (record.inputParameters ?? []).map {
                ConformancePackInputParameter(parameterName: $0.name, parameterValue: $0.value)
            },
            excludedAccounts: record.excludedAccounts,
            lastUpdateTime: Date(epochMilliseconds: record.lastUpdateTime))
    }

    static func organizationPackStatus(_ record: OrgPackRecord) -> OrganizationConformancePackStatus {
        let status = record.status
        var code: String?
        var message: String?
        if status.phase == .failed, let first = record.firstFailure {
            let others = record.count(.failed) - 1
            code = first.errorCode
            message = "Deployment failed in account \(first.accountId)\(others > 0 ? " and \(others) other account(s)" : ""): \(first.errorMessage ?? "")"
        }
        return OrganizationConformancePackStatus(
            organizationConformancePackName: record.name, status: status.organization, errorCode: code, errorMessage: message,
            lastUpdateTime: Date(epochMilliseconds: record.statusTime))
    }

    static func detailedStatus(_ row: MemberRow) -> OrganizationConformancePackDetailedStatus {
        OrganizationConformancePackDetailedStatus(
            accountId: row.accountId, conformancePackName: row.packName, status: row.status.detailed,
            errorCode: row.errorCode, errorMessage: row.errorMessage, lastUpdateTime: Date(epochMilliseconds: row.lastUpdateTime))
    }
}
