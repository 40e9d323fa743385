import Foundation
import Testing
@testable import ConformancePacks

/// The management account of the test organizations, two members (one a delegated
/// administrator) and an account outside.
let management = RequestContext(accountId: "100000000000", region: "us-east-1")
let administrator = RequestContext(accountId: "200000000000", region: "us-east-1")
let member = RequestContext(accountId: "300000000000", region: "us-east-1")
let outsider = RequestContext(accountId: "900000000000", region: "us-east-1")

func testOrganization(extraMembers: [String] = []) throws -> Organization {
    try Organization(
        managementAccountId: management.accountId,
        memberAccountIds: [administrator.accountId, member.accountId] + extraMembers,
        delegatedAdministratorAccountIds: [administrator.accountId])
}

func putOrg(_ name: String, body: String, excluded: [String]? = nil) -> PutOrganizationConformancePackRequest {
    PutOrganizationConformancePackRequest(organizationConformancePackName: name, templateBody: body, excludedAccounts: excluded)
}

extension ConformanceEngine {
    func rows(_ name: String, _ context: RequestContext = management, filters: OrganizationResourceDetailedStatusFilters? = nil)
        async throws(ConformanceError) -> [OrganizationConformancePackDetailedStatus]
    {
        try await getOrganizationConformancePackDetailedStatus(
            .init(organizationConformancePackName: name, filters: filters), context: context
        ).organizationConformancePackDetailedStatuses ?? []
    }

    func orgStatus(_ name: String, _ context: RequestContext = management) async throws(ConformanceError) -> OrganizationConformancePackStatus? {
        try await describeOrganizationConformancePackStatuses(.init(organizationConformancePackNames: [name]), context: context)
            .organizationConformancePackStatuses?.first
    }
}

