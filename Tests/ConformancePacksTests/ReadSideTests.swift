import EventLog
import Foundation
import SimulatedDisk
import Synchronization
import Testing
@testable import ConformancePacks
#if canImport(Glibc)
import Glibc
#endif

/// Queries read an immutable published version: they never take the writer's lock, never see
/// what is not durable, and never see a write that then fails.
@Suite("The read side")
struct ReadSideTests {
    /// Pack names in the writer's (newest, maybe not durable) state.
    static func writerPackNames(_ engine: ConformanceEngine) -> [String] {
        engine.core.withLock { Array($0.state[partition: PartitionKey(accountId: alice.accountId, region: alice.region)].packs.keys) }
    }

    @Test("A query never shows a write before it is durable, nor one whose write then fails")
    func queriesSeeOnlyDurableState() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await engine.putConformancePack(put("kept", body: template(rules: ["r1"])), context: alice)
        let digest = engine.stateDigest()

        disk.blockSyncs()
        let write = Task { await errorCode { _ = try await engine.putConformancePack(put("lost", body: template(rules: ["r2"])), context: alice) } }
        // Bounded: the write is applied to the writer's state within a few milliseconds.
        var waited = 0
        while !Self.writerPackNames(engine).contains("lost"), waited < 2000 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        #expect(Self.writerPackNames(engine) == ["kept", "lost"], "the write is applied, and waits for its sync")
        #expect(try await packNames(engine) == ["kept"])
        #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.count == 1)
        #expect(engine.stateDigest() == digest)

        // The sync fails: the group is cut back off the log and the write answered as not recorded.
        disk.arm(.init(at: 1, kinds: [.syncData], errno: EIO))
        disk.unblockSyncs()
        #expect(await write.value == .internalFailure)
        disk.arm(nil)
        #expect(try await packNames(engine) == ["kept"])
        #expect(Self.writerPackNames(engine) == ["kept"], "the writer went back to the durable version")
        #expect(engine.stateDigest() == digest)

        // And the engine goes on.
        _ = try await engine.putConformancePack(put("after", body: template(rules: ["r3"])), context: alice)
        #expect(try await packNames(engine) == ["after", "kept"])
        try await engine.close()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(reopened) == ["after", "kept"])
        try await reopened.close()
    }

    @Test("Queries are answered while the writer's lock is held: they never wait for a writer")
    func queriesTakeNoWriterLock() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("p", body: template(rules: ["r1", "r2"])), context: alice)
            let held = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let released = Flag()
            let holder = Thread {
                engine.core.withLock { _ in
                    held.signal()
                    // Bounded: released by the test, or after 10 s if a query blocked on the lock.
                    _ = release.wait(timeout: .now() + 10)
                    released.set()
                }
            }
            holder.start()
            held.wait()
            let names = try await packNames(engine)
            let status = try await engine.describeConformancePackStatus(.init(), context: alice)
            let rules = try await engine.describeConfigRules(.init(), context: alice)
            let answeredWhileHeld = !released.isSet
            #expect(answeredWhileHeld, "the queries were answered while the lock was held")
            release.signal()
            #expect(names == ["p"])
            #expect(status.conformancePackStatusDetails?.count == 1)
            #expect(rules.configRules?.count == 2)
        }
    }

    @Test("Under concurrent writers, readers see versions only in sequence order, each a state the log holds")
    func publicationsAreOrdered() async throws {
        try await withEngine { engine in
            let done = Flag()
            let readers = (0..<2).map { _ in
                Task { () -> [String] in
                    var problems: [String] = []
                    var lastSeen: UInt64 = 0
                    var lastCount = 0
                    while !done.isSet {
                        let sequence = engine.lastSequence
                        let names = (try? await allPackNames(engine)) ?? []
                        if sequence < lastSeen { problems.append("sequence went back from \(lastSeen) to \(sequence)") }
                        if names.count < lastCount { problems.append("packs went from \(lastCount) to \(names.count)") }
                        lastSeen = max(lastSeen, sequence)
                        lastCount = max(lastCount, names.count)
                        await Task.yield()
                    }
                    return problems
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<10 {
                            _ = try? await engine.putConformancePack(put("w\(writer)-\(index)", body: template(rules: ["r"])), context: alice)
                        }
                    }
                }
            }
            done.set()
            for reader in readers { #expect(await reader.value == []) }
            #expect(try await allPackNames(engine).count == 40)
            // Every published state is one the log holds: the last equals a fresh replay.
            let digest = engine.stateDigest()
            let directory = engine.dataDirectory
            try await engine.close()
            #expect(try ConformanceEngine.replay(dataDirectory: directory).digest == digest)
        }
    }
}

/// A flag shared between threads and tasks.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
}

/// Every pack name of alice's partition, through every page.
func allPackNames(_ engine: ConformanceEngine) async throws -> [String] {
    var names: [String] = []
    var token: String?
    repeat {
        let page = try await engine.describeConformancePackStatus(.init(nextToken: token), context: alice)
        names += page.conformancePackStatusDetails?.map(\.conformancePackName) ?? []
        token = page.nextToken
    } while token != nil
    return names
}
