import Foundation
import Synchronization
import Testing
@testable import ComplianceStore

@Suite("Readers beside the writer")
struct ConcurrencyTests {
    /// A published version and what the writer saw in it when it published.
    struct Published: Sendable {
        var store: ComplianceStore
        var bytes: [UInt8]
        var generation: Int
    }

    @Test("Two reader threads keep reading published versions exactly as published while the writer goes on")
    func readersBesideWriter() {
        var setup = ComplianceStore()
        let rules = (0..<8).map { setup.ruleSlot(forKey: "rule-\($0)") }
        let pack = setup.groupSlot(forKey: "pack")
        for rule in rules.prefix(4) { setup.assign(rule: rule, to: pack, recordedTime: 0) }
        let initial = Published(store: setup, bytes: setup.serializedBytes(), generation: 0)
        let mailbox = Mutex(initial)
        let done = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let checks = Atomic<Int>(0)
        let finished = DispatchGroup()

        let writerThread = Thread {
            var writer = initial.store
            var rng = SeededGenerator(seed: 41)
            for generation in 1...60 {
                for _ in 0..<10 {
                    let rule = rules[Int(rng.next() % UInt64(rules.count))]
                    let inputs = (0..<50).map { _ in
                        EvaluationInput(
                            rule: rule, resourceType: "AWS::Type::\(rng.next() % 4)", resourceId: "resource-\(rng.next() % 3_000)",
                            compliance: ResultCompliance.allCases[Int(rng.next() % 3)], orderingTimestamp: Int64(rng.next() % 100),
                            annotation: rng.next() % 2 == 0 ? "annotation \(rng.next() % 20)" : nil)
                    }
                    _ = writer.record(inputs, recordedTime: Int64(generation))
                }
                if generation % 13 == 0 { writer.deleteResults(rule: rules[generation % rules.count], recordedTime: Int64(generation)) }
                if generation % 17 == 0 { _ = writer.takeGraveyard() }
                let published = Published(store: writer, bytes: writer.serializedBytes(), generation: generation)
                mailbox.withLock { $0 = published }
            }
            done.store(true, ordering: .releasing)
            finished.leave()
        }
        let readerThreads = (0..<2).map { reader in
            Thread {
                var previous = -1
                while !done.load(ordering: .acquiring) || previous < 60 {
                    let published = mailbox.withLock { $0 }
                    previous = published.generation
                    // Read the same version several times while the writer mutates its copy.
                    for _ in 0..<3 {
                        var problems: [String] = []
                        if published.store.serializedBytes() != published.bytes {
                            problems.append("reader \(reader): generation \(published.generation) changed under the reader")
                        }
                        for rule in rules {
                            var rows = 0
                            var after: UInt64? = nil
                            while true {
                                let page = published.store.page(rule: rule, filter: .init(), after: after, limit: 64)
                                rows += page.rows.count
                                guard page.more else { break }
                                after = page.nextAfter
                            }
                            if rows != published.store.ruleSummary(rule)?.totalCount { problems.append("reader \(reader): page chain count differs") }
                        }
                        if published.store.findRuleSlot(forKey: "rule-3") != rules[3] { problems.append("reader \(reader): lookup failed") }
                        if !problems.isEmpty { failures.withLock { $0 += problems } }
                        checks.add(1, ordering: .relaxed)
                    }
                }
                finished.leave()
            }
        }
        finished.enter()
        writerThread.start()
        for thread in readerThreads {
            finished.enter()
            thread.start()
        }
        finished.wait()
        let problems = failures.withLock { $0 }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(checks.load(ordering: .relaxed) > 6)
    }
}
