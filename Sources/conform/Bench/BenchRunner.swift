import ConformBench
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a workload plan against a target: the set-up, then `concurrency` workers for a duration
/// or a number of calls, with a progress line on a terminal.
struct BenchRunner {
    let plan: WorkloadPlan
    let target: any BenchTarget
    let concurrency: Int
    /// How long the measured phase lasts, unless `calls` is set.
    let duration: Duration
    /// Calls in all, split evenly over the workers (the same calls for the same seed).
    let calls: Int?

    /// A call the set-up needed was refused.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Sets the workload up: returns the deployed rules of each account and a one-line summary.
    func setUp() async throws -> (rules: [[String]], summary: String) {
        try await target.withSession { send in
            for call in plan.setupCalls() {
                let response = try await send(call)
                guard response.errorType == nil else {
                    throw SetupError(description: "set-up call \(call.operation) as \(call.account) failed: \(response.errorType ?? "") \(String(decoding: response.body.prefix(300), as: UTF8.self))")
                }
            }
            var rules: [[String]] = Array(repeating: [], count: plan.accounts.count)
            if plan.workload.deploysPacks {
                for (index, account) in plan.accounts.enumerated() {
                    var token: String?
                    repeat {
                        let response = try await send(plan.discoveryCall(account: account, nextToken: token))
                        guard response.errorType == nil, let page = WorkloadPlan.parseDiscovery(response.body) else {
                            throw SetupError(description: "could not list the rules of \(WorkloadPlan.packName) in \(account): \(response.errorType ?? "unreadable answer")")
                        }
                        rules[index] += page.rules
                        token = page.nextToken
                    } while token != nil
                }
            }
            let loads = plan.loadCalls(rules: rules)
            for call in loads {
                let response = try await send(call)
                if let error = response.errorType { throw SetupError(description: "loading results failed: \(error)") }
            }
            let ruleCount = rules.reduce(0) { $0 + $1.count }
            var summary = "\(plan.accounts.count) accounts, templates from \(plan.corpus.source) (\(plan.corpus.templates.count) usable)"
            if plan.workload == .organization { summary += ", an organization with \(WorkloadPlan.organizationPackCount) organization packs" }
            if ruleCount > 0 { summary += ", \(ruleCount) rules deployed" }
            if !loads.isEmpty { summary += ", \(ruleCount * plan.resourcesPerRule) results loaded" }
            return (rules, summary)
        }
    }

    /// Runs the measured phase; returns each operation's stats and the wall time.
    func run(rules: [[String]]) async throws -> (operations: [String: OperationStats], seconds: Double) {
        let progress = ProgressCounter()
        let started = ContinuousClock.now
        let deadline = started + duration
        let reporter = Task {
            var line = ProgressLine()
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let (done, failed) = progress.state.withLock { ($0.calls, $0.errors) }
                let elapsed = (ContinuousClock.now - started).seconds
                let goal = calls.map { "/\($0)" } ?? ""
                line.draw { String(format: "%6.1f s  ", elapsed) + "\(done)\(goal) calls  " + String(format: "%.0f calls/s  ", Double(done) / max(elapsed, 1e-9)) + "\(failed) errors" }
            }
            line.clear()
        }
        defer { reporter.cancel() }
        let perWorker = try await withThrowingTaskGroup(of: [String: OperationStats].self) { group in
            for worker in 0..<concurrency {
                let quota = calls.map { $0 / concurrency + (worker < $0 % concurrency ? 1 : 0) }
                let initial = plan.stream(worker: worker, of: concurrency, rules: rules)
                group.addTask { [target] in
                    var stream = initial
                    var stats: [String: OperationStats] = [:]
                    try await target.withSession { send in
                        var made = 0
                        while quota.map({ made < $0 }) ?? (ContinuousClock.now < deadline) {
                            let call = stream.next()
                            let start = ContinuousClock.now
                            let error: String?
                            do {
                                error = try await send(call).errorType
                            } catch {
                                // The connection is gone: the run fails, not a call with no latency.
                                throw TransportError(description: "\(call.operation) as \(call.account) got no answer: \(error)")
                            }
                            let elapsed = ContinuousClock.now - start
                            stats[call.operation, default: OperationStats()].record(microseconds: UInt64(max(0, elapsed.microseconds)), error: error)
                            made += 1
                            progress.state.withLock {
                                $0.calls += 1
                                if error != nil { $0.errors += 1 }
                            }
                        }
                    }
                    return stats
                }
            }
            var all: [[String: OperationStats]] = []
            for try await stats in group { all.append(stats) }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        reporter.cancel()
        await reporter.value  // the line is erased before the report is printed
        var merged: [String: OperationStats] = [:]
        for stats in perWorker {
            for (name, value) in stats { merged[name, default: OperationStats()].add(value) }
        }
        return (merged, seconds)
    }

    /// A call got no answer (the connection failed): the run stops with this.
    struct TransportError: Error, CustomStringConvertible {
        var description: String
    }

    struct Progress {
        var calls = 0
        var errors = 0
    }

    /// Calls and errors so far, shared by the workers and the progress line.
    final class ProgressCounter: Sendable {
        let state = Mutex(Progress())
    }
}
