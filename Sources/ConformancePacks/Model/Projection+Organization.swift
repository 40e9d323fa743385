/// The organization's share of the one `apply` path: organization packs, their member packs
/// (ordinary account packs, applied as such) and the member rows that follow them.
extension EngineState {
    mutating func applyOrgPackRequested(_ e: OrgPackRequested) {
        let key = OrgPackKey(creator: e.creator, name: e.name)
        var record = organizations.packs[e.creator]?[e.name] ?? OrgPackRecord(
            name: e.name, arn: e.arn, suffix: String(e.arn.suffix(OrganizationPackNames.suffixLength)),
            deliveryS3Bucket: nil, deliveryS3KeyPrefix: nil, inputParameters: nil, excludedAccounts: [],
            origin: .body, rules: [], templateBody: nil, operation: .create, lastUpdateTime: e.time, statusTime: e.time,
            rows: SortedMap())
        if let settings = e.settings {
            record.deliveryS3Bucket = settings.deliveryS3Bucket
            record.deliveryS3KeyPrefix = settings.deliveryS3KeyPrefix
            record.inputParameters = settings.inputParameters
            record.excludedAccounts = settings.excludedAccounts
            record.origin = settings.origin
            record.templateBody = settings.templateBody
            record.rules = e.ruleSets.first ?? []
            record.operation = settings.isCreate ? .create : .update
            record.lastUpdateTime = e.time
        }
        record.statusTime = e.time
        let packName = record.memberPackName
        for deployment in e.deployments {
            let member = PartitionKey(accountId: deployment.accountId, region: e.creator.region)
            let existing = self[partition: member].packs[packName]
            let owned = memberPack(of: key, named: packName, in: member)
            let operation = OrganizationPackNames.operation(record.rows[deployment.accountId], memberPack: owned)
            let full = owned == nil && self[partition: member].packs.count >= ConformanceEngine.packLimit
            if existing != nil && owned == nil || full {
                // The account has a pack of its own under that name (left alone), or no room for
                // another pack: the deployment fails without a member pack.
                record.setRow(MemberRow(
                    accountId: deployment.accountId, packName: packName, status: OrgStatus(operation, .failed),
                    errorCode: OrganizationPackNames.deploymentFailedCode,
                    errorMessage: deployment.failure?.message ?? OrganizationPackNames.nameTaken(packName, deployment.accountId),
                    lastUpdateTime: e.time, pendingFailure: nil, isLeaving: false
                ), for: deployment.accountId)
                continue
            }
            let ids = IdentifierMint(source: DerivedIdentifierSource(seed: e.seed, account: deployment.accountId))
            let packId = existing?.id ?? ids.packId()
            let rules = PackDeployment.instantiate(
                e.ruleSets[deployment.ruleSet], pack: packName, packId: packId, partition: member, in: self[partition: member]
            ) { ruleName in
                IdentifierMint(source: DerivedIdentifierSource(seed: e.seed, account: deployment.accountId, salt: ruleName)).ruleId()
            }
            applyPackRequested(PackRequested(
                partition: member, name: packName, isCreate: existing == nil, id: packId,
                arn: existing?.arn ?? ARN.pack(member, name: packName, id: packId),
                stackArn: existing?.stackArn ?? ARN.stack(member, packName: packName, packId: packId, uuid: ids.uuid()),
                time: e.time, dueTime: e.dueTime,
                deliveryS3Bucket: record.deliveryS3Bucket, deliveryS3KeyPrefix: record.deliveryS3KeyPrefix,
                inputParameters: record.inputParameters, origin: record.origin, tags: existing?.tags ?? [],
                outcome: deployment.failure.map { .fail(reason: PackDeployment.truncated($0.message)) } ?? .deploy(rules)))
            organizations.owners[MemberPackKey(partition: member, name: ByteString(packName))] = key
            record.setRow(MemberRow(
                accountId: deployment.accountId, packName: packName, status: OrgStatus(operation, .inProgress),
                errorCode: nil, errorMessage: nil, lastUpdateTime: e.time, pendingFailure: deployment.failure, isLeaving: false
            ), for: deployment.accountId)
            if deployment.failure?.code != nil {
                consumeFault(e.name, account: deployment.accountId, operation == .create ? .create : .update)
            }
        }
        for removal in e.removals {
            requestMemberDeletion(&record, removal, creator: e.creator, isLeaving: true, time: e.time, dueTime: e.dueTime)
        }
        store(record, of: key)
    }

