import Foundation

extension ConformanceEngine {
    /// The page size of the pack operations when `Limit` is absent or 0 (spec §1.6).
    static let defaultPackPage = 20

    /// Describes conformance packs (spec §8.3).
    ///
    /// With names: exactly those packs, in request order, duplicates once, one page (`Limit` and
    /// `NextToken` ignored); any unknown name fails the whole call. Without: every pack of the
    /// partition sorted by name, `Limit` (default 20) per page.
    ///
    /// - Parameters:
    ///   - request: Names, or a page request.
    ///   - context: The caller's account and region.
    /// - Returns: The packs and, unless this is the last page, a `NextToken`.
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`,
    ///   `NoSuchConformancePackException`, `InternalFailure`.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) public func describeConformancePacks(
        _ request: DescribeConformancePacksRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeConformancePacksResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        if let names = request.conformancePackNames, !names.isEmpty {
            let details = try await read { state throws(ConformanceError) in
                let packs = state[partition: key].packs
                return try Self.distinct(names).map { name throws(ConformanceError) in
                    guard let pack = packs[name] else { throw Self.noSuchPack(name) }
                    return Self.detail(pack)
                }
            }
            return DescribeConformancePacksResponse(conformancePackDetails: details)
        }
        let (details, nextToken) = try await packPage(
            .describeConformancePacks, in: key, after: request.nextToken, limit: request.limit,
            Self.detail, name: \.conformancePackName
        )
        return DescribeConformancePacksResponse(conformancePackDetails: details, nextToken: nextToken)
    }

    /// Describes the deployment status of conformance packs (spec §8.4).
    ///
    /// Like ``describeConformancePacks(_:context:)``, except that unknown names are omitted, not an error.
    ///
    /// - Parameters:
    ///   - request: Names, or a page request.
    ///   - context: The caller's account and region.
    /// - Returns: The statuses and, unless this is the last page, a `NextToken`.
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`, `InternalFailure`.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) public func describeConformancePackStatus(
        _ request: DescribeConformancePackStatusRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeConformancePackStatusResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        if let names = request.conformancePackNames, !names.isEmpty {
            let details = try await read { state in
                let packs = state[partition: key].packs
                return Self.distinct(names).compactMap { packs[$0].map(Self.status) }
            }
            return DescribeConformancePackStatusResponse(conformancePackStatusDetails: details)
        }
        let (statuses, nextToken) = try await packPage(
            .describeConformancePackStatus, in: key, after: request.nextToken, limit: request.limit,
            Self.status, name: \.conformancePackName
        )
        return DescribeConformancePackStatusResponse(conformancePackStatusDetails: statuses, nextToken: nextToken)
    }

    /// One page of a partition's packs in name order, after the pack a `NextToken` names.
    ///
    /// - Returns: The rows and, unless this is the last page, the token of the page after.
    /// - Throws: `InvalidNextTokenException` for a token not issued for this operation and partition.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) private func packPage<Row: Sendable>(
        _ operation: PageToken.Operation, in key: PartitionKey, after token: String?, limit: Int?,
        _ row: @escaping @Sendable (PackRecord) -> Row, name: @escaping @Sendable (Row) -> String
    ) async throws(ConformanceError) -> (rows: [Row], nextToken: String?) {
        let scope = PageToken.scope(key)
        let after = try token.map { token throws(ConformanceError) in
            try PageToken.decode(token, operation, scope: scope)
        }
        let limit = Self.pageSize(limit, default: Self.defaultPackPage)
        let (rows, more) = try await read { state in
            state[partition: key].packs.page(after: after, limit: limit, row)
        }
        let nextToken = more ? rows.last.map { PageToken.encode(operation, scope: scope, lastKey: name($0)) } : nil
        return (rows, nextToken)
    }

    static func pageSize(_ limit: Int?, default defaultSize: Int) -> Int {
        guard let limit, limit > 0 else { return defaultSize }
        return limit
    }

    /// `names` without repeats, first occurrence kept.
    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<ByteString>()
        return names.filter { seen.insert(ByteString($0)).inserted }
    }

    static func detail(_ pack: PackRecord) -> ConformancePackDetail {
        var ssm: TemplateSSMDocumentDetails?
        if case .ssm(let name, let version) = pack.origin {
            ssm = TemplateSSMDocumentDetails(documentName: name, documentVersion: version)
        }
        return ConformancePackDetail(
            conformancePackName: pack.name,
            conformancePackArn: pack.arn,
            conformancePackId: pack.id,
            deliveryS3Bucket: pack.deliveryS3Bucket,
            deliveryS3KeyPrefix: pack.deliveryS3KeyPrefix,
            conformancePackInputParameters: pack.inputParameters?.map {
                ConformancePackInputParameter(parameterName: $0.name, parameterValue: $0.value)
            },
            lastUpdateRequestedTime: Date(epochMilliseconds: pack.lastUpdateRequested),
            templateSSMDocumentDetails: ssm
        )
    }

    static func status(_ pack: PackRecord) -> ConformancePackStatusDetail {
        ConformancePackStatusDetail(
            conformancePackName: pack.name,
            conformancePackId: pack.id,
            conformancePackArn: pack.arn,
            conformancePackState: pack.state.modelState,
            stackArn: pack.stackArn,
            conformancePackStatusReason: pack.statusReason,
            lastUpdateRequestedTime: Date(epochMilliseconds: pack.lastUpdateRequested),
            lastUpdateCompletedTime: pack.lastUpdateCompleted.map(Date.init(epochMilliseconds:))
        )
    }
}
