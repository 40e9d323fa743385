/// Who is calling and where: every read model is partitioned by account and region.
public struct RequestContext: Sendable, Hashable {
    /// The 12-digit account id of the caller.
    public var accountId: String
    /// The region the request is addressed to, e.g. `us-east-1`.
    public var region: String

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - accountId: The caller's account id.
    ///   - region: The region of the request.
    public init(accountId: String, region: String) {
        self.accountId = accountId
        self.region = region
    }
}
