extension ResultTree {
    /// A tree of the given entries, built bottom-up with full leaves and full inner nodes (the
    /// last two of each level share what remains, so none is underfull).
    ///
    /// - Parameter sortedUniqueKeys: Entries in strictly increasing key order.
    /// - Precondition: the keys are strictly increasing.
    /// - Complexity: O(n).
    public init<S: Sequence>(sortedUniqueKeys entries: S) where S.Element == (UInt64, ResultValue) {
        var builder = Builder()
        for (key, value) in entries {
            precondition(builder.accepts(key), "ResultTree(sortedUniqueKeys:): keys must be strictly increasing")
            builder.append(key, value)
        }
        self = builder.finish()
    }

    /// Builds a tree from entries in strictly increasing key order, one at a time.
    struct Builder {
        var leaves: ContiguousArray<ResultLeaf> = []
        var count = 0
        var lastKey: UInt64 = 0

        /// Whether `key` may come next (it is greater than the last one).
        @inline(__always)
        func accepts(_ key: UInt64) -> Bool { count == 0 || key > lastKey }

        @inline(__always)
        mutating func append(_ key: UInt64, _ value: ResultValue) {
            if leaves.isEmpty || leaves[leaves.count - 1].count == ResultLeaf.maxCapacity {
                leaves.append(ResultLeaf.make(capacity: ResultLeaf.maxCapacity))
            }
            let leaf = leaves[leaves.count - 1]
            leaf.withColumns { header, columns in
                let index = Int(header.pointee.count)
                columns.keys[index] = key
                columns.set(value, at: index)
                header.pointee.count += 1
            }
            lastKey = key
            count += 1
        }

        consuming func finish() -> ResultTree {
            guard !leaves.isEmpty else { return ResultTree() }
            if leaves.count == 1 {
                // A lone leaf is the root: give it just the room it needs.
                let leaf = leaves[0]
                let capacity = max(4, leaf.count)
                let root = capacity < leaf.entryCapacity ? leaf.copy(capacity: capacity) : leaf
                return ResultTree(root: root, height: 0, count: count, lastKey: lastKey)
            }
            let last = leaves.count - 1
            if leaves[last].count < ResultLeaf.minFill {
                ResultTree.balance(leaves[last - 1], leaves[last])
            }
            var level = ContiguousArray<ResultNode>(leaves.map { $0 as ResultNode })
            var lowKeys = ContiguousArray(leaves.map { $0.key(at: 0) })
            leaves = []
            var height = 0
            while level.count > 1 {
                (level, lowKeys) = Self.group(level, lowKeys)
                height += 1
            }
            return ResultTree(root: level[0], height: height, count: count, lastKey: lastKey)
        }

        /// Groups one level's nodes under inner nodes; returns the parents and their low keys.
        static func group(
            _ nodes: ContiguousArray<ResultNode>, _ lowKeys: ContiguousArray<UInt64>
        ) -> (ContiguousArray<ResultNode>, ContiguousArray<UInt64>) {
            let width = ResultInner.maxChildren
            var sizes = Array(repeating: width, count: nodes.count / width)
            let remainder = nodes.count % width
            if remainder > 0 { sizes.append(remainder) }
            if sizes.count > 1 && sizes[sizes.count - 1] < ResultInner.minChildren {
                let pair = sizes[sizes.count - 1] + sizes[sizes.count - 2]
                sizes[sizes.count - 2] = (pair + 1) / 2
                sizes[sizes.count - 1] = pair / 2
            }
            var parents = ContiguousArray<ResultNode>()
            var parentKeys = ContiguousArray<UInt64>()
            parents.reserveCapacity(sizes.count)
            var start = 0
            for size in sizes {
                let range = start..<(start + size)
                parents.append(ResultInner.make(keys: ContiguousArray(lowKeys[(start + 1)..<range.upperBound]), children: ContiguousArray(nodes[range])))
                parentKeys.append(lowKeys[start])
                start += size
            }
            return (parents, parentKeys)
        }
    }
}
