/// Which results of a rule a page returns; the conditions are ANDed.
public struct ResultFilter: Sendable, Hashable {
    /// The compliances to return; empty means all.
    public var compliances: Set<ResultCompliance>
    /// Only results of this resource type.
    public var resourceType: String?
    /// Only results of these resource ids (within `resourceType` when given, of any type
    /// otherwise), found by point lookups.
    public var resourceIds: [String]?

    /// Creates a filter; the default returns everything.
    public init(compliances: Set<ResultCompliance> = [], resourceType: String? = nil, resourceIds: [String]? = nil) {
        self.compliances = compliances
        self.resourceType = resourceType
        self.resourceIds = resourceIds
    }
}

/// One result of a page.
public struct ResultRow: Sendable, Hashable {
    /// The result's key, `resourceTypeId << 32 | resourceIdId`: pass the last row's key as
    /// `after` for the next page.
    public var key: UInt64
    /// The resource type.
    public var resourceType: String
    /// The resource id.
    public var resourceId: String
    /// The result's compliance.
    public var compliance: ResultCompliance
    /// The evaluation's ordering timestamp (epoch ms).
    public var orderingTimestamp: Int64
    /// When the store recorded it (epoch ms).
    public var recordedTime: Int64
    /// The annotation, if any.
    public var annotation: String?
}

/// A page of results in ascending key order.
public struct ResultPage: Sendable, Hashable {
    /// The results, at most the page's limit.
    public var rows: [ResultRow]
    /// Whether more results match after the last row.
    public var more: Bool

    /// The key to pass as `after` for the next page, when there is one.
    public var nextAfter: UInt64? { more ? rows.last?.key : nil }
}
