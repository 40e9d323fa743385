extension ResultTree {
    /// Ascending iteration from a key, one entry at a time: the building block of k-way merges.
    ///
    /// A cursor holds its tree's root, so it keeps reading the version it was made from whatever
    /// the writer does to its own copy afterwards. Moving to the next leaf seeks from the root
    /// with the leaf's upper bound, so a cursor allocates nothing.
    public struct Cursor {
        let tree: ResultTree
        var leaf: ResultLeaf?
        var index: Int
        /// The lower bound of the leaf after `leaf`, or nil when `leaf` is the last one.
        var nextLeafBound: UInt64?
        /// Where iteration stops (exclusive), or nil for the end of the tree.
        let end: UInt64?

        /// A cursor at the first key ≥ `key` and < `end` (when given).
        ///
        /// - Complexity: O(log n).
        public init(_ tree: ResultTree, from key: UInt64, end: UInt64? = nil) {
            self.tree = tree
            self.leaf = nil
            self.index = 0
            self.nextLeafBound = nil
            self.end = end
            seek(key)
        }

        /// Positions at the first key ≥ `key`, skipping empty leaves.
        mutating func seek(_ key: UInt64) {
            var target = key
            while true {
                guard var node = tree.root else {
                    leaf = nil
                    return
                }
                var bound: UInt64? = nil
                var level = tree.height
                while level > 0 {
                    let inner = unsafeDowncast(node, to: ResultInner.self)
                    let child = inner.childIndex(for: target)
                    if child < inner.keys.count { bound = inner.keys[child] }
                    node = inner.children[child]
                    level -= 1
                }
                let found = unsafeDowncast(node, to: ResultLeaf.self)
                let position = found.lowerBound(target)
                if position < found.count {
                    leaf = found
                    index = position
                    nextLeafBound = bound
                    clampToEnd()
                    return
                }
                guard let bound else {
                    leaf = nil
                    return
                }
                target = bound
            }
        }

        @inline(__always)
        mutating func clampToEnd() {
            if let end, let leaf, leaf.key(at: index) >= end { self.leaf = nil }
        }

        /// The key `next()` returns next, or nil at the end.
        ///
        /// - Complexity: O(1).
        public var peekKey: UInt64? {
            guard let leaf else { return nil }
            return leaf.key(at: index)
        }

        /// Returns the current entry and advances.
        ///
        /// - Complexity: O(1) amortized; O(log n) when it crosses into the next leaf.
        public mutating func next() -> (key: UInt64, value: ResultValue)? {
            guard let current = leaf else { return nil }
            let entry = current.withColumns { _, columns in (columns.keys[index], columns.value(at: index)) }
            index += 1
            if index < current.count {
                clampToEnd()
            } else if let bound = nextLeafBound {
                seek(bound)
            } else {
                leaf = nil
            }
            return (key: entry.0, value: entry.1)
        }
    }

    /// A cursor at the first key ≥ `key`.
    ///
    /// - Complexity: O(log n).
    public func cursor(from key: UInt64 = 0) -> Cursor { Cursor(self, from: key) }

    /// Calls `body` with each entry in ascending key order from the first key ≥ `key`, until
    /// `body` returns false.
    ///
    /// - Complexity: O(log n + k) for k entries visited.
    public func forEach(from key: UInt64 = 0, _ body: (UInt64, ResultValue) throws -> Bool) rethrows {
        guard let root else { return }
        _ = try Self.visit(root, height: height, from: key, body)
    }

    /// Visits the entries ≥ `key` below `node`; false once `body` asked to stop.
    static func visit(
        _ node: ResultNode, height: Int, from key: UInt64, _ body: (UInt64, ResultValue) throws -> Bool
    ) rethrows -> Bool {
        if height == 0 {
            let leaf = unsafeDowncast(node, to: ResultLeaf.self)
            return try leaf.withColumns { header, columns in
                var index = key == 0 ? 0 : leaf.lowerBound(key)
                let count = Int(header.pointee.count)
                while index < count {
                    guard try body(columns.keys[index], columns.value(at: index)) else { return false }
                    index += 1
                }
                return true
            }
        }
        let inner = unsafeDowncast(node, to: ResultInner.self)
        var index = inner.childIndex(for: key)
        var from = key
        while index < inner.children.count {
            guard try visit(inner.children[index], height: height - 1, from: from, body) else { return false }
            // Every key right of the first child visited is ≥ `key`.
            from = 0
            index += 1
        }
        return true
    }
}
