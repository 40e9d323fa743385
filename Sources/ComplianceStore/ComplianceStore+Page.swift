extension ComplianceStore {
    /// A page of a rule's results in ascending key order, strictly after `after`.
    ///
    /// Several compliances are a k-way merge of cursors on the rule's trees; a resource type
    /// bounds the cursors to its key range `typeId << 32 ..< (typeId + 1) << 32`; resource ids
    /// are point lookups (for each id, the types it was used with). Strings this version does
    /// not see do not exist for it: a filter naming one matches nothing.
    ///
    /// - Parameters:
    ///   - rule: The rule's slot; an unknown rule has no results.
    ///   - filter: Which results to return.
    ///   - after: The last key of the previous page (`ResultPage.nextAfter`), or nil to start.
    ///   - limit: The most rows to return.
    /// - Returns: The rows, and whether more match after the last one.
    /// - Complexity: O(log n + limit) (with resource ids: O(ids × types of each id × log n)).
    public func page(rule: UInt32, filter: ResultFilter, after: UInt64?, limit: Int) -> ResultPage {
        let none = ResultPage(rows: [], more: false)
        guard let results = rules[rule] else { return none }
        let compliances = ResultCompliance.allCases.filter { filter.compliances.isEmpty || filter.compliances.contains($0) }
        var low: UInt64 = 0
        var high: UInt64? = nil
        if let after {
            guard after < UInt64.max else { return none }
            low = after + 1
        }
        var type: UInt32? = nil
        if let resourceType = filter.resourceType {
            guard let found = view.find(resourceType) else { return none }
            type = found
            low = max(low, UInt64(found) << 32)
            high = (UInt64(found) + 1) << 32
        }
        var builder = RowBuilder(strings: strings, capacity: min(max(limit, 0), 1_024))
        if let resourceIds = filter.resourceIds {
            return pointPage(results, compliances, type: type, ids: resourceIds, low: low, limit: limit, &builder)
        }
        var cursors = compliances.map { (ResultTree.Cursor(results.tree($0), from: low, end: high), $0) }
        while builder.rows.count < limit {
            var best = -1
            var bestKey = UInt64.max
            for index in cursors.indices {
                if let key = cursors[index].0.peekKey, best < 0 || key < bestKey {
                    best = index
                    bestKey = key
                }
            }
            guard best >= 0, let entry = cursors[best].0.next() else { break }
            builder.append(entry.key, entry.value, cursors[best].1)
        }
        let more = cursors.contains { $0.0.peekKey != nil }
        return ResultPage(rows: builder.rows, more: more)
    }

    /// A page of the results of the given resource ids, found by point lookups.
    func pointPage(
        _ results: RuleResults, _ compliances: [ResultCompliance], type: UInt32?, ids: [String], low: UInt64,
        limit: Int, _ builder: inout RowBuilder
    ) -> ResultPage {
        var hits: [(key: UInt64, value: ResultValue, compliance: ResultCompliance)] = []
        for resourceId in ids {
            guard let id = view.find(resourceId) else { continue }
            for candidate in type.map({ [$0] }) ?? resourceTypes(of: id) {
                let key = UInt64(candidate) << 32 | UInt64(id)
                guard key >= low else { continue }
                for compliance in compliances {
                    if let value = results.tree(compliance).value(forKey: key) {
                        hits.append((key, value, compliance))
                        break
                    }
                }
            }
        }
        hits.sort { $0.key < $1.key }
        var previous: UInt64? = nil
        var matching = 0
        for hit in hits where hit.key != previous {
            previous = hit.key
            matching += 1
            if builder.rows.count < limit { builder.append(hit.key, hit.value, hit.compliance) }
        }
        return ResultPage(rows: builder.rows, more: matching > builder.rows.count)
    }

    /// Turns entries into rows, decoding each resource type once per run of equal types.
    struct RowBuilder {
        let strings: StringTable
        var rows: [ResultRow] = []
        var lastType: UInt32 = 0
        var lastTypeName = ""

        init(strings: StringTable, capacity: Int) {
            self.strings = strings
            rows.reserveCapacity(capacity)
        }

        mutating func append(_ key: UInt64, _ value: ResultValue, _ compliance: ResultCompliance) {
            let type = UInt32(truncatingIfNeeded: key >> 32)
            if type != lastType {
                lastType = type
                lastTypeName = strings.string(type)
            }
            rows.append(ResultRow(
                key: key, resourceType: lastTypeName, resourceId: strings.string(UInt32(truncatingIfNeeded: key)),
                compliance: compliance, orderingTimestamp: value.orderingTimestamp, recordedTime: value.recordedTime,
                annotation: value.annotation == 0 ? nil : strings.string(value.annotation)))
        }
    }
}
