extension ResultTree {
    /// Checks the tree's structure: key order, separators, heights, the count, and that no
    /// non-root leaf is empty. Returns what is wrong, or nil (for tests).
    ///
    /// - Complexity: O(n).
    func invariantViolation() -> String? {
        guard let root else { return count == 0 && height == 0 ? nil : "empty root with count \(count)" }
        var total = 0
        var previous: UInt64? = nil
        if let problem = Self.check(root, height: height, low: nil, high: nil, isRoot: true, total: &total, previous: &previous) {
            return problem
        }
        if total != count { return "count \(count) but \(total) entries" }
        return previous == lastKey ? nil : "lastKey \(lastKey) but the largest key is \(String(describing: previous))"
    }

    static func check(
        _ node: ResultNode, height: Int, low: UInt64?, high: UInt64?, isRoot: Bool, total: inout Int, previous: inout UInt64?
    ) -> String? {
        if height == 0 {
            let leaf = unsafeDowncast(node, to: ResultLeaf.self)
            if leaf.count > leaf.entryCapacity { return "leaf over capacity" }
            if !isRoot && leaf.entryCapacity != ResultLeaf.maxCapacity { return "small non-root leaf" }
            for index in 0..<leaf.count {
                let key = leaf.key(at: index)
                if let previous, key <= previous { return "keys out of order at \(key)" }
                if let low, key < low { return "key \(key) below separator \(low)" }
                if let high, key >= high { return "key \(key) at or above separator \(high)" }
                previous = key
            }
            total += leaf.count
            return nil
        }
        let inner = unsafeDowncast(node, to: ResultInner.self)
        if inner.children.isEmpty || inner.keys.count != inner.children.count - 1 { return "inner key/child mismatch" }
        if inner.children.count > ResultInner.maxChildren { return "inner over capacity" }
        for index in inner.children.indices {
            let childLow = index == 0 ? low : inner.keys[index - 1]
            let childHigh = index < inner.keys.count ? inner.keys[index] : high
            if let problem = check(inner.children[index], height: height - 1, low: childLow, high: childHigh, isRoot: false, total: &total, previous: &previous) {
                return problem
            }
        }
        return nil
    }

    /// The fraction of leaf slots in use (1.0 = every leaf full).
    var leafFill: Double {
        let capacity = leafCapacity
        return capacity == 0 ? 1 : Double(count) / Double(capacity)
    }
}
