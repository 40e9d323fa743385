internal import HashTreeCollections

/// One rule's results: a tree per `ResultCompliance` (each result lives in exactly one), the
/// time of the last change, and the group the rule belongs to.
struct RuleResults: Sendable {
    var compliant = ResultTree()
    var nonCompliant = ResultTree()
    var notApplicable = ResultTree()
    /// The recorded time of the last change of any result, or 0.
    var lastChanged: Int64 = 0
    /// The group's slot, or 0 for none.
    var group: UInt32 = 0

    /// The tree of `compliance`.
    @inline(__always)
    func tree(_ compliance: ResultCompliance) -> ResultTree {
        switch compliance {
        case .compliant: compliant
        case .nonCompliant: nonCompliant
        case .notApplicable: notApplicable
        }
    }

    /// The value for `key` in the tree of `compliance` (without copying the tree's reference).
    @inline(__always)
    func value(in compliance: ResultCompliance, forKey key: UInt64) -> ResultValue? {
        switch compliance {
        case .compliant: compliant.value(forKey: key)
        case .nonCompliant: nonCompliant.value(forKey: key)
        case .notApplicable: notApplicable.value(forKey: key)
        }
    }

    /// Runs `body` on the tree of `compliance` in place (no copy of its root reference, so the
    /// tree's nodes stay uniquely held).
    @inline(__always)
    @discardableResult
    mutating func withTree<R>(_ compliance: ResultCompliance, _ body: (inout ResultTree) -> R) -> R {
        switch compliance {
        case .compliant: body(&compliant)
        case .nonCompliant: body(&nonCompliant)
        case .notApplicable: body(&notApplicable)
        }
    }

    /// The rule's compliance from its counts.
    var compliance: RuleCompliance {
        RuleCompliance(compliant: compliant.count, nonCompliant: nonCompliant.count)
    }

    /// All results.
    var count: Int { compliant.count + nonCompliant.count + notApplicable.count }
}

/// A group's counters and members, all maintained on every change.
struct GroupCounters: Sendable {
    /// Member rules per `RuleCompliance`, indexed by its raw value.
    var rulesIn: (Int, Int, Int) = (0, 0, 0)
    var compliantPairs = 0
    var nonCompliantPairs = 0
    var scoreChanged: Int64 = 0
    /// Member rule slots, so dropping the group is O(members).
    var members = TreeSet<UInt32>()

    mutating func addRule(_ compliance: RuleCompliance, _ delta: Int) {
        switch compliance {
        case .compliant: rulesIn.0 += delta
        case .nonCompliant: rulesIn.1 += delta
        case .insufficientData: rulesIn.2 += delta
        }
    }

    /// Applies a change of the pair sums, noting `time` when it changes the score.
    mutating func addPairs(compliant: Int, nonCompliant: Int, at time: Int64) {
        let before = (compliantPairs, nonCompliantPairs)
        compliantPairs += compliant
        nonCompliantPairs += nonCompliant
        if Self.scoreDiffers(before, (compliantPairs, nonCompliantPairs)) { scoreChanged = time }
    }

    /// Whether `100 × C / (C + N)` differs between two (C, N) pairs, comparing the ratios by
    /// cross-multiplication; no pairs at all counts as a score of its own.
    static func scoreDiffers(_ a: (Int, Int), _ b: (Int, Int)) -> Bool {
        let totalA = a.0 + a.1
        let totalB = b.0 + b.1
        if (totalA == 0) != (totalB == 0) { return true }
        if totalA == 0 { return false }
        return a.0.multipliedFullWidth(by: totalB) != b.0.multipliedFullWidth(by: totalA)
    }
}
