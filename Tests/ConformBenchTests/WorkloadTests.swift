import Foundation
import Testing

@testable import ConformBench

@Suite("The bench's workload generator")
struct WorkloadTests {
    static let rules = (1...3).map { account in (0..<5).map { "rule-\(account)-\($0)-conformance-pack-x" } }

    func plan(_ workload: Workload, seed: UInt64 = 7) -> WorkloadPlan {
        WorkloadPlan(workload: workload, seed: seed, accounts: 3, corpus: .synthetic, resourcesPerRule: 250)
    }

    func calls(_ plan: WorkloadPlan, worker: Int, count: Int = 300) -> [BenchCall] {
        var stream = plan.stream(worker: worker, rules: Self.rules)
        return (0..<count).map { _ in stream.next() }
    }

    @Test("The same seed gives the same calls, set-up included", arguments: Workload.allCases.filter { $0 != .replay })
    func sameSeed(workload: Workload) {
        let first = plan(workload)
        let second = plan(workload)
        #expect(first.setupCalls() == second.setupCalls())
        #expect(first.loadCalls(rules: Self.rules) == second.loadCalls(rules: Self.rules))
        #expect(calls(first, worker: 0) == calls(second, worker: 0))
        #expect(calls(first, worker: 3) == calls(second, worker: 3))
        // The rules' order as found does not matter.
        var stream = first.stream(worker: 1, rules: Self.rules.map { $0.reversed() })
        #expect((0..<300).map { _ in stream.next() } == calls(first, worker: 1))
    }

    @Test("Another seed, or another worker, gives other calls", arguments: Workload.allCases.filter { $0 != .replay })
    func otherSeed(workload: Workload) {
        #expect(calls(plan(workload), worker: 0) != calls(plan(workload, seed: 8), worker: 0))
        #expect(calls(plan(workload), worker: 0) != calls(plan(workload), worker: 1))
    }

