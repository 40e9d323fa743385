/// An inner node of a `ResultTree`: `children.count - 1` separator keys, where `keys[i]` is ≤
/// every key below `children[i + 1]` and > every key below `children[i]`.
///
/// The children are `ResultLeaf`s when the node is at height 1 and `ResultInner`s above; the tree
/// knows the height, so the node does not store what its children are. Both arrays live in the
/// node's header and are reached through its address (no exclusivity bookkeeping per access).
/// Like a leaf, a node is written only while the writer holds the one reference to it.
final class ResultInner: ManagedBuffer<ResultNodeHeader, UInt64> {
    /// The most children a node holds; one more is allowed for the moment before a split.
    static let maxChildren = 64
    /// A node below this many children is merged with or refilled from a sibling.
    static let minChildren = maxChildren / 4

    /// A node with these separators and children.
    static func make(keys: ContiguousArray<UInt64>, children: ContiguousArray<ResultNode>) -> ResultInner {
        var keys = keys
        var children = children
        // Room for the transient extra child: a split never reallocates the arrays.
        keys.reserveCapacity(maxChildren)
        children.reserveCapacity(maxChildren + 1)
        let buffer = ResultInner.create(minimumCapacity: 0) { _ in
            ResultNodeHeader(count: 0, capacity: 0, keys: keys, children: children)
        }
        return unsafeDowncast(buffer, to: ResultInner.self)
    }

    /// The header's address; stable for the node's lifetime (a `ManagedBuffer` never moves).
    @inline(__always)
    var headerAddress: UnsafeMutablePointer<ResultNodeHeader> { withUnsafeMutablePointerToHeader { $0 } }

    /// The separator keys.
    var keys: ContiguousArray<UInt64> {
        @inline(__always) _read { yield headerAddress.pointee.keys }
        @inline(__always) _modify { yield &headerAddress.pointee.keys }
    }

    /// The children.
    var children: ContiguousArray<ResultNode> {
        @inline(__always) _read { yield headerAddress.pointee.children }
        @inline(__always) _modify { yield &headerAddress.pointee.children }
    }

    /// A copy sharing the children (their reference counts tell the writer they are shared now).
    func copy() -> ResultInner { ResultInner.make(keys: keys, children: children) }

    /// The index of the child whose range holds `key`: the number of separators ≤ `key`.
    ///
    /// - Complexity: O(log children).
    @inline(__always)
    func childIndex(for key: UInt64) -> Int {
        headerAddress.pointee.keys.withUnsafeBufferPointer { keys in
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
    var heapBytes: Int { 16 + 24 + 8 + (32 + keys.capacity * 8 + 8) + (32 + children.capacity * 8 + 8) }
}
