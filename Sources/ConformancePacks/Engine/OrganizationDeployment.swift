import ConformanceTemplates

/// Decides how an organization pack reaches its target accounts: per member, the rule set, and
/// whether the deployment fails (a deployment fault, the account's limits, its rule names).
///
/// The template is resolved once; again per account only when it names the account (or the
/// stack, whose name holds the member pack's id), and identical rule sets are recorded once.
struct OrganizationDeployment {
    let creator: PartitionKey
    let name: String
    let suffix: String
    /// The rules the creator's resolution deploys.
    let base: [RuleRecord]
    /// The template and its parameters, when the template depends on the account.
    let accountTemplate: (body: String, parameters: [String: String])?
    let seed: UInt64
    /// The organization pack's member rows so far (nil for a new pack).
    let rows: SortedMap<MemberRow>?

    var memberPackName: String { OrganizationPackNames.memberPack(name, suffix: suffix) }

    var key: OrgPackKey { OrgPackKey(creator: creator, name: name) }

    /// Template text that makes the resolution depend on the account: the account id, or the
    /// stack (whose name holds the member pack's id).
    static func dependsOnAccount(_ body: String) -> Bool {
        body.contains("AWS::AccountId") || body.contains("AWS::StackName") || body.contains("AWS::StackId")
    }

    /// The id a member pack gets: kept when it exists, else derived from the seed (as `apply` does).
    func memberPackId(_ account: String, existing: PackRecord?) -> String {
        existing?.id ?? IdentifierMint(source: DerivedIdentifierSource(seed: seed, account: account)).packId()
    }

    /// The event deploying to `accounts` and removing `leaving`, and, without a deployment delay,
    /// the completions of every member pack it touches.
    func events(
        deployTo accounts: [String], removing leaving: [String], settings: OrgPackSettings?, arn: String,
        in state: borrowing EngineState, now: Int64, delay: Int64
    ) -> [DomainEvent] {
        var ruleSets: [[RuleRecord]] = [base]
        var deployments: [MemberDeployment] = []
        deployments.reserveCapacity(accounts.count)
        var completions: [DomainEvent] = []
        let packName = memberPackName
        for account in accounts {
            let member = PartitionKey(accountId: account, region: creator.region)
            let partition = state[partition: member]
            let existing = state.memberPack(of: key, named: packName, in: member)
            let operation = OrganizationPackNames.operation(rows?[account], memberPack: existing)
            let packId = memberPackId(account, existing: existing)
            var set = 0
            var failure: MemberFailure?
            if existing == nil, partition.packs[packName] != nil {
                // A pack of the account's own holds the name: left alone, and nothing completes.
                deployments.append(MemberDeployment(
                    accountId: account, ruleSet: 0, failure: MemberFailure(code: nil, message: OrganizationPackNames.nameTaken(packName, account))))
                continue
            }
            if let accountTemplate {
                do {
                    let template = try ConformancePackTemplate.resolve(
                        body: accountTemplate.body, parameters: accountTemplate.parameters,
                        context: TemplateContext(
                            accountId: account, region: creator.region, partition: ARN.partition,
                            stackName: ARN.stackName(packName: packName, packId: packId)))
                    let rules = PackDeployment.baseRules(template)
                    if let index = ruleSets.firstIndex(of: rules) {
                        set = index
                    } else {
                        set = ruleSets.count
                        ruleSets.append(rules)
                    }
                } catch {
                    failure = MemberFailure(code: nil, message: error.message)
                }
            }
            if failure == nil, let fault = state.organizations.fault(name, account: account, operation == .create ? .create : .update) {
                failure = MemberFailure(code: fault.errorCode, message: fault.errorMessage)
            }
            if existing == nil, partition.packs.count >= ConformanceEngine.packLimit {
                // No member pack can be made: the row fails at once (as `apply` decides too).
                let message = "The maximum number of conformance packs (\(ConformanceEngine.packLimit)) has been reached in account \(account)."
                deployments.append(MemberDeployment(accountId: account, ruleSet: 0, failure: MemberFailure(code: nil, message: message)))
                continue
            }
            if failure == nil {
                if let reason = PackDeployment.problem(ruleSets[set], pack: packName, packId: packId, in: partition) {
                    failure = MemberFailure(code: nil, message: PackDeployment.truncated(reason))
                }
            }
            deployments.append(MemberDeployment(accountId: account, ruleSet: set, failure: failure))
            if delay == 0 { completions.append(.packCompleted(PackTransition(partition: member, name: packName, time: now))) }
        }
        let (removals, deletions) = removals(of: leaving, in: state, now: now, delay: delay)
        completions += deletions
        let requested = OrgPackRequested(
            creator: creator, name: name, arn: arn, time: now, dueTime: now + delay, settings: settings,
            ruleSets: ruleSets, seed: seed, deployments: deployments, removals: removals)
        return [.orgPackRequested(requested)] + completions
    }

    /// Removing the member packs of `accounts`, each failing when a delete fault says so
    /// (deleting a pack that is not there always succeeds), and, without a deployment delay, the
    /// deletions that complete them.
    func removals(
        of accounts: [String], in state: borrowing EngineState, now: Int64, delay: Int64
    ) -> (removals: [MemberRemoval], completions: [DomainEvent]) {
        var removals: [MemberRemoval] = []
        var completions: [DomainEvent] = []
        for account in accounts {
            let member = PartitionKey(accountId: account, region: creator.region)
            guard state.memberPack(of: key, named: memberPackName, in: member) != nil else {
                removals.append(MemberRemoval(accountId: account, failure: nil))
                continue
            }
            let fault = state.organizations.fault(name, account: account, .delete)
            removals.append(MemberRemoval(accountId: account, failure: fault.map { MemberFailure(code: $0.errorCode, message: $0.errorMessage) }))
            if delay == 0 { completions.append(.packDeleted(PackTransition(partition: member, name: memberPackName, time: now))) }
        }
        return (removals, completions)
    }
}
