import Foundation

/// A workload made concrete: its accounts, templates and seed, the calls that set it up and the
/// stream of calls each worker sends. Everything follows from the seed and the options (and, for
/// the calls on deployed rules, from the rule names the set-up found), so the same seed gives the
/// same calls.
public struct WorkloadPlan: Sendable {
    public var workload: Workload
    public var seed: UInt64
    /// The accounts the calls are spread over.
    public var accounts: [String]
    public var corpus: TemplateCorpus
    /// Resources each rule has results for (evaluations, queries, mixed).
    public var resourcesPerRule: Int

    /// The organization's management account (organization workload).
    public static let managementAccount = "100000000000"
    /// The pack each account gets at set-up; the deploy workload also uses `bench-pack-1`.
    public static let packName = "bench-pack-0"
    /// Organization packs the organization workload puts.
    static let organizationPacks = ["bench-org-pack-0", "bench-org-pack-1"]
    public static var organizationPackCount: Int { organizationPacks.count }
    /// Rules per template: two packs stay within an account's 150 pack rules.
    static let maxTemplateRules = 70
    /// The first ordering timestamp (epoch seconds) of the results a workload sends.
    static let baseTimestamp = 1_767_225_600

    /// - Parameters:
    ///   - accounts: How many accounts (`200000000001`, `200000000002`, …).
    public init(workload: Workload, seed: UInt64, accounts: Int, corpus: TemplateCorpus, resourcesPerRule: Int) {
        self.workload = workload
        self.seed = seed
        self.accounts = (1...max(1, accounts)).map { String(200_000_000_000 + $0) }
        self.corpus = corpus.limited(toRules: Self.maxTemplateRules)
        self.resourcesPerRule = max(1, resourcesPerRule)
    }

    /// The calls that set the workload up, in order: the organization (organization workload) or
    /// a corpus pack in every account (evaluations, queries, mixed).
    public func setupCalls() -> [BenchCall] {
        var random = SeededGenerator(seed: seed, stream: -1)
        switch workload {
        case .organization:
            let organization = BenchCall.admin(
                "PutOrganization", ["ManagementAccountId": Self.managementAccount, "MemberAccountIds": accounts], account: Self.managementAccount)
            return [organization] + Self.organizationPacks.map { pack in
                let template = corpus.templates[Int(random.next() % UInt64(corpus.templates.count))]
                return .api(
                    "PutOrganizationConformancePack", ["OrganizationConformancePackName": pack, "TemplateBody": template.body],
                    account: Self.managementAccount, isWrite: true)
            }
        case _ where workload.deploysPacks:
            return zip(accounts, setupTemplates).map { account, template in
                .api("PutConformancePack", ["ConformancePackName": Self.packName, "TemplateBody": template.body], account: account, isWrite: true)
            }
        default:
            return []
        }
    }

    /// The template each account's set-up pack deploys (the mixed workload's updates put it
    /// again, so that the rules that results go to stay).
    public var setupTemplates: [TemplateCorpus.Template] {
        var random = SeededGenerator(seed: seed, stream: -3)
        return accounts.map { _ in corpus.templates[Int(random.next() % UInt64(corpus.templates.count))] }
    }

    /// The call that asks for the rules of an account's set-up pack (one page of up to 100).
    public func discoveryCall(account: String, nextToken: String? = nil) -> BenchCall {
        var body: [String: Any] = ["ConformancePackName": Self.packName, "Limit": 100]
        if let nextToken { body["NextToken"] = nextToken }
        return .api("DescribeConformancePackCompliance", body, account: account, isWrite: false)
    }