    mutating func applyOrgPackDeleteRequested(_ e: OrgPackDeleteRequested) {
        guard var record = organizations.packs[e.creator]?[e.name] else { return }
        record.operation = .delete
        record.statusTime = e.time
        for removal in e.removals {
            requestMemberDeletion(&record, removal, creator: e.creator, isLeaving: false, time: e.time, dueTime: e.dueTime)
        }
        store(record, of: OrgPackKey(creator: e.creator, name: e.name))
    }

    /// Starts deleting one account's member pack (an account pack's DELETE_IN_PROGRESS).
    private mutating func requestMemberDeletion(
        _ record: inout OrgPackRecord, _ removal: MemberRemoval, creator: PartitionKey, isLeaving: Bool, time: Int64, dueTime: Int64
    ) {
        guard var row = record.rows[removal.accountId] else { return }
        let partition = PartitionKey(accountId: removal.accountId, region: creator.region)
        guard memberPack(of: OrgPackKey(creator: creator, name: record.name), named: row.packName, in: partition) != nil else {
            // Nothing of this pack deployed there (any more): deleting nothing succeeds at once.
            row.status = OrgStatus(.delete, .successful)
            row.errorCode = nil
            row.errorMessage = nil
            row.pendingFailure = nil
            row.lastUpdateTime = time
            record.setRow(isLeaving ? nil : row, for: removal.accountId)
            return
        }
        if removal.failure?.code != nil { consumeFault(record.name, account: removal.accountId, .delete) }
        applyPackDeleteRequested(PackDeleteRequested(partition: partition, name: row.packName, time: time, dueTime: dueTime))
        row.status = OrgStatus(.delete, .inProgress)
        row.errorCode = nil
        row.errorMessage = nil
        row.lastUpdateTime = time
        row.pendingFailure = removal.failure
        row.isLeaving = isLeaving
        record.setRow(row, for: removal.accountId)
    }

    /// A member pack's deployment finished: its row follows the pack's state.
    mutating func memberPackCompleted(_ e: PackTransition) {
        guard let owner = organizations.owner(of: e.name, in: e.partition),
              let pack = self[partition: e.partition].packs[e.name],
              pack.state == .createComplete || pack.state == .createFailed
        else { return }
        updateRow(owner, account: e.partition.accountId, time: e.time) { row in
            let failed = pack.state == .createFailed
            row.status = OrgStatus(row.status.operation, failed ? .failed : .successful)
            row.errorCode = failed ? row.pendingFailure?.code ?? OrganizationPackNames.deploymentFailedCode : nil
            row.errorMessage = failed ? row.pendingFailure?.message ?? pack.statusReason : nil
            row.pendingFailure = nil
        }
    }

    /// Before a member pack is deleted: a deletion decided to fail leaves the pack in
    /// DELETE_FAILED instead (its rules active again). Returns whether it did.
    mutating func failMemberDeletion(_ e: PackTransition) -> Bool {
        guard let owner = organizations.owner(of: e.name, in: e.partition),
              let failure = organizations.packs[owner.creator]?[owner.name]?.rows[e.partition.accountId]?.pendingFailure
        else { return false }
        withPartition(e.partition) { partition in
            let ruleNames = partition.packs.modify(e.name) { pack in
                pack.state = .deleteFailed
                pack.statusReason = PackDeployment.truncated(failure.message)
                pack.pending = nil
                pack.dueTime = nil
                return pack.ruleNames
            }
            for name in ruleNames ?? [] { partition.rules.modify(name) { $0.state = .active } }
        }
        updateRow(owner, account: e.partition.accountId, time: e.time) { row in
            row.status = OrgStatus(.delete, .failed)
            row.errorCode = failure.code ?? OrganizationPackNames.deploymentFailedCode
            row.errorMessage = failure.message
            row.pendingFailure = nil
            row.isLeaving = false
        }
        return true
    }

