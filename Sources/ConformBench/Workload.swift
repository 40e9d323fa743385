/// What `conform bench` runs: a seeded mix of AWS calls over a set-up state.
public enum Workload: String, Sendable, CaseIterable {
    /// Conformance pack deployments: corpus templates put into the accounts' two bench packs,
    /// now and then deleted.
    case deploy
    /// Evaluation churn: PutEvaluations of 10 results each, over a fixed set of resources per
    /// rule, whose compliance flips.
    case evaluations
    /// Compliance queries only, over packs with results: the six pack queries, one page each.
    case queries
    /// 90% queries, 9% evaluations, 1% pack updates.
    case mixed
    /// Organization packs over an organization of every bench account: puts of corpus templates
    /// to every member, statuses and detailed-status pages.
    case organization
    /// A replay of a recorded log (`--data-dir` only): events and bytes per second.
    case replay

    /// One line for `--help`.
    public var summary: String {
        switch self {
        case .deploy: "PutConformancePack of corpus templates (and deletes) across the accounts"
        case .evaluations: "PutEvaluations churn on the rules of deployed corpus packs"
        case .queries: "compliance queries over deployed packs with results"
        case .mixed: "90% queries, 9% evaluations, 1% pack updates"
        case .organization: "organization packs deployed to every account, and their statuses"
        case .replay: "replay of the log in --data-dir"
        }
    }

    /// Whether the workload deploys a pack in each account before it starts.
    public var deploysPacks: Bool { self == .evaluations || self == .queries || self == .mixed }
    /// Whether the workload loads results before it starts.
    var loadsResults: Bool { self == .queries || self == .mixed }
}
