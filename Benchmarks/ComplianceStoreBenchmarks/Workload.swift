import ComplianceStore
import Foundation

/// The benchmark's evaluation results: `resources` resources of 50 types with ARN-like ids of
/// about 60 bytes, 1,000 rules (20 per type), each resource evaluated by 10 of its type's rules,
/// mixed compliance, annotations from 50 texts. Inputs come in batches of 100 results of one
/// rule, as PutEvaluations delivers them.
struct Workload: Sendable {
    static let typeCount = 50
    static let rulesPerType = 20
    static let batch = 100

    let resources: Int
    let typeNames: [String]
    let resourceIds: [String]
    let annotations: [String]

    /// `COMPLIANCE_BENCH_RESULTS` sets the number of results (default 10 M); resources are a tenth.
    static let results: Int = ProcessInfo.processInfo.environment["COMPLIANCE_BENCH_RESULTS"].flatMap(Int.init) ?? 10_000_000

    init(results: Int = Workload.results) {
        resources = results / 10
        let services = ["s3", "ec2", "iam", "lambda", "rds", "dynamodb", "kms", "sns", "sqs", "ecs"]
        typeNames = (0..<Self.typeCount).map { "AWS::\(services[$0 % services.count].uppercased())::Resource\($0)" }
        resourceIds = (0..<resources).map { index in
            let service = services[index % Self.typeCount % services.count]
            let suffix = String(UInt64(index).multipliedReportingOverflow(by: 0x9E37_79B9_7F4A_7C15).partialValue, radix: 16)
            return "arn:aws:\(service):us-east-1:123456789012:res/\(suffix)-\(index)"
        }
        annotations = (0..<50).map { "Resource does not meet requirement \($0): see the rule's documentation." }
    }

    var ruleCount: Int { Self.typeCount * Self.rulesPerType }

    /// Creates the rules (and 50 packs of 20 rules each) in `store`; returns their slots.
    func makeRules(in store: inout ComplianceStore) -> [UInt32] {
        let rules = (0..<ruleCount).map { store.ruleSlot(forKey: "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-\($0)") }
        for pack in 0..<50 {
            let group = store.groupSlot(forKey: "conformance-pack-\(pack)")
            for rule in rules[(pack * 20)..<(pack * 20 + 20)] { store.assign(rule: rule, to: group, recordedTime: 0) }
        }
        return rules
    }

    /// Calls `body` with each batch in ingest order: blocks of resources of each type, then each
    /// of the type's rules that evaluates them.
    func forEachBatch(rules: [UInt32], _ body: ([EvaluationInput]) -> Void) {
        let perType = resources / Self.typeCount
        var batch: [EvaluationInput] = []
        batch.reserveCapacity(Self.batch)
        var block = 0
        while block < perType {
            let end = min(perType, block + 2 * Self.batch)
            for type in 0..<Self.typeCount {
                for k in 0..<Self.rulesPerType {
                    let rule = rules[type + Self.typeCount * k]
                    batch.removeAll(keepingCapacity: true)
                    // Each resource is evaluated by the 10 rules whose k has its j's parity.
                    for j in stride(from: block + k % 2, to: end, by: 2) {
                        let resource = type + Self.typeCount * j
                        let mix = Int(truncatingIfNeeded: (UInt64(resource) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(k) &* 0xBF58_476D_1CE4_E5B9) >> 33) % 10
                        let compliance: ResultCompliance = mix < 6 ? .compliant : mix < 9 ? .nonCompliant : .notApplicable
                        batch.append(EvaluationInput(
                            rule: rule, resourceType: typeNames[type], resourceId: resourceIds[resource], compliance: compliance,
                            orderingTimestamp: 1_700_000_000_000 + Int64(resource),
                            annotation: compliance == .nonCompliant ? annotations[(resource + k) % 50] : nil))
                    }
                    if !batch.isEmpty { body(batch) }
                }
            }
            block = end
        }
    }
}

/// CPU time of the calling thread: on a shared machine, the time the work itself took.
func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

/// Resident bytes of this process, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// Appends a line to the figures file beside the benchmark output (BENCHMARKS.md is built from it).
func report(_ line: String) {
    let path = ProcessInfo.processInfo.environment["COMPLIANCE_BENCH_REPORT"] ?? "/tmp/compliance-store-bench.txt"
    let data = Data((line + "\n").utf8)
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(data)
        try? handle.close()
    } else {
        FileManager.default.createFile(atPath: path, contents: data)
    }
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
