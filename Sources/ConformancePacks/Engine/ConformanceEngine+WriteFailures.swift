import EventLog
import Logging

extension ConformanceEngine {
    /// Below this much free space, after a write failed for lack of it, writes are refused at
    /// once instead of being tried (each failed try costs a rebuild of the state): room for the
    /// largest batch (4 MiB) and a new segment, so a write let through does not fail again.
    static let diskFullResumeBytes: UInt64 = 5 << 20

    /// What to answer a command whose events the log did not take, and how the engine goes on.
    ///
    /// When the log cut the failed group back off the disk (``EventLog/canResume``), the writer's
    /// state goes back to the version that is exactly the log's durable end (a frozen version,
    /// so this is O(1); a replay from the log only if no such version is at hand), the log takes
    /// appends again, and the command is answered with an error that says it was not recorded.
    /// When the outcome is unknown, the engine stops (``refuse(_:because:sequence:)``). Called
    /// under the lock.
    func handleLogFailure(_ core: inout Core, cause: LogError, sequence: UInt64) -> ConformanceError {
        guard let log else { return Self.readOnlyError }
        if let refusal = core.refusal { return refusal }
        guard let failure = log.failure else {
            // The log was closed under the engine: nothing more can be recorded.
            if cause.code == .closed { return refuse(&core, because: cause, sequence: sequence) }
            // Another request already recovered from this failure.
            return Self.notRecorded(cause)
        }
        guard log.canResume else { return refuse(&core, because: failure, sequence: sequence) }
        let durable = log.durableSequence
        do {
            let base: EngineVersion
            var shared = true
            let current = published.load()
            if current.state.lastSequence == durable {
                base = current
            } else if let frozen = core.unpublished.last(where: { $0.state.lastSequence == durable }) {
                base = frozen
            } else {
                // Not expected (groups end where commands end, and every command is frozen),
                // but the log is the truth: replay it, into a state of its own.
                let rebuilt = try Self.rebuild(
                    snapshots: snapshotStore, logDirectory: log.directory, io: io, through: durable, ownsLog: false,
                    logger: logger, reader: { from throws(LogError) in try log.read(from: from, through: durable) }
                )
                base = EngineVersion(state: rebuilt.state, appliedBytes: rebuilt.replayedBytes)
                shared = false
            }
            try log.resume()
            core.state = base.state
            // Strings interned by the failed commands go too: the table is shared by the versions
            // of this history (a replayed state has a table of its own).
            if shared { core.state.compliance.rollBack(to: base.state.compliance) }
            core.appliedBytes = base.appliedBytes
            core.unpublished.removeAll()
            // Everything through `durable` is durable: the base is the newest durable version.
            if base !== current { published.publish(base) { $0 !== base } }
            nextDue.store(core.state.due.nextTime, ordering: .releasing)
            core.snapshotSequence = min(core.snapshotSequence, base.state.lastSequence)
            core.diskFull = failure.code == .diskFull
        } catch {
            return refuse(&core, because: error, sequence: sequence)
        }
        logger.warning(
            "A write to the event log failed and was cut back off it; the state went back to the log's durable end",
            metadata: ["log.sequence": "\(durable)", "error": "\(failure)"]
        )
        return Self.notRecorded(failure)
    }

    /// The refusal of a write while the disk stays full, or nil when it may be tried.
    /// Called under the lock.
    func diskFullRefusal(_ core: inout Core) -> ConformanceError? {
        guard core.diskFull else { return nil }
        let free = (try? LogDirectory.availableBytes(dataDirectory, io: io)) ?? .max
        if free >= Self.diskFullResumeBytes {
            core.diskFull = false
            return nil
        }
        return Self.notRecorded(LogError(code: .diskFull, message: "\(free) bytes are free"))
    }

    /// The answer to a command the log did not record.
    static func notRecorded(_ error: LogError) -> ConformanceError {
        let rootCode = (error.cause as? LogError)?.code ?? error.code
        if rootCode == .diskFull {
            return ConformanceError(
                .serviceUnavailable,
                "The request was not recorded: the disk holding the conform data directory is full. Free space on it; writes resume without a restart."
            )
        }
        return ConformanceError(
            .internalFailure,
            "The request was not recorded: writing it to the event log failed (\(rootCode.rawValue)). The engine recovered its state from the log and takes requests again."
        )
    }
}
