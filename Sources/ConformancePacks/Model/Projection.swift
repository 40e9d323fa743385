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
        case .packDeleteRequested(let e):
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
        case .packDeleted(let e):
            withPartition(e.partition) { partition in
                guard let pack = partition.packs[e.name] else { return }
                for name in pack.ruleNames where partition.rules[name]?.ownerPack == e.name {
                    partition.rules[name] = nil
                }
                partition.packs[e.name] = nil
            }
        case .configRulePut(let e):
            withPartition(e.partition) { $0.rules[e.rule.name] = e.rule }
        case .configRuleDeleted(let e):
            withPartition(e.partition) { $0.rules[e.name] = nil }
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
        }
    }

    private mutating func applyPackRequested(_ e: PackRequested) {
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
                    lastUpdateRequested: e.time, lastUpdateCompleted: nil,
                    ruleNames: [], pending: e.outcome, dueTime: e.dueTime
                )
            }
        }
        due.insert(.init(time: e.dueTime, partition: e.partition, name: e.name))
    }

    private mutating func applyPackCompleted(_ e: PackTransition) {
        withPartition(e.partition) { partition in
            // Take the pending outcome out of the pack (in place, so its rules are not copied).
            guard let (outcome, current) = partition.packs.modify(e.name, { pack -> (PendingOutcome?, [String]) in
                let outcome = pack.pending
                pack.pending = nil
                return (outcome, pack.ruleNames)
            }) else { return }
            var newNames: [String]?
            switch outcome {
            case .deploy(let rules)?:
                let names = rules.map(\.name)
                if names != current {
                    let keep = Set(names)
                    for name in current where !keep.contains(name) && partition.rules[name]?.ownerPack == e.name {
                        partition.rules[name] = nil
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
                newNames = names
            case .fail, .delete, nil:
                break
            }
            partition.packs.modify(e.name) { pack in
                switch outcome {
                case .deploy?:
                    pack.ruleNames = newNames ?? []
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
    }

    /// Changes one partition in place (so its maps are not copied), dropping it once empty.
    private mutating func withPartition(_ key: PartitionKey, _ body: (inout PartitionState) -> Void) {
        let isEmpty = partitions.updateValue(forKey: key, default: PartitionState()) { partition -> Bool in
            body(&partition)
            return partition.packs.isEmpty && partition.rules.isEmpty
        }
        if isEmpty { partitions[key] = nil }
    }
}