    @Test("Each workload sends the mix it describes")
    func mixes() {
        func operations(_ workload: Workload) -> [String: Int] {
            calls(plan(workload), worker: 0, count: 4000).reduce(into: [:]) { $0[$1.operation, default: 0] += 1 }
        }
        let deploy = operations(.deploy)
        #expect(Set(deploy.keys) == ["PutConformancePack", "DeleteConformancePack"])
        #expect((300...500).contains(deploy["DeleteConformancePack"] ?? 0))
        #expect(Set(operations(.evaluations).keys) == ["PutEvaluations"])
        let queries = operations(.queries)
        #expect(queries.count == 6 && queries.values.allSatisfy { $0 > 500 })
        let mixed = operations(.mixed)
        #expect((250...450).contains(mixed["PutEvaluations"] ?? 0))
        #expect((15...70).contains(mixed["PutConformancePack"] ?? 0))
        let organization = operations(.organization)
        #expect(Set(organization.keys) == [
            "PutOrganizationConformancePack", "DescribeOrganizationConformancePackStatuses", "GetOrganizationConformancePackDetailedStatus",
        ])
        #expect(calls(plan(.queries), worker: 0).allSatisfy { !$0.isWrite })
    }

    @Test("A deploy worker deletes only packs it put, in accounts no other worker touches")
    func deployOwnership() throws {
        let plan = WorkloadPlan(workload: .deploy, seed: 5, accounts: 6, corpus: .synthetic, resourcesPerRule: 1)
        var touched: [Set<String>] = []
        for worker in 0..<3 {
            var stream = plan.stream(worker: worker, of: 3, rules: [])
            var live: Set<String> = []
            var accounts: Set<String> = []
            for _ in 0..<2000 {
                let call = stream.next()
                let body = try #require(try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any])
                let key = call.account + "/" + (body["ConformancePackName"] as? String ?? "")
                accounts.insert(call.account)
                if call.operation == "DeleteConformancePack" {
                    #expect(live.remove(key) != nil, "deleted \(key), which it had not put")
                } else {
                    live.insert(key)
                }
            }
            touched.append(accounts)
        }
        #expect(touched.map(\.count) == [2, 2, 2])
        #expect(touched[0].isDisjoint(with: touched[1]) && touched[1].isDisjoint(with: touched[2]))
    }

    @Test("Evaluations name deployed rules of the calling account, and resources within the rule's set")
    func evaluationsNameRules() throws {
        let plan = plan(.evaluations)
        for call in calls(plan, worker: 2) {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any])
            let account = try #require(plan.accounts.firstIndex(of: call.account))
            #expect(Self.rules[account].contains(body["ResultToken"] as? String ?? ""))
            let evaluations = try #require(body["Evaluations"] as? [[String: Any]])
            #expect(evaluations.count == 10)
            for evaluation in evaluations {
                let resource = try #require((evaluation["ComplianceResourceId"] as? String)?.split(separator: "-").last.flatMap { Int($0) })
                #expect(resource < 250)
            }
        }
    }

    @Test("The set-up deploys a pack in every account, and loads every resource of every rule")
    func setup() throws {
        let plan = plan(.queries)
        #expect(plan.setupCalls().map(\.account) == plan.accounts)
        #expect(plan.setupCalls().allSatisfy { $0.operation == "PutConformancePack" })
        let loads = plan.loadCalls(rules: Self.rules)
        #expect(loads.count == 3 * 5 * 3)  // 250 resources: pages of 100, 100 and 50
        let organization = self.plan(.organization).setupCalls()
        #expect(organization.map(\.operation) == ["ConformAdmin.PutOrganization", "PutOrganizationConformancePack", "PutOrganizationConformancePack"])
        #expect(self.plan(.deploy).setupCalls().isEmpty)
    }

    @Test("Templates are counted by resolving them; those needing parameters or over 70 rules are left out")
    func corpus() throws {
        let two = "Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source:\n        Owner: AWS\n        SourceIdentifier: X\n"
            + "  B:\n    Type: 'AWS::Config::ConfigRule'\n    Properties:\n      Source:\n        Owner: AWS\n        SourceIdentifier: Y\n"
        #expect(TemplateCorpus.template(name: "two", body: two)?.ruleCount == 2)
        let needsParameter = "Parameters:\n  Bucket:\n    Type: String\n" + two
        #expect(TemplateCorpus.template(name: "p", body: needsParameter) == nil)
        #expect(TemplateCorpus.template(name: "none", body: "Resources:\n  B:\n    Type: AWS::S3::Bucket\n") == nil)
        let big = TemplateCorpus.Template(name: "big", body: "", ruleCount: 120)
        let small = TemplateCorpus.Template(name: "small", body: "", ruleCount: 12)
        #expect(TemplateCorpus(templates: [big, small], source: "t").limited(toRules: 70).templates == [small])
        let plan = WorkloadPlan(workload: .deploy, seed: 1, accounts: 1, corpus: TemplateCorpus(templates: [big, small], source: "t"), resourcesPerRule: 1)
        #expect(plan.corpus.templates == [small])
        #expect(TemplateCorpus.synthetic.templates.map(\.ruleCount) == [5, 10, 20])
        #expect(TemplateCorpus.synthetic.templates.allSatisfy { TemplateCorpus.template(name: $0.name, body: $0.body)?.ruleCount == $0.ruleCount })
    }

    @Test("The report gives every operation's percentiles, in text and in JSON")
    func report() throws {
        var put = OperationStats()
        for value in 1...1000 { put.record(microseconds: UInt64(value), error: value % 100 == 0 ? "ThrottlingException" : nil) }
        var other = OperationStats()
        other.record(microseconds: 5000, error: nil)
        var merged = put
        merged.add(other)
        #expect(merged.calls == 1001 && merged.errorCount == 10)
        let report = BenchReport(
            command: "conform bench deploy", workload: .deploy, seed: 3, target: "in-process", concurrency: 2,
            machine: MachineInfo(cores: 2, system: "Linux", loadAtStart: "0.1 0.2 0.3", loadAtEnd: "0.4 0.5 0.6"),
            setup: "nothing", setupSeconds: 0.5, seconds: 2, operations: ["PutConformancePack": put, "DeleteConformancePack": other])
        #expect(report.text.contains("calls: 1001 in 2.00 s = 500.5 calls/s, errors 10"))
        #expect(report.text.contains("errors of PutConformancePack: ThrottlingException ×10"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let operations = try #require(object["operations"] as? [String: [String: Any]])
        let p50 = try #require(operations["PutConformancePack"]?["p50Microseconds"] as? Int)
        #expect((495...505).contains(p50))
        #expect((object["total"] as? [String: Any])?["calls"] as? Int == 1001)
        #expect(object["seed"] as? Int == 3)
    }
}
