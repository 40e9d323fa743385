/// The organization's part of a snapshot (format 4 on): the recorded organization, the
/// deployment faults, each creator's organization packs with their member rows, then which
/// organization pack owns each member pack. The status index is derived from the rows when read.
extension ByteWriter {
    mutating func organizations(_ state: OrganizationState) {
        if let organization = state.recorded {
            u8(1)
            self.organization(organization)
        } else {
            u8(0)
        }
        count(state.faults.count)
        for fault in state.faults.orderedValues { deploymentFault(fault) }
        count(state.packs.count)
        for creator in state.packs.keys.sorted() {
            let packs = state.packs[creator] ?? SortedMap()
            partition(creator)
            count(packs.count)
            for pack in packs.orderedValues { orgPack(pack) }
        }
        let owners = state.owners.sorted { lhs, rhs in
            lhs.key.partition == rhs.key.partition
                ? lhs.key.name.string.bytePrecedes(rhs.key.name.string) : lhs.key.partition < rhs.key.partition
        }
        count(owners.count)
        for (member, owner) in owners {
            partition(member.partition)
            string(member.name.string)
            partition(owner.creator)
            string(owner.name)
        }
    }

    private mutating func orgPack(_ pack: OrgPackRecord) {
        string(pack.name)
        string(pack.arn)
        string(pack.suffix)
        optionalString(pack.deliveryS3Bucket)
        optionalString(pack.deliveryS3KeyPrefix)
        optionalNameValues(pack.inputParameters)
        strings(pack.excludedAccounts)
        origin(pack.origin)
        count(pack.rules.count)
        for rule in pack.rules { self.rule(rule, layout: .v2) }
        optionalString(pack.templateBody)
        u8(pack.operation.rawValue)
        i64(pack.lastUpdateTime)
        i64(pack.statusTime)
        count(pack.rows.count)
        for row in pack.rows.orderedValues {
            string(row.accountId)
            string(row.packName)
            u8(row.status.code)
            optionalString(row.errorCode)
            optionalString(row.errorMessage)
            i64(row.lastUpdateTime)
            memberFailure(row.pendingFailure)
            bool(row.isLeaving)
        }
    }
}

extension ByteReader {
    mutating func organizations() throws(DecodeError) -> OrganizationState {
        var state = OrganizationState()
        if try bool() { state.recorded = try organization() }
        for _ in 0..<(try count()) {
            let fault = try deploymentFault()
            state.faults[fault.key] = fault
        }
        for _ in 0..<(try count()) {
            let creator = try partition()
            var packs = SortedMap<OrgPackRecord>()
            for _ in 0..<(try count()) {
                let pack = try orgPack()
                packs.insertDecoded(pack.name, pack)
            }
            state.packs[creator] = packs
        }
        for _ in 0..<(try count()) {
            let member = MemberPackKey(partition: try partition(), name: ByteString(try string()))
            state.owners[member] = OrgPackKey(creator: try partition(), name: try string())
        }
        return state
    }

    private mutating func orgPack() throws(DecodeError) -> OrgPackRecord {
        let name = try string()
        let arn = try string()
        let suffix = try string()
        let bucket = try optionalString()
        let prefix = try optionalString()
        let parameters = try optionalNameValues()
        let excluded = try strings()
        let origin = try origin()
        var rules: [RuleRecord] = []
        for _ in 0..<(try count()) { rules.append(try rule(layout: .v2)) }
        let body = try optionalString()
        guard let operation = OrgOperation(rawValue: try u8()) else {
            throw DecodeError(message: "unknown organization pack operation", offset: offset - 1)
        }
        var pack = OrgPackRecord(
            name: name, arn: arn, suffix: suffix, deliveryS3Bucket: bucket, deliveryS3KeyPrefix: prefix,
            inputParameters: parameters, excludedAccounts: excluded, origin: origin, rules: rules, templateBody: body,
            operation: operation, lastUpdateTime: try i64(), statusTime: try i64(), rows: SortedMap())
        for _ in 0..<(try count()) {
            let account = try string()
            let packName = try string()
            guard let status = OrgStatus(code: try u8()) else {
                throw DecodeError(message: "unknown member status", offset: offset - 1)
            }
            let row = MemberRow(
                accountId: account, packName: packName, status: status, errorCode: try optionalString(),
                errorMessage: try optionalString(), lastUpdateTime: try i64(), pendingFailure: try memberFailure(),
                isLeaving: try bool())
            // Rows were written in account order (so each appends to the maps `setRow` keeps).
            if let last = pack.rows.keys.last, !last.bytePrecedes(account) {
                throw DecodeError(message: "member rows out of order at account \(account)", offset: offset)
            }
            pack.setRow(row, for: account)
        }
        return pack
    }
}
