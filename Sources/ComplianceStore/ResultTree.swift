/// A persistent B+tree map from `UInt64` keys to `ResultValue`s, copy-on-write per node.
///
/// Copying a tree is O(1): the copy shares every node. A mutation then copies only the nodes on
/// its path that are shared (`isKnownUniquelyReferenced`), O(log n) nodes, and mutates in place
/// the nodes that this copy alone holds. A reader thread traverses only nodes reachable from its
/// own copy's root, and the writer never writes a node that another copy can reach, so readers
/// and the writer need no lock.
///
/// Leaves hold up to 64 entries as four columns in one allocation (28 bytes per entry). When a
/// full leaf gets a key past its last one, the leaf stays full and the new key starts a new
/// leaf; when the new key is the last of its 2³² block (its resource type) in the leaf, the leaf
/// splits right after it. So keys arriving in increasing order, overall or within each resource
/// type, fill leaves ~100%; other splits are even.
public struct ResultTree: @unchecked Sendable {
    // Safe to send: the nodes reachable from a copy that another thread may hold are never
    // written again (the writer copies a shared node before it writes).
    var root: ResultNode?
    /// 0 when the root is a leaf.
    var height: Int
    /// The number of entries.
    ///
    /// - Complexity: O(1).
    public internal(set) var count: Int
    /// The largest key (0 when empty): keys past it are absent without a descent, which makes
    /// the lookups of results arriving in key order O(1).
    var lastKey: UInt64

    /// An empty tree.
    public init() {
        root = nil
        height = 0
        count = 0
        lastKey = 0
    }

    init(root: ResultNode?, height: Int, count: Int, lastKey: UInt64) {
        self.root = root
        self.height = height
        self.count = count
        self.lastKey = lastKey
    }

    /// Whether the tree has no entries.
    public var isEmpty: Bool { count == 0 }

    /// The value stored for `key`, if any.
    ///
    /// - Complexity: O(log n).
    public func value(forKey key: UInt64) -> ResultValue? {
        guard key <= lastKey, var node = root else { return nil }
        var level = height
        while level > 0 {
            let inner = unsafeDowncast(node, to: ResultInner.self)
            node = inner.children[inner.childIndex(for: key)]
            level -= 1
        }
        let leaf = unsafeDowncast(node, to: ResultLeaf.self)
        let index = leaf.lowerBound(key)
        guard index < leaf.count, leaf.key(at: index) == key else { return nil }
        return leaf.value(at: index)
    }

    /// Whether the tree holds `key`.
    ///
    /// - Complexity: O(log n).
    public func contains(_ key: UInt64) -> Bool { value(forKey: key) != nil }

    /// Stores `value` for `key`, returning the value it replaced.
    ///
    /// - Complexity: O(log n); the first mutation after a copy also copies the O(log n) shared
    ///   nodes on the path.
    @discardableResult
    public mutating func updateValue(_ value: ResultValue, forKey key: UInt64) -> ResultValue? {
        guard root != nil else {
            let leaf = ResultLeaf.make(capacity: 4)
            leaf.insert(key, value, at: 0)
            root = leaf
            count = 1
            lastKey = key
            return nil
        }
        if height == 0 {
            Self.prepareLeaf(&root!)
        } else if !isKnownUniquelyReferenced(&root!) {
            root = unsafeDowncast(root!, to: ResultInner.self).copy()
        }
        switch Self.insert(key, value, into: root!, height: height) {
        case .replaced(let old):
            return old
        case .inserted:
            count += 1
        case .split(let separator, let right):
            root = ResultInner.make(keys: [separator], children: [root!, right])
            height += 1
            count += 1
        }
        if key > lastKey { lastKey = key }
        return nil
    }

    /// What an insert did to the node it was given.
    enum InsertOutcome {
        case replaced(ResultValue)
        case inserted
        /// The node split: `right` takes the keys ≥ `separator` and goes right of the node.
        case split(separator: UInt64, right: ResultNode)
    }

    /// Makes the leaf at `reference` writable by this tree alone, with room for one more entry
    /// if it is a small root that is full: copies it when shared, grows it when full and small.
    @inline(__always)
    static func prepareLeaf(_ reference: inout ResultNode) {
        let unique = isKnownUniquelyReferenced(&reference)
        let leaf = unsafeDowncast(reference, to: ResultLeaf.self)
        let capacity = leaf.entryCapacity
        let full = leaf.count == capacity
        if full && capacity < ResultLeaf.maxCapacity {
            reference = leaf.copy(capacity: min(capacity * 2, ResultLeaf.maxCapacity))
        } else if !unique {
            reference = leaf.copy(capacity: capacity)
        }
    }