    /// The rule names and the next token of a `DescribeConformancePackCompliance` answer.
    public static func parseDiscovery(_ body: [UInt8]) -> (rules: [String], nextToken: String?)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let list = object["ConformancePackRuleComplianceList"] as? [[String: Any]]
        else { return nil }
        return (list.compactMap { $0["ConfigRuleName"] as? String }, object["NextToken"] as? String)
    }

    /// The results loaded before the queries start: every resource of every rule, 100 per call.
    ///
    /// - Parameter rules: The deployed rule names of each account, indexed as `accounts`.
    public func loadCalls(rules: [[String]]) -> [BenchCall] {
        guard workload.loadsResults else { return [] }
        var random = SeededGenerator(seed: seed, stream: -2)
        var calls: [BenchCall] = []
        for (index, account) in accounts.enumerated() {
            for rule in rules[index].sorted() {
                for start in stride(from: 0, to: resourcesPerRule, by: 100) {
                    let evaluations = (start..<min(start + 100, resourcesPerRule)).map { resource in
                        Self.evaluation(account: index, resource: resource, compliance: Self.compliance(random.next()), time: Self.baseTimestamp)
                    }
                    calls.append(.api("PutEvaluations", ["ResultToken": rule, "Evaluations": evaluations], account: account, isWrite: true))
                }
            }
        }
        return calls
    }

    /// The calls worker `worker` sends, endlessly.
    ///
    /// - Parameters:
    ///   - workers: How many workers there are: in the deploy workload each worker owns the
    ///     accounts whose index is its own modulo `workers`, so that it deletes only packs it put
    ///     (with fewer accounts than workers, every worker has all of them, and deletes may miss).
    ///   - rules: The deployed rule names of each account (empty when nothing was deployed).
    public func stream(worker: Int, of workers: Int = 1, rules: [[String]]) -> CallStream {
        let owned = accounts.indices.filter { accounts.count < workers || $0 % max(1, workers) == worker % max(1, workers) }
        return CallStream(
            plan: self, random: SeededGenerator(seed: seed, stream: worker), rules: rules.map { $0.sorted() },
            ownedAccounts: owned, setupTemplates: workload == .mixed ? setupTemplates : [])
    }

    static func evaluation(account: Int, resource: Int, compliance: String, time: Int) -> [String: Any] {
        [
            "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "bench-\(account)-\(resource)",
            "ComplianceType": compliance, "OrderingTimestamp": time,
        ]
    }

    /// 70% compliant, 25% non-compliant, 5% not applicable.
    static func compliance(_ draw: UInt64) -> String {
        switch draw % 100 {
        case 0..<70: "COMPLIANT"
        case 70..<95: "NON_COMPLIANT"
        default: "NOT_APPLICABLE"
        }
    }
}

/// The endless, seeded sequence of one worker's calls.
public struct CallStream: Sendable {
    let plan: WorkloadPlan
    var random: SeededGenerator
    let rules: [[String]]
    /// The accounts whose packs this stream puts and deletes (deploy workload).
    let ownedAccounts: [Int]
    let setupTemplates: [TemplateCorpus.Template]
    /// The packs this stream put and has not deleted, as (account index, pack number).
    private var deployed: [(account: Int, pack: Int)] = []
    /// Calls made so far (the ordering timestamps of results rise with it).
    private var count = 0

    init(plan: WorkloadPlan, random: SeededGenerator, rules: [[String]], ownedAccounts: [Int], setupTemplates: [TemplateCorpus.Template]) {
        self.plan = plan
        self.random = random
        self.rules = rules
        self.ownedAccounts = ownedAccounts
        self.setupTemplates = setupTemplates
    }

