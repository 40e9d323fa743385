import Dispatch
import EventLog

/// A state the engine froze after a command: immutable, published once its last event is durable.
final class EngineVersion: Sendable {
    let state: EngineState
    /// Bytes of event records applied since the engine opened, through `state.lastSequence`.
    let appliedBytes: UInt64

    init(state: EngineState, appliedBytes: UInt64) {
        self.state = state
        self.appliedBytes = appliedBytes
    }
}

extension ConformanceEngine {
    /// Runs one command: records the deployments that came due, decides, submits and applies
    /// under the writer lock, then waits for durability outside it and publishes.
    ///
    /// - Parameter mayWrite: false for queries, which never wait for room in the log.
    nonisolated(nonsending) func perform<Result: Sendable>(
        mayWrite: Bool = true,
        _ decide: (borrowing EngineState, _ now: Int64) throws(ConformanceError) -> Decision<Result>
    ) async throws(ConformanceError) -> Result {
        if mayWrite, let log {
            do { try await log.waitForRoom(timeout: roomTimeout) } catch { throw Self.throttled }
        }
        let (ticket, outcome) = core.withLock { core -> (AppendTicket?, Swift.Result<Result, ConformanceError>) in
            if let refusal = core.refusal { return (nil, .failure(refusal)) }
            var last: AppendTicket?
            let now = clock.now().epochMilliseconds
            defer {
                // Completed deployments leave their entries behind: drop them, so that queries
                // before the next real due time take no lock.
                core.state.due.dropStale(in: core.state)
                nextDue.store(log == nil ? .max : core.state.due.nextTime, ordering: .releasing)
            }
            if log != nil, core.state.due.nextTime <= now {
                var due = core.state.due
                let completions = due.take(dueAt: now, in: core.state)
                if completions.isEmpty {
                    core.state.due = due  // only stale entries were due
                } else {
                    switch commit(completions, to: &core) {
                    case .success(let ticket):
                        core.state.due = due
                        last = ticket
                    case .failure(let error):
                        // A refused completion is tried again by the next request; the command
                        // goes on, unless the engine stopped.
                        if core.refusal != nil { return (nil, .failure(error)) }
                    }
                }
            }
            let outcome: Swift.Result<Result, ConformanceError>
            do throws(ConformanceError) {
                let decision = try decide(core.state, now)
                if !decision.events.isEmpty {
                    switch commit(decision.events, to: &core) {
                    case .success(let ticket): last = ticket
                    case .failure(let error): return (last, .failure(error))
                    }
                }
                outcome = .success(decision.result)
            } catch {
                outcome = .failure(error)
            }
            return (last, outcome)
        }
        if let ticket, let log {
            do {
                // Not cancellable: the events are applied, so the caller must learn whether they were recorded.
                try await log.waitDurable(ticket)
            } catch {
                throw core.withLock { core in handleLogFailure(&core, cause: error, sequence: ticket.sequences.lowerBound) }
            }
            publishDurable()
        }
        return try outcome.get()
    }

    /// Answers a query from the newest durable version, without the writer lock.
    ///
    /// Past the due time of a deployment, the query first records the completions that came due
    /// (a write); if that fails, it is answered from the durable state as it is.
    nonisolated(nonsending) func read<Result: Sendable>(
        _ body: (borrowing EngineState) throws(ConformanceError) -> Result
    ) async throws(ConformanceError) -> Result {
        if stopped.load(ordering: .acquiring), let refusal = core.withLock({ $0.refusal }) { throw refusal }
        if log != nil, clock.now().epochMilliseconds >= nextDue.load(ordering: .acquiring) {
            _ = try? await perform(mayWrite: false) { _, _ in Decision(events: [], result: ()) }
        }
        let version = published.load()
        return try body(version.state)
    }

    /// Publishes the newest frozen version whose events are all durable, and claims a periodic
    /// snapshot of it when enough bytes were applied since the last one.
    ///
    /// The versions are taken under the writer lock, published after it: a publication waits for
    /// readers' few instructions and may free an old version's nodes, and writers need not wait.
    func publishDurable(snapshots: Bool = true) {
        guard let log else { return }
        let durable = log.durableSequence
        var superseded: [EngineVersion] = []
        let (newest, claimed): (EngineVersion?, Bool) = core.withLock { core in
            var newest: EngineVersion?
            while let first = core.unpublished.first, first.state.lastSequence <= durable {
                if let older = newest { superseded.append(older) }
                newest = core.unpublished.removeFirst()
            }
            guard let newest else { return (nil, false) }
            guard snapshots, snapshotEveryBytes > 0, !core.snapshotInFlight, !core.closed,
                  newest.appliedBytes >= core.snapshotAppliedBytes + snapshotEveryBytes
            else { return (newest, false) }
            core.snapshotInFlight = true
            core.snapshotAppliedBytes = newest.appliedBytes
            return (newest, true)
        }
        superseded.removeAll()  // outside the lock: the last reference may free many nodes
        guard let newest else { return }
        // Publications may race: the slot serialises them, and a newer one always wins.
        published.publish(newest) { $0.state.lastSequence < newest.state.lastSequence }
        if claimed { scheduleSnapshot(newest.state) }
    }

    /// Appends `events` to the log, applies them and freezes the result. Called under the lock.
    func commit(_ events: [DomainEvent], to core: inout Core) -> Swift.Result<AppendTicket, ConformanceError> {
        guard let log else { return .failure(Self.readOnlyError) }
        if let full = diskFullRefusal(&core) { return .failure(full) }
        let records = events.map(EventCodec.encode)
        let ticket: AppendTicket
        do {
            ticket = try log.submit(records)
        } catch {
            switch error.code {
            case .overloaded:
                return .failure(Self.throttled)
            case .invalidArgument:
                return .failure(ConformanceError(.validation, "The request is too large to record: \(error.message)."))
            default:
                return .failure(handleLogFailure(&core, cause: error, sequence: core.state.lastSequence + 1))
            }
        }
        let range = ticket.sequences
        // The engine is the log's only writer: its sequences must continue ours exactly.
        guard range.lowerBound == core.state.lastSequence + 1, range.count == events.count else {
            return .failure(refuse(&core, because: SequenceMismatch(expected: core.state.lastSequence + 1, got: range), sequence: range.lowerBound))
        }
        for (offset, event) in events.enumerated() {
            core.state.apply(event, sequence: range.lowerBound + UInt64(offset))
        }
        for record in records { core.appliedBytes += UInt64(record.payload.count) }
        core.unpublished.append(EngineVersion(state: core.state, appliedBytes: core.appliedBytes))
        // Results of dropped rules: released on a background thread, not on this path (versions
        // that still hold them release them when they go).
        let graveyard = core.state.compliance.takeGraveyard()
        if graveyard.treeCount > 0 { DispatchQueue.global(qos: .utility).async { withExtendedLifetime(graveyard) {} } }
        return .success(ticket)
    }

    private struct SequenceMismatch: Error, CustomStringConvertible {
        var expected: UInt64
        var got: ClosedRange<UInt64>
        var description: String { "the log handed out sequences \(got) where \(expected) was expected" }
    }
}