    /// Inserts into `node`, which this tree alone holds.
    static func insert(_ key: UInt64, _ value: ResultValue, into node: ResultNode, height: Int) -> InsertOutcome {
        if height == 0 {
            return insert(key, value, into: unsafeDowncast(node, to: ResultLeaf.self))
        }
        let inner = unsafeDowncast(node, to: ResultInner.self)
        let index = inner.childIndex(for: key)
        if height == 1 {
            prepareLeaf(&inner.children[index])
        } else if !isKnownUniquelyReferenced(&inner.children[index]) {
            inner.children[index] = unsafeDowncast(inner.children[index], to: ResultInner.self).copy()
        }
        let outcome = insert(key, value, into: inner.children[index], height: height - 1)
        guard case .split(let separator, let right) = outcome else { return outcome }
        inner.keys.insert(separator, at: index)
        inner.children.insert(right, at: index + 1)
        guard inner.children.count > ResultInner.maxChildren else { return .inserted }
        return split(inner, appending: index + 1 == inner.children.count - 1)
    }

    /// Inserts into a leaf this tree alone holds, splitting it when full.
    static func insert(_ key: UInt64, _ value: ResultValue, into leaf: ResultLeaf) -> InsertOutcome {
        let index = leaf.lowerBound(key)
        let count = leaf.count
        if index < count && leaf.key(at: index) == key {
            return .replaced(leaf.replaceValue(at: index, with: value))
        }
        if count < leaf.entryCapacity {
            leaf.insert(key, value, at: index)
            return .inserted
        }
        let right = ResultLeaf.make(capacity: ResultLeaf.maxCapacity)
        if index == count {
            // Past the last key: keep this leaf full, so ascending arrivals pack leaves.
            right.insert(key, value, at: 0)
            return .split(separator: key, right: right)
        }
        if (leaf.key(at: index) >> 32) != (key >> 32) {
            // The new key is the last of its resource type in this leaf: results of one type
            // arrive in increasing order, so split here and let the left leaf fill up.
            leaf.moveTail(from: index, appendingTo: right)
            leaf.insert(key, value, at: index)
            return .split(separator: right.key(at: 0), right: right)
        }
        let middle = count / 2
        leaf.moveTail(from: middle, appendingTo: right)
        if index <= middle {
            leaf.insert(key, value, at: index)
        } else {
            right.insert(key, value, at: index - middle)
        }
        return .split(separator: right.key(at: 0), right: right)
    }

    /// Splits an inner node that has one child too many.
    static func split(_ inner: ResultInner, appending: Bool) -> InsertOutcome {
        if appending {
            // The new child is the last one: keep this node full, as leaves do.
            let separator = inner.keys.removeLast()
            let child = inner.children.removeLast()
            return .split(separator: separator, right: ResultInner.make(keys: [], children: [child]))
        }
        let middle = inner.children.count / 2
        let separator = inner.keys[middle - 1]
        let right = ResultInner.make(keys: ContiguousArray(inner.keys[middle...]), children: ContiguousArray(inner.children[middle...]))
        inner.keys.removeSubrange((middle - 1)...)
        inner.children.removeSubrange(middle...)
        return .split(separator: separator, right: right)
    }

    /// Approximate heap bytes of the tree's nodes (shared nodes count in full).
    ///
    /// - Complexity: O(n / 64).
    public var nodeBytes: Int {
        guard let root else { return 0 }
        return Self.nodeBytes(root, height: height)
    }

    static func nodeBytes(_ node: ResultNode, height: Int) -> Int {
        if height == 0 { return unsafeDowncast(node, to: ResultLeaf.self).heapBytes }
        let inner = unsafeDowncast(node, to: ResultInner.self)
        var total = inner.heapBytes
        for child in inner.children { total += nodeBytes(child, height: height - 1) }
        return total
    }

    /// Entry slots allocated in the leaves (for fill-factor reporting).
    ///
    /// - Complexity: O(n / 64).
    var leafCapacity: Int {
        guard let root else { return 0 }
        return Self.leafCapacity(root, height: height)
    }

    static func leafCapacity(_ node: ResultNode, height: Int) -> Int {
        if height == 0 { return unsafeDowncast(node, to: ResultLeaf.self).entryCapacity }
        var total = 0
        for child in unsafeDowncast(node, to: ResultInner.self).children {
            total += leafCapacity(child, height: height - 1)
        }
        return total
    }
}
