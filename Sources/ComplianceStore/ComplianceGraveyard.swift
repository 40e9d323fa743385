internal import HashTreeCollections

/// Result trees that a store let go of (deleted or dropped rules), for the caller to release
/// off the writer's thread: dropping the last reference to a large tree frees every node.
public struct ComplianceGraveyard: Sendable {
    var trees = TreeDictionary<Int, ResultTree>()

    /// Creates an empty graveyard.
    public init() {}

    /// The number of trees held.
    public var treeCount: Int { trees.count }

    /// The number of results in the trees held.
    ///
    /// - Complexity: O(trees).
    public var resultCount: Int { trees.values.reduce(0) { $0 + $1.count } }

    /// Keeps `tree` (an empty tree is not kept).
    mutating func bury(_ tree: ResultTree) {
        guard !tree.isEmpty else { return }
        trees[trees.count] = tree  // nothing is taken out, so the count is the next index
    }
}
