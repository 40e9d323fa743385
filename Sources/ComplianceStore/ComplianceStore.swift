internal import HashTreeCollections

/// AWS Config evaluation results in memory: one version of the state of every rule and group.
///
/// A store is a value. Exactly one copy is ever mutated, the writer's working copy; the others
/// are immutable published versions that reader threads read concurrently with the writer's
/// mutations. Copying is O(1), and a mutation after a copy copies only what it changes (the path
/// of each persistent structure it touches), never the whole state. Strings are interned in a
/// `StringTable` that every version shares; a version sees the first `visibleStrings` of them.
///
/// Rules and groups are named by slots: the interned ids of keys the caller chooses
/// (`ruleSlot(forKey:)`, `groupSlot(forKey:)`). A result's key is
/// `resourceTypeId << 32 | resourceIdId`, so a rule's results are ordered by resource type in
/// first-seen order, then by resource id in first-seen order; pages are keyset pages on it.
///
/// Mutations take the recorded time from the caller and read no clock, so replaying the same
/// calls yields the same state (and the same serialized bytes).
public struct ComplianceStore: Sendable {
    /// The strings shared by every version of this store.
    public let strings: StringTable
    /// The strings this version sees.
    var view: StringTable.View
    var rules: TreeDictionary<UInt32, RuleResults>
    var groups: TreeDictionary<UInt32, GroupCounters>
    /// Resource types beyond the first one a resource id string was used with (the first is its
    /// tag in `strings`), for resource-id lookups without a type.
    var extraResourceTypes: TreeDictionary<UInt32, TreeSet<UInt32>>
    var graveyard: ComplianceGraveyard

    /// An empty store with a new string table.
    public init() {
        self.init(strings: StringTable())
    }

    init(strings: StringTable) {
        self.strings = strings
        view = strings.view()
        rules = [:]
        groups = [:]
        extraResourceTypes = [:]
        graveyard = ComplianceGraveyard()
    }

    /// The number of strings this version sees (ids 1...visibleStrings).
    public var visibleStrings: Int { view.count }

    /// This version's view of the strings, for any thread.
    public var stringView: StringTable.View { view }

    /// Takes in the strings the writer interned: every mutation ends with this.
    @inline(__always)
    mutating func syncStrings() {
        if view.count != strings.count || view.slots !== strings.slots { view = strings.view() }
    }

    // MARK: Rules and groups

    /// The slot of the rule named `key`, creating the rule (with no results) if it does not exist.
    ///
    /// - Precondition: `key` is at most `StringTable.maxStringBytes` bytes of UTF-8.
    /// - Complexity: O(length of key) expected.
    public mutating func ruleSlot(forKey key: String) -> UInt32 {
        let slot = strings.intern(key)
        if rules[slot] == nil { rules[slot] = RuleResults() }
        syncStrings()
        return slot
    }

    /// The slot of the rule named `key`, if this version has it.
    ///
    /// - Complexity: O(length of key) expected.
    public func findRuleSlot(forKey key: String) -> UInt32? {
        guard let slot = view.find(key), rules[slot] != nil else { return nil }
        return slot
    }

    /// The slot of the group named `key`, creating the group (with no rules) if it does not exist.
    ///
    /// - Precondition: `key` is at most `StringTable.maxStringBytes` bytes of UTF-8.
    /// - Complexity: O(length of key) expected.
    public mutating func groupSlot(forKey key: String) -> UInt32 {
        let slot = strings.intern(key)
        if groups[slot] == nil { groups[slot] = GroupCounters() }
        syncStrings()
        return slot
    }

    /// The slot of the group named `key`, if this version has it.
    ///
    /// - Complexity: O(length of key) expected.
    public func findGroupSlot(forKey key: String) -> UInt32? {
        guard let slot = view.find(key), groups[slot] != nil else { return nil }
        return slot
    }

    /// Every rule slot of this version, ascending.
    ///
    /// - Complexity: O(r log r).
    public var ruleSlots: [UInt32] { rules.keys.sorted() }

    /// Every group slot of this version, ascending.
    ///
    /// - Complexity: O(g log g).
    public var groupSlots: [UInt32] { groups.keys.sorted() }

