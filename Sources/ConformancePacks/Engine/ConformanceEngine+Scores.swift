import ComplianceStore
import Foundation

extension ConformanceEngine {
    static let scoresPage = 20

    /// The compliance score of each pack (spec §8.8, §6.4): `100 × C / (C + N)` over the pack's
    /// (rule, resource) pairs, or `INSUFFICIENT_DATA` when it has none.
    ///
    /// Sorted by name (ascending, or descending with `SortOrder`), or by score with
    /// `SortBy: SCORE` (`INSUFFICIENT_DATA` last ascending, first descending; ties by name).
    ///
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`, `InternalFailure`.
    /// - Complexity: O(p log p) for the partition's p packs (at most 50); counters, never a scan of results.
    nonisolated(nonsending) public func listConformancePackComplianceScores(
        _ request: ListConformancePackComplianceScoresRequest, context: RequestContext
    ) async throws(ConformanceError) -> ListConformancePackComplianceScoresResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let byScore = request.sortBy == .score
        let descending = request.sortOrder == .descending
        let named = request.filters?.conformancePackNames
        let scope = PageToken.scope(key, filters: [Self.filterKey(named), byScore ? "score" : "name", descending ? "desc" : "asc"])
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decodePosition(token, .listConformancePackComplianceScores, scope: scope)
        }
        let limit = Self.pageSize(request.limit, default: Self.scoresPage)
        return try await read { state in
            let packs = state[partition: key].packs
            let wanted = named.map { Set($0.map(ByteString.init)) }
            var entries: [ScoreEntry] = []
            for pack in packs.orderedValues where wanted?.contains(ByteString(pack.name)) ?? true {
                var entry = ScoreEntry(name: pack.name, score: nil, changed: pack.created)
                if let group = state.compliance.findGroupSlot(forKey: ComplianceKeys.pack(key, pack.name)),
                   let summary = state.compliance.groupSummary(group)
                {
                    entry.score = summary.score
                    if summary.scoreChanged > 0 { entry.changed = summary.scoreChanged }
                }
                entries.append(entry)
            }
            let order = ScoreEntry.Order(byScore: byScore, descending: descending)
            entries.sort(by: order.precedes)
            var start = 0
            if let (name, bits) = after {
                let last = ScoreEntry(name: name, score: bits == .max ? nil : Double(bitPattern: bits), changed: 0)
                start = entries.firstIndex { order.precedes(last, $0) } ?? entries.count
            }
            let page = entries[start...].prefix(limit)
            let rows = page.map { entry in
                ConformancePackComplianceScore(
                    score: entry.score.map { String(describing: $0) } ?? "INSUFFICIENT_DATA",
                    conformancePackName: entry.name, lastUpdatedTime: Date(epochMilliseconds: entry.changed))
            }
            let next = start + page.count < entries.count ? page.last.map {
                PageToken.encode(.listConformancePackComplianceScores, scope: scope, lastKey: $0.name, position: $0.score?.bitPattern ?? .max)
            } : nil
            return ListConformancePackComplianceScoresResponse(nextToken: next ?? nil, conformancePackComplianceScores: rows)
        }
    }
}

/// One row of ListConformancePackComplianceScores before it is written.
struct ScoreEntry {
    var name: String
    /// 0...100, or nil for `INSUFFICIENT_DATA`.
    var score: Double?
    /// Epoch ms: when the score last changed, or when the pack was created.
    var changed: Int64

    /// The order of the rows (spec §8.8).
    struct Order {
        var byScore: Bool
        var descending: Bool

        func precedes(_ a: ScoreEntry, _ b: ScoreEntry) -> Bool {
            guard byScore else { return descending ? b.name.bytePrecedes(a.name) : a.name.bytePrecedes(b.name) }
            switch (a.score, b.score) {
            case let (x?, y?) where x != y: return descending ? x > y : x < y
            case (nil, _?): return descending
            case (_?, nil): return !descending
            default: return a.name.bytePrecedes(b.name)
            }
        }
    }
}