@Suite("Organization conformance packs")
struct OrganizationTests {
    @Test("Only the management account and delegated administrators may call; each sees only its own packs")
    func access() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            let body = template(rules: ["r1"])
            #expect(await conformanceError { () async throws(ConformanceError) in _ = try await engine.putOrganizationConformancePack(putOrg("P", body: body), context: outsider) }?.message
                == "This action can only be made by accounts in an AWS Organization")
            #expect(await conformanceError { () async throws(ConformanceError) in _ = try await engine.putOrganizationConformancePack(putOrg("P", body: body), context: member) }?.code
                == .organizationAccessDenied)
            #expect(await conformanceError { () async throws(ConformanceError) in _ = try await engine.describeOrganizationConformancePacks(.init(), context: member) }?.code
                == .organizationAccessDenied)
            _ = try await engine.putOrganizationConformancePack(putOrg("Mine", body: body), context: management)
            _ = try await engine.putOrganizationConformancePack(putOrg("Theirs", body: body), context: administrator)
            let seenByManagement = try await engine.describeOrganizationConformancePacks(.init(), context: management)
            #expect(seenByManagement.organizationConformancePacks?.map(\.organizationConformancePackName) == ["Mine"])
            #expect(await conformanceError { () async throws(ConformanceError) in
                _ = try await engine.describeOrganizationConformancePacks(.init(organizationConformancePackNames: ["Theirs"]), context: management)
            }?.code == .noSuchOrganizationConformancePack)
            #expect(await conformanceError { () async throws(ConformanceError) in
                try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "Theirs"), context: management)
            }?.code == .noSuchOrganizationConformancePack)
        }
    }

    @Test("A Put deploys a member pack with its rules to every account but the excluded; an update keeps the ARN")
    func deployment() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            let arn = try await engine.putOrganizationConformancePack(
                putOrg("Org", body: template(rules: ["a", "b"]), excluded: [administrator.accountId]), context: management
            ).organizationConformancePackArn
            #expect(arn?.hasPrefix("arn:aws:config:us-east-1:100000000000:organization-conformance-pack/Org-") == true)
            let suffix = String(arn!.suffix(8))
            let rows = try await engine.rows("Org")
            #expect(rows.map(\.accountId) == [management.accountId, member.accountId])
            #expect(rows.allSatisfy { $0.status == .createSuccessful && $0.conformancePackName == "OrgConformsPack-Org-\(suffix)" })
            #expect(try await engine.orgStatus("Org")?.status == .createSuccessful)

            // The member sees an ordinary pack with its rules, and cannot change it.
            let packs = try await engine.describeConformancePacks(.init(), context: member).conformancePackDetails ?? []
            #expect(packs.map(\.conformancePackName) == ["OrgConformsPack-Org-\(suffix)"])
            let rules = try await engine.describeConfigRules(.init(), context: member).configRules ?? []
            #expect(rules.count == 2 && rules.allSatisfy { $0.configRuleName?.hasSuffix(packs[0].conformancePackId) == true })
            #expect(try await engine.describeConformancePacks(.init(), context: administrator).conformancePackDetails?.isEmpty == true)
            #expect(await conformanceError { () async throws(ConformanceError) in
                try await engine.deleteConformancePack(.init(conformancePackName: packs[0].conformancePackName), context: member)
            }?.code == .accessDenied)
            #expect(await conformanceError { () async throws(ConformanceError) in
                _ = try await engine.putConformancePack(put(packs[0].conformancePackName, body: template(rules: ["x"])), context: member)
            }?.code == .accessDenied)

            // An update: same ARN, UPDATE_* rows, rule ids kept; un-excluding creates.
            let again = try await engine.putOrganizationConformancePack(putOrg("Org", body: template(rules: ["a", "b", "c"])), context: management)
            #expect(again.organizationConformancePackArn == arn)
            let updated = try await engine.rows("Org")
            #expect(updated.map(\.status) == [.updateSuccessful, .createSuccessful, .updateSuccessful])
            let after = try await engine.describeConfigRules(.init(), context: member).configRules ?? []
            #expect(after.count == 3)
            #expect(Set(rules.map(\.configRuleId)).isSubset(of: Set(after.map(\.configRuleId))))
            #expect(try await engine.orgStatus("Org")?.status == .updateSuccessful)
        }
    }

    @Test("With a deployment delay the in-progress states show, refuse changes, and complete on time")
    func delay() async throws {
        let clock = ManualClock()
        try await withEngine(clock: clock, delay: .seconds(10)) { engine in
            try await engine.putOrganization(testOrganization())
            _ = try await engine.putOrganizationConformancePack(putOrg("Slow", body: template(rules: ["a"])), context: management)
            #expect(try await engine.orgStatus("Slow")?.status == .createInProgress)
            #expect(try await engine.rows("Slow").allSatisfy { $0.status == .createInProgress })
            #expect(await conformanceError { () async throws(ConformanceError) in
                try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "Slow"), context: management)
            }?.code == .resourceInUse)
            clock.advance(10)
            #expect(try await engine.orgStatus("Slow")?.status == .createSuccessful)
            try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "Slow"), context: management)
            #expect(try await engine.orgStatus("Slow")?.status == .deleteInProgress)
            #expect(try await engine.rows("Slow").allSatisfy { $0.status == .deleteInProgress })
            clock.advance(10)
            #expect(await conformanceError { () async throws(ConformanceError) in _ = try await engine.orgStatus("Slow") }?.code == .noSuchOrganizationConformancePack)
            #expect(try await engine.describeConformancePacks(.init(), context: member).conformancePackDetails?.isEmpty == true)
        }
    }

    @Test("Deployment faults fail the next N deployments in an account with their code and message, then clear")
    func faults() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            try await engine.putDeploymentFault(DeploymentFault(
                organizationConformancePackName: "F", accountId: member.accountId, operation: .create,
                errorCode: "NoRecorder", errorMessage: "No configuration recorder"))
            _ = try await engine.putOrganizationConformancePack(putOrg("F", body: template(rules: ["a"])), context: management)
            let failed = try await engine.rows("F", filters: .init(status: .createFailed))
            #expect(failed.map(\.accountId) == [member.accountId])
            #expect(failed.first?.errorCode == "NoRecorder" && failed.first?.errorMessage == "No configuration recorder")
            let status = try #require(try await engine.orgStatus("F"))
            #expect(status.status == .createFailed && status.errorCode == "NoRecorder")
            #expect(status.errorMessage?.contains(member.accountId) == true)
            // The member pack is there, CREATE_FAILED, without rules.
            let memberStatus = try await engine.describeConformancePackStatus(.init(), context: member).conformancePackStatusDetails
            #expect(memberStatus?.first?.conformancePackState == .createFailed)

            // The fault was used up: the next Put succeeds there (as an update of the member pack).
            _ = try await engine.putOrganizationConformancePack(putOrg("F", body: template(rules: ["a"])), context: management)
            #expect(try await engine.orgStatus("F")?.status == .updateSuccessful)

            // A delete fault keeps the pack in DELETE_FAILED until it is cleared.
            try await engine.putDeploymentFault(DeploymentFault(
                organizationConformancePackName: "F", accountId: administrator.accountId, operation: .delete, remaining: 5,
                errorCode: "Denied", errorMessage: "SCP denies config:DeleteConformancePack"))
            try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "F"), context: management)
            #expect(try await engine.orgStatus("F")?.status == .deleteFailed)
            #expect(try await engine.rows("F", filters: .init(status: .deleteSuccessful)).count == 2)
            #expect(try await engine.describeConformancePacks(.init(), context: member).conformancePackDetails?.isEmpty == true)
            #expect(try await engine.describeConformancePackStatus(.init(), context: administrator).conformancePackStatusDetails?.first?.conformancePackState == .deleteFailed)
            #expect(try await engine.deleteDeploymentFault(organizationConformancePackName: "F", accountId: administrator.accountId, operation: .delete))
            try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "F"), context: management)
            #expect(await conformanceError { () async throws(ConformanceError) in _ = try await engine.orgStatus("F") }?.code == .noSuchOrganizationConformancePack)
            #expect(try await engine.describeConformancePacks(.init(), context: administrator).conformancePackDetails?.isEmpty == true)
        }
    }

    @Test("Accounts that join get every organization pack; accounts that leave or are excluded lose theirs")
    func membership() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            _ = try await engine.putOrganizationConformancePack(putOrg("M", body: template(rules: ["a"])), context: management)
            let joiner = "400000000000"
            try await engine.putOrganization(testOrganization(extraMembers: [joiner]))
            #expect(try await engine.rows("M").map(\.accountId) == [management.accountId, administrator.accountId, member.accountId, joiner])
            let joined = RequestContext(accountId: joiner, region: "us-east-1")
            #expect(try await engine.describeConformancePacks(.init(), context: joined).conformancePackDetails?.count == 1)

            // The member leaves: its row and its pack go.
            try await engine.putOrganization(try Organization(
                managementAccountId: management.accountId, memberAccountIds: [administrator.accountId, joiner],
                delegatedAdministratorAccountIds: [administrator.accountId]))
            #expect(try await engine.rows("M").map(\.accountId) == [management.accountId, administrator.accountId, joiner])
            #expect(try await engine.describeConformancePacks(.init(), context: member).conformancePackDetails?.isEmpty == true)

            // Excluding an account on update removes its member pack.
            _ = try await engine.putOrganizationConformancePack(putOrg("M", body: template(rules: ["a"]), excluded: [joiner]), context: management)
            #expect(try await engine.rows("M").map(\.accountId) == [management.accountId, administrator.accountId])
            #expect(try await engine.describeConformancePacks(.init(), context: joined).conformancePackDetails?.isEmpty == true)
        }
    }

    @Test("A rejoining account is redeployed; a pack of its own under the member pack's name is left alone")
    func rejoinAndForeignPack() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            let arn = try await engine.putOrganizationConformancePack(putOrg("R", body: template(rules: ["a"])), context: management)
                .organizationConformancePackArn ?? ""
            let memberPackName = "OrgConformsPack-R-\(arn.suffix(8))"
            let without = try Organization(
                managementAccountId: management.accountId, memberAccountIds: [administrator.accountId],
                delegatedAdministratorAccountIds: [administrator.accountId])

            // A leave whose deletion fails, then a rejoin: deployed again (an update of the pack still there).
            try await engine.putDeploymentFault(DeploymentFault(
                organizationConformancePackName: "R", accountId: member.accountId, operation: .delete, errorCode: "E", errorMessage: "m"))
            try await engine.putOrganization(without)
            #expect(try await engine.rows("R", filters: .init(accountId: member.accountId)).map(\.status) == [.deleteFailed])
            try await engine.putOrganization(testOrganization())
            #expect(try await engine.rows("R", filters: .init(accountId: member.accountId)).map(\.status) == [.updateSuccessful])
            #expect(try await engine.orgStatus("R")?.status == .createSuccessful)

            // The member leaves for good, then makes a pack of its own under that name and rejoins.
            try await engine.putOrganization(without)
            _ = try await engine.putConformancePack(put(memberPackName, body: template(rules: ["own"])), context: member)
            try await engine.putOrganization(testOrganization())
            let row = try #require(try await engine.rows("R", filters: .init(accountId: member.accountId)).first)
            #expect(row.status == .createFailed && row.errorMessage?.contains("already exists") == true)
            let own = try await engine.describeConfigRules(.init(), context: member).configRules ?? []
            #expect(own.map { $0.configRuleName?.hasPrefix("own-") } == [true])
            try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "R"), context: management)
            #expect(try await engine.describeConformancePacks(.init(), context: member).conformancePackDetails?.count == 1)
            try await engine.deleteConformancePack(.init(conformancePackName: memberPackName), context: member)
            #expect(invariantViolations(engine.core.withLock { $0.state }) == [])
        }
    }

    @Test("Packs that reach a joining account together respect its limits")
    func limitsAcrossPacks() async throws {
        try await withEngine { engine in
            try await engine.putOrganization(testOrganization())
            for index in 0..<49 {
                _ = try await engine.putConformancePack(put("Own\(index)", body: template(rules: ["r"])), context: outsider)
            }
            _ = try await engine.putOrganizationConformancePack(putOrg("First", body: template(rules: ["a"])), context: management)
            _ = try await engine.putOrganizationConformancePack(putOrg("Second", body: template(rules: ["b"])), context: management)
            try await engine.putOrganization(testOrganization(extraMembers: [outsider.accountId]))
            let first = try await engine.rows("First", filters: .init(accountId: outsider.accountId))
            let second = try await engine.rows("Second", filters: .init(accountId: outsider.accountId))
            #expect(first.map(\.status) == [.createSuccessful])
            #expect(second.map(\.status) == [.createFailed])
            #expect(second.first?.errorMessage?.contains("maximum number of conformance packs") == true)
            let partition = PartitionKey(accountId: outsider.accountId, region: outsider.region)
            #expect(engine.core.withLock { $0.state[partition: partition].packs.count } == 50)
            #expect(invariantViolations(engine.core.withLock { $0.state }) == [])
        }
    }

    @Test("Detailed statuses page by account with any filter, and tokens are bound to their filters")
    func detailedPaging() async throws {
        try await withEngine { engine in
            let members = (1...30).map { String(format: "5000000000%02d", $0) }
            try await engine.putOrganization(try Organization(managementAccountId: management.accountId, memberAccountIds: members))
            for account in members.prefix(9) {
                try await engine.putDeploymentFault(DeploymentFault(
                    organizationConformancePackName: "Big", accountId: account, errorCode: "E", errorMessage: "m"))
            }
            _ = try await engine.putOrganizationConformancePack(putOrg("Big", body: template(rules: ["a"])), context: management)
            for (status, expected) in [(OrganizationResourceDetailedStatus?.none, 31), (.createFailed, 9), (.createSuccessful, 22)] {
                var seen: [String] = []
                var token: String?
                repeat {
                    let page = try await engine.getOrganizationConformancePackDetailedStatus(
                        .init(organizationConformancePackName: "Big", filters: .init(status: status), limit: 7, nextToken: token),
                        context: management)
                    let rows = page.organizationConformancePackDetailedStatuses ?? []
                    #expect(rows.count <= 7)
                    #expect(rows.allSatisfy { status == nil || $0.status == status })
                    seen += rows.map(\.accountId)
                    token = page.nextToken
                } while token != nil
                #expect(seen.count == expected && seen == seen.sorted() && Set(seen).count == seen.count)
            }
            let one = try await engine.rows("Big", filters: .init(accountId: members[0], status: .createFailed))
            #expect(one.map(\.accountId) == [members[0]])
            #expect(try await engine.rows("Big", filters: .init(accountId: members[0], status: .createSuccessful)).isEmpty)
            let first = try await engine.getOrganizationConformancePackDetailedStatus(
                .init(organizationConformancePackName: "Big", limit: 5), context: management)
            #expect(await conformanceError { () async throws(ConformanceError) in
                _ = try await engine.getOrganizationConformancePackDetailedStatus(
                    .init(organizationConformancePackName: "Big", filters: .init(status: .createFailed), nextToken: first.nextToken),
                    context: management)
            }?.code == .invalidNextToken)
        }
    }

    @Test("A Put to 1,000 members of a 130-rule template is one compact event, and replays to the same state")
    func compactAtScale() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        let members = (1...1000).map { String(600_000_000_000 + $0) }
        try await engine.putOrganization(try Organization(managementAccountId: management.accountId, memberAccountIds: members))
        let before = engine.core.withLock { $0.appliedBytes }
        _ = try await engine.putOrganizationConformancePack(putOrg("Wide", body: template(ruleCount: 130)), context: management)
        let written = engine.core.withLock { $0.appliedBytes } - before
        print("OrganizationTests: a 130-rule Put to 1,001 accounts applied \(written) bytes of events")
        #expect(written <= 1 << 20, "a 1,000-member deployment wrote \(written) bytes of events")
        #expect(try await engine.orgStatus("Wide")?.status == .createSuccessful)
        let live = engine.stateDigest()
        try await engine.close()
        try FileManager.default.removeItem(atPath: directory + "/snapshots")
        let replayed = try await ConformanceEngine.open(configuration(directory))
        #expect(replayed.stateDigest() == live)
        let rules = try await replayed.describeConfigRules(.init(), context: RequestContext(accountId: members[999], region: "us-east-1"))
        #expect(rules.configRules?.isEmpty == false)
        try await replayed.close()
    }
}