    /// Puts `rule` in `group` (or in none), moving it out of its current group.
    ///
    /// - Parameters:
    ///   - rule: The rule's slot.
    ///   - group: The group's slot, or nil to ungroup the rule.
    ///   - recordedTime: The time (epoch ms) to note as the score change of each group whose
    ///     score this changes.
    /// - Returns: false (and changes nothing) when the rule or the group does not exist.
    /// - Complexity: O(log r + log g).
    @discardableResult
    public mutating func assign(rule: UInt32, to group: UInt32?, recordedTime: Int64) -> Bool {
        guard let results = rules[rule] else { return false }
        let target = group ?? 0
        if target != 0 && groups[target] == nil { return false }
        guard results.group != target else { return true }
        if results.group != 0 { leaveGroup(results.group, rule: rule, results, at: recordedTime) }
        if target != 0 { joinGroup(target, rule: rule, results, at: recordedTime) }
        rules[rule]!.group = target
        return true
    }

    mutating func leaveGroup(_ group: UInt32, rule: UInt32, _ results: RuleResults, at time: Int64) {
        groups[group]?.members.remove(rule)
        groups[group]?.addRule(results.compliance, -1)
        groups[group]?.addPairs(compliant: -results.compliant.count, nonCompliant: -results.nonCompliant.count, at: time)
    }

    mutating func joinGroup(_ group: UInt32, rule: UInt32, _ results: RuleResults, at time: Int64) {
        groups[group]?.members.insert(rule)
        groups[group]?.addRule(results.compliance, 1)
        groups[group]?.addPairs(compliant: results.compliant.count, nonCompliant: results.nonCompliant.count, at: time)
    }

    /// Forgets `group`; its rules become ungrouped (and keep their results).
    ///
    /// - Returns: false when the group does not exist.
    /// - Complexity: O(members × log r).
    @discardableResult
    public mutating func dropGroup(_ group: UInt32) -> Bool {
        guard let state = groups.removeValue(forKey: group) else { return false }
        for rule in state.members { rules[rule]?.group = 0 }
        return true
    }

    /// Deletes every result of `rule` at once (a rule-level tombstone): its trees are replaced by
    /// empty ones and go to the graveyard (see `takeGraveyard()`), and its group's counters lose
    /// the rule's counts.
    ///
    /// - Parameters:
    ///   - rule: The rule's slot.
    ///   - recordedTime: The time (epoch ms) of the change: the rule's `lastChanged` when it had
    ///     results, and its group's score change when the score changes.
    /// - Returns: false when the rule does not exist.
    /// - Complexity: O(log r + log g): nothing is freed on this thread.
    @discardableResult
    public mutating func deleteResults(rule: UInt32, recordedTime: Int64) -> Bool {
        guard let results = rules[rule] else { return false }
        guard results.count > 0 else { return true }
        if results.group != 0 {
            leaveGroup(results.group, rule: rule, results, at: recordedTime)
            joinGroup(results.group, rule: rule, RuleResults(), at: recordedTime)
        }
        bury(results)
        rules[rule] = RuleResults(lastChanged: recordedTime, group: results.group)
        return true
    }

    /// Forgets `rule` and its results at once; its trees go to the graveyard and its group loses
    /// it. A rule created again with the same key starts empty.
    ///
    /// - Parameters:
    ///   - rule: The rule's slot.
    ///   - recordedTime: The time (epoch ms) to note as its group's score change, if it changes.
    /// - Returns: false when the rule does not exist.
    /// - Complexity: O(log r + log g).
    @discardableResult
    public mutating func dropRule(_ rule: UInt32, recordedTime: Int64) -> Bool {
        guard let results = rules.removeValue(forKey: rule) else { return false }
        if results.group != 0 { leaveGroup(results.group, rule: rule, results, at: recordedTime) }
        bury(results)
        return true
    }

    mutating func bury(_ results: RuleResults) {
        graveyard.bury(results.compliant)
        graveyard.bury(results.nonCompliant)
        graveyard.bury(results.notApplicable)
    }

    /// Hands over the trees of deleted and dropped rules, for the caller to release on another
    /// thread; the store keeps none of them.
    ///
    /// - Complexity: O(1).
    public mutating func takeGraveyard() -> ComplianceGraveyard {
        let taken = graveyard
        graveyard = ComplianceGraveyard()
        return taken
    }

    /// Makes this store equal to `version`, an older version of it, and forgets the strings the
    /// writer interned since (the writer's failed, never-published changes are discarded).
    ///
    /// - Precondition: `version` shares this store's string table, and no thread still reads a
    ///   version newer than `version` (those could see the strings that are forgotten).
    /// - Complexity: O(strings forgotten).
    public mutating func rollBack(to version: ComplianceStore) {
        precondition(version.strings === strings, "rollBack(to:) needs a version of the same store")
        precondition(version.visibleStrings <= strings.count)
        strings.truncate(to: version.visibleStrings)
        self = version
    }
}
