import ComplianceStore
import HashTreeCollections

/// The one `apply` path: live commands and replay both come through here.
///
/// `apply` is total: an event that names something absent changes nothing, so a replay never
/// traps. Events are decided against the state they are applied to, so that case means a bug or
/// a foreign log, and the digest comparison in the tests would show it.
extension EngineState {
    mutating func apply(_ event: DomainEvent, sequence: UInt64) {
        lastSequence = sequence
        switch event {
        case .packRequested(let e):
            applyPackRequested(e)
        case .packCompleted(let e):
            applyPackCompleted(e)
            memberPackCompleted(e)
        case .packDeleteRequested(let e):
            applyPackDeleteRequested(e)
        case .packDeleted(let e):
            if failMemberDeletion(e) { break }
            var removed: [String] = []
            withPartition(e.partition) { partition in
                guard let pack = partition.packs[e.name] else { return }
                for name in pack.ruleNames where partition.rules[name]?.ownerPack == e.name {
                    partition.rules[name] = nil
                    removed.append(name)
                }
                partition.packs[e.name] = nil
            }
            // Deleting a rule deletes its results (spec §6.1); the pack's counters go with it.
            for name in removed { dropResults(of: e.partition, name, time: e.time) }
            if let group = compliance.findGroupSlot(forKey: ComplianceKeys.pack(e.partition, e.name)) {
                compliance.dropGroup(group)
            }
            memberPackDeleted(e)
        case .configRulePut(let e):
            withPartition(e.partition) { $0.rules[e.rule.name] = e.rule }
            _ = compliance.ruleSlot(forKey: ComplianceKeys.rule(e.partition, e.rule.name))
        case .configRuleDeleted(let e):
            withPartition(e.partition) { $0.rules[e.name] = nil }
            dropResults(of: e.partition, e.name, time: 0)
        case .s3TemplateStored(let e):
            s3Templates[ByteString(e.uri)] = e.body
        case .ssmDocumentStored(let e):
            ssmDocuments.updateValue(forKey: ByteString(e.name), default: SSMDocument(versions: [])) { document in
                if e.version >= 1 && e.version <= document.versions.count {
                    document.versions[e.version - 1] = e.body
                } else if e.version == document.versions.count + 1 {
                    document.versions.append(e.body)
                }
            }
        case .evaluationsRecorded(let e):
            applyEvaluations(e)
        case .evaluationResultsDeleted(let e):
            if let slot = compliance.findRuleSlot(forKey: ComplianceKeys.rule(e.partition, e.name)) {
                compliance.deleteResults(rule: slot, recordedTime: e.time)
            }
        case .organizationChanged(let e):
            organizations.recorded = e.organization
        case .orgPackRequested(let e):
            applyOrgPackRequested(e)
        case .orgPackDeleteRequested(let e):
            applyOrgPackDeleteRequested(e)
        case .deploymentFaultPut(let e):
            organizations.faults[e.fault.key] = e.fault
        case .deploymentFaultDeleted(let e):
            organizations.faults[DeploymentFault.key(e.organizationConformancePackName, e.accountId, e.operation)] = nil
        }
    }

    mutating func applyPackDeleteRequested(_ e: PackDeleteRequested) {
        withPartition(e.partition) { partition in
            let ruleNames = partition.packs.modify(e.name) { pack in
                pack.state = .deleteInProgress
                pack.statusReason = nil
                pack.pending = .delete
                pack.dueTime = e.dueTime
                return pack.ruleNames
            }
            for name in ruleNames ?? [] {
                partition.rules.modify(name) { $0.state = .deleting }
            }
        }
        due.insert(.init(time: e.dueTime, partition: e.partition, name: e.name))
    }

    mutating func applyPackRequested(_ e: PackRequested) {
        withPartition(e.partition) { partition in
            let updated: Void? = e.isCreate ? nil : partition.packs.modify(e.name) { pack in
                pack.deliveryS3Bucket = e.deliveryS3Bucket
                pack.deliveryS3KeyPrefix = e.deliveryS3KeyPrefix
                pack.inputParameters = e.inputParameters
                pack.origin = e.origin
                pack.state = .createInProgress
                pack.statusReason = nil
                pack.lastUpdateRequested = e.time
                pack.pending = e.outcome
                pack.dueTime = e.dueTime
            }
            if updated == nil {
                partition.packs[e.name] = PackRecord(
                    name: e.name, id: e.id, arn: e.arn, stackArn: e.stackArn,
                    deliveryS3Bucket: e.deliveryS3Bucket, deliveryS3KeyPrefix: e.deliveryS3KeyPrefix,
                    inputParameters: e.inputParameters, origin: e.origin, tags: e.tags,
                    state: .createInProgress, statusReason: nil,
                    created: e.time, lastUpdateRequested: e.time, lastUpdateCompleted: nil,
                    ruleNames: [], pending: e.outcome, dueTime: e.dueTime
                )
            }
        }
        due.insert(.init(time: e.dueTime, partition: e.partition, name: e.name))
    }

