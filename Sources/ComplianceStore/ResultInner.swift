/// An inner node of a `ResultTree`: `children.count - 1` separator keys, where `keys[i]` is ≤
/// every key below `children[i + 1]` and > every key below `children[i]`.
///
/// The children are `ResultLeaf`s when the node is at height 1 and `ResultInner`s above; the tree
/// knows the height, so the node does not store what its children are. Like a leaf, a node is
/// written only while the writer holds the one reference to it.
final class ResultInner {
    /// The most children a node holds; one more is allowed for the moment before a split.
    static let maxChildren = 64
    /// A node below this many children is merged with or refilled from a sibling.
    static let minChildren = maxChildren / 4

    var keys: ContiguousArray<UInt64>
    var children: ContiguousArray<AnyObject>

    init(keys: ContiguousArray<UInt64>, children: ContiguousArray<AnyObject>) {
        self.keys = keys
        self.children = children
        // Room for the transient extra child: a split never reallocates the arrays.
        self.keys.reserveCapacity(Self.maxChildren)
        self.children.reserveCapacity(Self.maxChildren + 1)
    }

    /// A copy sharing the children (their reference counts tell the writer they are shared now).
    func copy() -> ResultInner { ResultInner(keys: keys, children: children) }

    /// The index of the child whose range holds `key`: the number of separators ≤ `key`.
    ///
    /// - Complexity: O(log children).
    @inline(__always)
    func childIndex(for key: UInt64) -> Int {
        keys.withUnsafeBufferPointer { keys in
            var low = 0
            var high = keys.count
            while low < high {
                let mid = (low &+ high) >> 1
                if keys[mid] <= key { low = mid &+ 1 } else { high = mid }
            }
            return low
        }
    }

    /// Approximate heap bytes of the node and its two arrays.
    var heapBytes: Int { 32 + (32 + keys.capacity * 8 + 8) + (32 + children.capacity * 8 + 8) }
}