@Suite("Organization status derivation")
struct OrganizationStatusTests {
    /// Rows of the given statuses under an organization-level operation.
    static func record(_ operation: OrgOperation, _ statuses: [OrgStatus]) -> OrgPackRecord {
        var record = OrgPackRecord(
            name: "P", arn: "arn", suffix: "abcdefgh", deliveryS3Bucket: nil, deliveryS3KeyPrefix: nil, inputParameters: nil,
            excludedAccounts: [], origin: .body, rules: [], templateBody: nil, operation: operation, lastUpdateTime: 0, statusTime: 0,
            rows: SortedMap())
        for (index, status) in statuses.enumerated() {
            let account = String(100_000_000_000 + index)
            record.setRow(MemberRow(
                accountId: account, packName: "m", status: status, errorCode: status.phase == .failed ? "E\(index)" : nil,
                errorMessage: nil, lastUpdateTime: 0, pendingFailure: nil, isLeaving: false), for: account)
        }
        return record
    }

    @Test("Any row in progress makes the pack in progress; else any failed makes it failed; else successful (spec §5.2)",
          arguments: [
            (OrgOperation.create, [OrgStatus(.create, .successful), OrgStatus(.create, .inProgress), OrgStatus(.create, .failed)], OrganizationResourceStatus.createInProgress),
            (.create, [OrgStatus(.create, .successful), OrgStatus(.create, .failed)], .createFailed),
            (.create, [OrgStatus(.create, .successful)], .createSuccessful),
            (.create, [], .createSuccessful),
            (.update, [OrgStatus(.update, .successful), OrgStatus(.create, .inProgress)], .updateInProgress),
            (.update, [OrgStatus(.update, .successful), OrgStatus(.create, .failed)], .updateFailed),
            (.update, [OrgStatus(.update, .successful), OrgStatus(.create, .successful)], .updateSuccessful),
            (.delete, [OrgStatus(.delete, .successful), OrgStatus(.delete, .inProgress)], .deleteInProgress),
            (.delete, [OrgStatus(.delete, .failed), OrgStatus(.delete, .successful)], .deleteFailed),
            (.delete, [OrgStatus(.delete, .successful)], .deleteSuccessful),
          ])
    func derivation(operation: OrgOperation, rows: [OrgStatus], expected: OrganizationResourceStatus) {
        let record = Self.record(operation, rows)
        #expect(record.status.organization == expected)
        #expect(record.count(.failed) == rows.count { $0.phase == .failed })
    }

    @Test("Every status survives its code and the wire enum; the first failure summarises a failed pack")
    func codes() {
        for operation in [OrgOperation.create, .update, .delete] {
            for phase in [OrgPhase.inProgress, .successful, .failed] {
                let status = OrgStatus(operation, phase)
                #expect(OrgStatus(code: status.code) == status)
                #expect(OrgStatus(status.detailed) == status)
                #expect(status.organization.rawValue == status.detailed.rawValue)
            }
        }
        #expect(OrgStatus(code: 9) == nil)
        let record = Self.record(.update, [OrgStatus(.update, .successful), OrgStatus(.update, .failed), OrgStatus(.create, .failed)])
        #expect(record.firstFailure?.errorCode == "E1")
        let row = ConformanceEngine.organizationPackStatus(record)
        #expect(row.errorCode == "E1" && row.errorMessage?.contains("and 1 other account") == true)
    }
}