    public mutating func next() -> BenchCall {
        count += 1
        let draw = Int(random.next() % 1000)
        switch plan.workload {
        case .deploy: return draw < 900 || deployed.isEmpty ? deploy() : deletePack()
        case .evaluations: return evaluations() ?? query(draw)
        case .queries: return query(draw)
        case .mixed:
            if draw < 900 { return query(draw) }
            if draw < 990 { return evaluations() ?? query(draw) }
            return updateSetupPack()
        case .organization: return organization(draw)
        case .replay: return query(draw)
        }
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    private mutating func account() -> (index: Int, id: String) {
        let index = Int(random.next() % UInt64(plan.accounts.count))
        return (index, plan.accounts[index])
    }

    /// A corpus template put into one of the two bench packs of an owned account.
    private mutating func deploy() -> BenchCall {
        let account = pick(ownedAccounts)
        let pack = Int(random.next() % 2)
        if !deployed.contains(where: { $0 == (account, pack) }) { deployed.append((account, pack)) }
        let template = pick(plan.corpus.templates)
        return .api(
            "PutConformancePack", ["ConformancePackName": "bench-pack-\(pack)", "TemplateBody": template.body],
            account: plan.accounts[account], isWrite: true)
    }

    /// The delete of a pack this stream put.
    private mutating func deletePack() -> BenchCall {
        let (account, pack) = deployed.remove(at: Int(random.next() % UInt64(deployed.count)))
        return .api("DeleteConformancePack", ["ConformancePackName": "bench-pack-\(pack)"], account: plan.accounts[account], isWrite: true)
    }

    /// The set-up pack of an account put again with its own template: an update that keeps its rules.
    private mutating func updateSetupPack() -> BenchCall {
        let (index, account) = account()
        return .api(
            "PutConformancePack", ["ConformancePackName": WorkloadPlan.packName, "TemplateBody": setupTemplates[index].body],
            account: account, isWrite: true)
    }

    /// Ten results for one rule, on resources drawn from the rule's set; nil without rules.
    private mutating func evaluations() -> BenchCall? {
        let (index, account) = account()
        guard index < rules.count, !rules[index].isEmpty else { return nil }
        let rule = pick(rules[index])
        let evaluations = (0..<10).map { _ in
            WorkloadPlan.evaluation(
                account: index, resource: Int(random.next() % UInt64(plan.resourcesPerRule)),
                compliance: WorkloadPlan.compliance(random.next()), time: WorkloadPlan.baseTimestamp + count)
        }
        return .api("PutEvaluations", ["ResultToken": rule, "Evaluations": evaluations], account: account, isWrite: true)
    }

    /// One page of one of the six pack queries, in a random account.
    private mutating func query(_ draw: Int) -> BenchCall {
        let (_, account) = account()
        let pack = WorkloadPlan.packName
        switch draw % 6 {
        case 0: return .api("DescribeConformancePacks", ["ConformancePackNames": [pack]], account: account, isWrite: false)
        case 1: return .api("DescribeConformancePackStatus", ["ConformancePackNames": [pack]], account: account, isWrite: false)
        case 2: return .api("DescribeConformancePackCompliance", ["ConformancePackName": pack, "Limit": 100], account: account, isWrite: false)
        case 3:
            return .api(
                "GetConformancePackComplianceDetails",
                ["ConformancePackName": pack, "Limit": 100, "Filters": ["ComplianceType": "NON_COMPLIANT"]], account: account, isWrite: false)
        case 4: return .api("GetConformancePackComplianceSummary", ["ConformancePackNames": [pack]], account: account, isWrite: false)
        default: return .api("ListConformancePackComplianceScores", ["Limit": 20], account: account, isWrite: false)
        }
    }

    /// 10% puts of an organization pack, 45% statuses, 45% detailed-status pages of one account.
    private mutating func organization(_ draw: Int) -> BenchCall {
        let management = WorkloadPlan.managementAccount
        let pack = pick(WorkloadPlan.organizationPacks)
        if draw < 100 {
            let template = pick(plan.corpus.templates)
            return .api(
                "PutOrganizationConformancePack", ["OrganizationConformancePackName": pack, "TemplateBody": template.body],
                account: management, isWrite: true)
        }
        if draw < 550 {
            return .api("DescribeOrganizationConformancePackStatuses", ["OrganizationConformancePackNames": [pack]], account: management, isWrite: false)
        }
        let (_, member) = account()
        return .api(
            "GetOrganizationConformancePackDetailedStatus",
            ["OrganizationConformancePackName": pack, "Limit": 100, "Filters": ["AccountId": member]], account: management, isWrite: false)
    }
}
