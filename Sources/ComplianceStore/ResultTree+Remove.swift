extension ResultTree {
    /// Removes the entry for `key`, returning its value.
    ///
    /// A leaf left below a quarter full is merged with a sibling, or refilled from it when the
    /// two do not fit in one leaf; inner nodes likewise.
    ///
    /// - Complexity: O(log n). A missing key copies nothing.
    @discardableResult
    public mutating func removeValue(forKey key: UInt64) -> ResultValue? {
        // Look first, so that removing a missing key never copies a shared path.
        guard value(forKey: key) != nil else { return nil }
        let old: ResultValue
        if height == 0 {
            if !isKnownUniquelyReferenced(&root!) {
                let leaf = unsafeDowncast(root!, to: ResultLeaf.self)
                root = leaf.copy(capacity: leaf.entryCapacity)
            }
            let leaf = unsafeDowncast(root!, to: ResultLeaf.self)
            old = leaf.remove(at: leaf.lowerBound(key))
            if leaf.count == 0 { root = nil }
        } else {
            if !isKnownUniquelyReferenced(&root!) {
                root = unsafeDowncast(root!, to: ResultInner.self).copy()
            }
            old = Self.remove(key, from: unsafeDowncast(root!, to: ResultInner.self), height: height)
            // Collapse roots with a single child.
            while height > 0 {
                let inner = unsafeDowncast(root!, to: ResultInner.self)
                guard inner.children.count == 1 else { break }
                root = inner.children[0]
                height -= 1
            }
        }
        count -= 1
        if count == 0 {
            // An append-split node may have kept a lone leaf that is now empty.
            root = nil
            height = 0
            lastKey = 0
        } else if key == lastKey {
            lastKey = Self.lastKey(root!, height: height) ?? 0
        }
        return old
    }

    /// The largest key below `node`, right to left past empty leaves.
    ///
    /// - Complexity: O(height) unless leaves are empty.
    static func lastKey(_ node: ResultNode, height: Int) -> UInt64? {
        if height == 0 {
            let leaf = unsafeDowncast(node, to: ResultLeaf.self)
            return leaf.count == 0 ? nil : leaf.key(at: leaf.count - 1)
        }
        let children = unsafeDowncast(node, to: ResultInner.self).children
        for child in children.reversed() {
            if let key = lastKey(child, height: height - 1) { return key }
        }
        return nil
    }

    /// Removes `key` (which is present) below `inner`, which this tree alone holds.
    static func remove(_ key: UInt64, from inner: ResultInner, height: Int) -> ResultValue {
        let index = inner.childIndex(for: key)
        makeChildUnique(inner, index, childHeight: height - 1)
        let old: ResultValue
        let underfull: Bool
        if height == 1 {
            let leaf = unsafeDowncast(inner.children[index], to: ResultLeaf.self)
            old = leaf.remove(at: leaf.lowerBound(key))
            underfull = leaf.count < ResultLeaf.minFill
        } else {
            let child = unsafeDowncast(inner.children[index], to: ResultInner.self)
            old = remove(key, from: child, height: height - 1)
            underfull = child.children.count < ResultInner.minChildren
        }
        if underfull && inner.children.count > 1 {
            rebalance(inner, around: index, childHeight: height - 1)
        }
        return old
    }

    /// Copies the child at `index` when another version shares it.
    @inline(__always)
    static func makeChildUnique(_ inner: ResultInner, _ index: Int, childHeight: Int) {
        guard !isKnownUniquelyReferenced(&inner.children[index]) else { return }
        if childHeight == 0 {
            let leaf = unsafeDowncast(inner.children[index], to: ResultLeaf.self)
            inner.children[index] = leaf.copy(capacity: leaf.entryCapacity)
        } else {
            inner.children[index] = unsafeDowncast(inner.children[index], to: ResultInner.self).copy()
        }
    }

    /// Merges the underfull child at `index` with a neighbour, or moves entries between them.
    static func rebalance(_ inner: ResultInner, around index: Int, childHeight: Int) {
        let left = index + 1 < inner.children.count ? index : index - 1
        let right = left + 1
        makeChildUnique(inner, left, childHeight: childHeight)
        makeChildUnique(inner, right, childHeight: childHeight)
        if childHeight == 0 {
            let leftLeaf = unsafeDowncast(inner.children[left], to: ResultLeaf.self)
            let rightLeaf = unsafeDowncast(inner.children[right], to: ResultLeaf.self)
            let total = leftLeaf.count + rightLeaf.count
            if total <= leftLeaf.entryCapacity {
                rightLeaf.moveTail(from: 0, appendingTo: leftLeaf)
                inner.keys.remove(at: left)
                inner.children.remove(at: right)
            } else {
                balance(leftLeaf, rightLeaf)
                inner.keys[left] = rightLeaf.key(at: 0)
            }
            return
        }
        let leftInner = unsafeDowncast(inner.children[left], to: ResultInner.self)
        let rightInner = unsafeDowncast(inner.children[right], to: ResultInner.self)
        var keys = leftInner.keys
        keys.append(inner.keys[left])
        keys.append(contentsOf: rightInner.keys)
        var children = leftInner.children
        children.append(contentsOf: rightInner.children)
        if children.count <= ResultInner.maxChildren {
            leftInner.keys = keys
            leftInner.children = children
            inner.keys.remove(at: left)
            inner.children.remove(at: right)
        } else {
            let middle = children.count / 2
            leftInner.keys = ContiguousArray(keys[..<(middle - 1)])
            leftInner.children = ContiguousArray(children[..<middle])
            inner.keys[left] = keys[middle - 1]
            rightInner.keys = ContiguousArray(keys[middle...])
            rightInner.children = ContiguousArray(children[middle...])
        }
    }

    /// Moves entries between two adjacent leaves so that they hold half each (left gets the odd one).
    static func balance(_ left: ResultLeaf, _ right: ResultLeaf) {
        let total = left.count + right.count
        let leftTarget = (total + 1) / 2
        if left.count > leftTarget {
            left.giveTail(left.count - leftTarget, to: right)
        } else if left.count < leftTarget {
            left.takeHead(leftTarget - left.count, from: right)
        }
    }
}