    /// After a member pack was deleted: its row is DELETE_SUCCESSFUL, or gone when the account
    /// left; an organization pack whose deletion is complete everywhere goes.
    mutating func memberPackDeleted(_ e: PackTransition) {
        let memberKey = MemberPackKey(partition: e.partition, name: ByteString(e.name))
        guard let owner = organizations.owners[memberKey] else { return }
        organizations.owners[memberKey] = nil
        updateRow(owner, account: e.partition.accountId, time: e.time) { row in
            row.status = OrgStatus(.delete, .successful)
            row.errorCode = nil
            row.errorMessage = nil
        }
    }

    /// Changes one row in place (the record's other rows are not copied) and keeps the status
    /// index and status time in step; removes the organization pack once its deletion succeeded
    /// everywhere (spec §5.2: clients accept it gone after DELETE_SUCCESSFUL).
    private mutating func updateRow(_ owner: OrgPackKey, account: String, time: Int64, _ change: (inout MemberRow) -> Void) {
        var creatorIsEmpty = false
        organizations.packs.updateValue(forKey: owner.creator, default: SortedMap()) { packs in
            let deleted = packs.modify(owner.name) { record -> Bool in
                guard var row = record.rows[account] else { return false }
                let before = record.status
                change(&row)
                row.lastUpdateTime = time
                let leaves = row.isLeaving && row.status == OrgStatus(.delete, .successful)
                record.setRow(leaves ? nil : row, for: account)
                if record.status != before { record.statusTime = time }
                return record.isDeleted
            }
            if deleted == true { packs[owner.name] = nil }
            creatorIsEmpty = packs.isEmpty
        }
        if creatorIsEmpty { organizations.packs[owner.creator] = nil }
    }

    /// Stores an organization pack, or removes it once its deletion succeeded everywhere.
    private mutating func store(_ record: OrgPackRecord, of key: OrgPackKey) {
        organizations.packs.updateValue(forKey: key.creator, default: SortedMap()) { packs in
            packs[key.name] = record.isDeleted ? nil : record
        }
        if organizations.packs[key.creator]?.isEmpty == true { organizations.packs[key.creator] = nil }
    }

    /// The member pack `packName` in `member` when the organization pack `key` owns it (an
    /// account may hold a pack of its own under that name).
    func memberPack(of key: OrgPackKey, named packName: String, in member: PartitionKey) -> PackRecord? {
        guard organizations.owner(of: packName, in: member) == key else { return nil }
        return self[partition: member].packs[packName]
    }

    /// One deployment of `pack` in `account` hit its fault: one fewer remains.
    private mutating func consumeFault(_ pack: String, account: String, _ operation: DeploymentFault.Operation) {
        guard let fault = organizations.fault(pack, account: account, operation) else { return }
        if fault.remaining <= 1 {
            organizations.faults[fault.key] = nil
        } else {
            organizations.faults.modify(fault.key) { $0.remaining -= 1 }
        }
    }
}

/// Names and codes of organization packs that both the commands and `apply` use.
enum OrganizationPackNames {
    /// The random part of an organization pack's ARN (spec §2: 8 lowercase characters).
    static let suffixLength = 8

    /// The name of an organization pack's pack in each member account (spec §2).
    static func memberPack(_ name: String, suffix: String) -> String { "OrgConformsPack-\(name)-\(suffix)" }
    /// The `ErrorCode` of a member whose deployment failed on its own (limits, rule names).
    static let deploymentFailedCode = "ConformancePackDeploymentFailed"

    static func nameTaken(_ packName: String, _ account: String) -> String {
        "A conformance pack named '\(packName)' already exists in account \(account) and was not created by this organization conformance pack."
    }

    /// What deploying to an account is: an update when its member pack is there, else a create.
    static func operation(_ row: MemberRow?, memberPack: PackRecord?) -> OrgOperation {
        row != nil && memberPack != nil ? .update : .create
    }
}