    private mutating func applyPackCompleted(_ e: PackTransition) {
        var dropped: [String] = []
        var deployed: [String]?
        withPartition(e.partition) { partition in
            // Take the pending outcome out of the pack (in place, so its rules are not copied).
            guard let (outcome, current) = partition.packs.modify(e.name, { pack -> (PendingOutcome?, [String]) in
                let outcome = pack.pending
                pack.pending = nil
                return (outcome, pack.ruleNames)
            }) else { return }
            switch outcome {
            case .deploy(let rules)?:
                let names = rules.map(\.name)
                // The common update keeps the same rules: nothing to drop, no set to build.
                if !names.elementsEqual(current, by: { $0.byteEquals($1) }) {
                    let keep = Set(names.map(ByteString.init))
                    for name in current where !keep.contains(ByteString(name)) && partition.rules[name]?.ownerPack == e.name {
                        partition.rules[name] = nil
                        dropped.append(name)
                    }
                }
                for rule in rules {
                    // Re-deploying an unchanged rule (the common update) touches nothing.
                    let changed = partition.rules.modify(rule.name) { existing -> Bool in
                        if existing != rule { existing = rule }
                        return true
                    }
                    if changed == nil { partition.rules[rule.name] = rule }
                }
                deployed = names
            case .fail, .delete, nil:
                break
            }
            partition.packs.modify(e.name) { pack in
                switch outcome {
                case .deploy?:
                    pack.ruleNames = deployed ?? []
                    pack.state = .createComplete
                    pack.statusReason = nil
                case .fail(let reason)?:
                    pack.state = .createFailed
                    pack.statusReason = reason
                case .delete?, nil:
                    pack.pending = outcome  // not a deployment: leave the pack as it was
                    return
                }
                pack.lastUpdateCompleted = e.time
                pack.dueTime = nil
            }
        }
        // Rules the update removed lose their results; kept rules keep theirs (spec §6.1).
        for name in dropped { dropResults(of: e.partition, name, time: e.time) }
        if let deployed {
            let group = compliance.groupSlot(forKey: ComplianceKeys.pack(e.partition, e.name))
            for name in deployed {
                let rule = compliance.ruleSlot(forKey: ComplianceKeys.rule(e.partition, name))
                compliance.assign(rule: rule, to: group, recordedTime: e.time)
            }
        }
    }

    /// Forgets a rule's results (a rule-level tombstone: O(1) now, memory released later).
    private mutating func dropResults(of partition: PartitionKey, _ name: String, time: Int64) {
        if let slot = compliance.findRuleSlot(forKey: ComplianceKeys.rule(partition, name)) {
            compliance.dropRule(slot, recordedTime: time)
        }
    }

    /// Records a batch of results. Each row's rule is resolved once per batch; a rule that is
    /// gone (it cannot be: the batch was decided against this state) has its rows skipped.
    private mutating func applyEvaluations(_ e: EvaluationsRecorded) {
        let slots: [UInt32?] = e.rules.map { rule in
            self[partition: rule.partition].rules[rule.name] == nil
                ? nil : compliance.ruleSlot(forKey: ComplianceKeys.rule(rule.partition, rule.name))
        }
        func input(_ row: EvaluationsRecorded.EvaluationRow) -> EvaluationInput? {
            guard Int(row.rule) < slots.count, let rule = slots[Int(row.rule)] else { return nil }
            return EvaluationInput(
                rule: rule, resourceType: e.strings[Int(row.resourceType)], resourceId: e.strings[Int(row.resourceId)],
                compliance: row.compliance, orderingTimestamp: row.orderingTimestamp,
                annotation: row.annotation == 0 ? nil : e.strings[Int(row.annotation) - 1])
        }
        // The store takes each rule's results out once per run of that rule's rows, so the rows go
        // in rule order. A PutEvaluations event is one rule's rows, already in order; other
        // batches get a stable counting sort (one rule's rows keep their order).
        let inOrder = zip(e.rows, e.rows.dropFirst()).allSatisfy { $0.rule <= $1.rule }
        let inputs: [EvaluationInput]
        if inOrder {
            inputs = e.rows.compactMap { input($0) }
        } else {
            var starts = [Int](repeating: 0, count: e.rules.count + 1)
            for row in e.rows where Int(row.rule) < e.rules.count { starts[Int(row.rule) + 1] += 1 }
            for index in 0..<e.rules.count { starts[index + 1] += starts[index] }
            var order = [Int](repeating: 0, count: starts[e.rules.count])
            for (index, row) in e.rows.enumerated() where Int(row.rule) < e.rules.count {
                order[starts[Int(row.rule)]] = index
                starts[Int(row.rule)] += 1
            }
            inputs = order.compactMap { input(e.rows[$0]) }
        }
        _ = compliance.record(inputs, recordedTime: e.time)
    }

    /// Changes one partition in place (so its maps are not copied), dropping it once empty.
    mutating func withPartition(_ key: PartitionKey, _ body: (inout PartitionState) -> Void) {
        let isEmpty = partitions.updateValue(forKey: key, default: PartitionState()) { partition -> Bool in
            body(&partition)
            return partition.packs.isEmpty && partition.rules.isEmpty
        }
        if isEmpty { partitions[key] = nil }
    }
}
