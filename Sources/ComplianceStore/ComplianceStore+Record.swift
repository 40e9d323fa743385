internal import HashTreeCollections

extension ComplianceStore {
    /// Records evaluation results, as AWS Config does: the latest ordering timestamp wins.
    ///
    /// For each input: with no current result for its key, the result is inserted; a later or
    /// equal ordering timestamp replaces the current one (an equal one too: the later arrival
    /// wins), moving it between the rule's compliance trees when its compliance changed; an
    /// earlier one is ignored. Inputs naming a rule that does not exist are ignored, and so are
    /// inputs with a string longer than `StringTable.maxStringBytes`.
    ///
    /// - Parameters:
    ///   - inputs: The evaluations; consecutive inputs of one rule are handled as one run.
    ///   - recordedTime: When the store records them (epoch ms): stored per result, and noted as
    ///     the rule's `lastChanged` and its group's score change when they change.
    /// - Returns: How many inputs were stored and ignored.
    /// - Complexity: O(log n) per input (plus the length of its strings).
    public mutating func record(_ inputs: some Sequence<EvaluationInput>, recordedTime: Int64) -> RecordOutcome {
        // One dynamic call per batch, then concrete code per input (no generic witness calls).
        if let outcome = inputs.withContiguousStorageIfAvailable({ record(contiguous: $0, recordedTime: recordedTime) }) {
            return outcome
        }
        return Array(inputs).withUnsafeBufferPointer { record(contiguous: $0, recordedTime: recordedTime) }
    }

    mutating func record(contiguous inputs: UnsafeBufferPointer<EvaluationInput>, recordedTime: Int64) -> RecordOutcome {
        var outcome = RecordOutcome()
        var run: RecordRun? = nil
        for input in inputs {
            if run?.rule != input.rule {
                if let finished = run.take() { finish(finished, at: recordedTime) }
                guard let results = rules.removeValue(forKey: input.rule) else {
                    outcome.ignored += 1
                    continue
                }
                run = RecordRun(rule: input.rule, results: results, groupPairs: groupPairs(results.group))
            }
            if record(input, into: &run!, at: recordedTime) {
                outcome.stored += 1
            } else {
                outcome.ignored += 1
            }
        }
        if let finished = run.take() { finish(finished, at: recordedTime) }
        syncStrings()
        return outcome
    }

    /// One rule's consecutive inputs: its results, taken out of `rules` so that they are
    /// mutated in place, and what its group must learn when the run ends.
    struct RecordRun {
        let rule: UInt32
        var results: RuleResults
        let initialCompliance: RuleCompliance
        /// The group's (compliant, non-compliant) pairs as the run goes.
        var groupPairs: (Int, Int)
        var scoreChanged = false

        init(rule: UInt32, results: RuleResults, groupPairs: (Int, Int)) {
            self.rule = rule
            self.results = results
            self.initialCompliance = results.compliance
            self.groupPairs = groupPairs
        }

        /// Notes a change of the rule's counts for its group.
        @inline(__always)
        mutating func countsChanged(compliant: Int, nonCompliant: Int) {
            guard results.group != 0 else { return }
            let before = groupPairs
            groupPairs.0 += compliant
            groupPairs.1 += nonCompliant
            if GroupCounters.scoreDiffers(before, groupPairs) { scoreChanged = true }
        }
    }

    func groupPairs(_ group: UInt32) -> (Int, Int) {
        guard group != 0, let state = groups[group] else { return (0, 0) }
        return (state.compliantPairs, state.nonCompliantPairs)
    }

    /// Puts a run's results back and brings its group's counters up to date.
    mutating func finish(_ run: RecordRun, at time: Int64) {
        let group = run.results.group
        if group != 0 {
            let final = run.results.compliance
            let pairs = run.groupPairs
            let changed = run.scoreChanged
            let initial = run.initialCompliance
            groups.updateValue(forKey: group) { state in
                guard state != nil else { return }
                if initial != final {
                    state!.addRule(initial, -1)
                    state!.addRule(final, 1)
                }
                state!.compliantPairs = pairs.0
                state!.nonCompliantPairs = pairs.1
                if changed { state!.scoreChanged = time }
            }
        }
        rules[run.rule] = run.results
    }

    /// Records one input of a run; false when it is ignored.
    mutating func record(_ input: EvaluationInput, into run: inout RecordRun, at time: Int64) -> Bool {
        let limit = StringTable.maxStringBytes
        guard input.resourceType.utf8.count <= limit, input.resourceId.utf8.count <= limit,
            (input.annotation?.utf8.count ?? 0) <= limit
        else { return false }
        let type = strings.intern(input.resourceType)
        let id = strings.intern(input.resourceId)
        let key = UInt64(type) << 32 | UInt64(id)
        let target = input.compliance
        var value = ResultValue(orderingTimestamp: input.orderingTimestamp, recordedTime: time, annotation: 0)

        if let current = run.results.value(in: target, forKey: key) {
            guard input.orderingTimestamp >= current.orderingTimestamp else { return false }
            value.annotation = input.annotation.map { strings.intern($0) } ?? 0
            run.results.withTree(target) { $0.updateValue(value, forKey: key) }
            run.results.lastChanged = time
            return true
        }
        for other in ResultCompliance.allCases where other != target {
            guard let current = run.results.value(in: other, forKey: key) else { continue }
            guard input.orderingTimestamp >= current.orderingTimestamp else { return false }
            value.annotation = input.annotation.map { strings.intern($0) } ?? 0
            run.results.withTree(other) { $0.removeValue(forKey: key) }
            run.results.withTree(target) { $0.updateValue(value, forKey: key) }
            run.results.lastChanged = time
            run.countsChanged(
                compliant: (target == .compliant ? 1 : 0) - (other == .compliant ? 1 : 0),
                nonCompliant: (target == .nonCompliant ? 1 : 0) - (other == .nonCompliant ? 1 : 0))
            return true
        }
        value.annotation = input.annotation.map { strings.intern($0) } ?? 0
        run.results.withTree(target) { $0.updateValue(value, forKey: key) }
        run.results.lastChanged = time
        run.countsChanged(compliant: target == .compliant ? 1 : 0, nonCompliant: target == .nonCompliant ? 1 : 0)
        noteResourceType(type, of: id)
        return true
    }

    /// Remembers that resource id string `id` was used with resource type `type`, so that a
    /// resource-id lookup without a type finds it by point lookups.
    @inline(__always)
    mutating func noteResourceType(_ type: UInt32, of id: UInt32) {
        let tag = strings.tag(id)
        if tag == 0 {
            strings.setTag(type, for: id)
        } else if tag != type && extraResourceTypes[id]?.contains(type) != true {
            extraResourceTypes[id, default: []].insert(type)
        }
    }

    /// The resource types that resource id string `id` may have been used with, as this version
    /// sees them (a superset: a type whose results are gone may stay listed).
    func resourceTypes(of id: UInt32) -> [UInt32] {
        var types: [UInt32] = []
        let tag = strings.tag(id)
        if view.contains(tag) { types.append(tag) }
        if let extra = extraResourceTypes[id] {
            for type in extra where type != tag && view.contains(type) { types.append(type) }
        }
        return types
    }
}
