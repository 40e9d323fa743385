import EventLog
import Foundation
import Logging

extension ConformanceEngine {
    /// Snapshots kept on disk: the newest ones whose checks pass.
    static let snapshotsKept = 2

    /// Rebuilds the read models: the newest snapshot the log vouches for, then every later event.
    ///
    /// A snapshot is used only when its file checks pass, it decodes, it lies at or before
    /// `through`, and its log fingerprint matches the log in `logDirectory` (the batch that held
    /// its last sequence is still there, with the same checksum). Snapshots of file version 1
    /// carry no fingerprint and are never used. Every snapshot passed over is logged; with
    /// `ownsLog` (the writer, holding the log's lock), one that does not match the log or does not
    /// decode is also moved aside, never deleted.
    ///
    /// - Parameters:
    ///   - through: The last sequence of the log, or of the point a read-only view stops at.
    ///   - ownsLog: Whether the caller holds the log's lock (a snapshot beyond `through` is then
    ///     from a history that is gone, not merely later than the point read to).
    ///   - progress: Called now and then with the events applied after the snapshot and the
    ///     number there are to apply (up to `through`), and once at the end.
    /// - Returns: The state, the sequence of the snapshot it started from (nil for event 1), and
    ///   the bytes of the events replayed after it.
    static func rebuild(
        snapshots: SnapshotStore?,
        logDirectory: String,
        io: any FileIO,
        through: UInt64,
        ownsLog: Bool,
        logger: Logger,
        reader: (UInt64) throws(LogError) -> LogReader,
        progress: ((_ applied: UInt64, _ total: UInt64) -> Void)? = nil
    ) throws -> (state: EngineState, snapshotSequence: UInt64?, replayedBytes: UInt64) {
        var state = EngineState()
        var snapshotSequence: UInt64?
        var replayedBytes: UInt64 = 0
        if let snapshots {
            var undecodable: Set<String> = []
            // Snapshots later than the point a view stops at: expected, so reported at debug only.
            var later: Set<String> = []
            // Bounded by the number of snapshot files: each pass uses one or excludes one.
            while true {
                let load = snapshots.loadNewest(maxFormatVersion: SnapshotCodec.formatVersion, moveAside: ownsLog) { header in
                    if undecodable.contains(header.path) { return .skip("it does not decode") }
                    if header.sequence > through {
                        if !ownsLog { later.insert(header.path) }
                        return ownsLog
                            ? .reject("it covers sequence \(header.sequence), beyond the log's end at \(through)")
                            : .skip("it covers sequence \(header.sequence), beyond sequence \(through), where this view stops")
                    }
                    if header.formatVersion < SnapshotCodec.formatVersion {
                        return .skip("it is of format \(header.formatVersion), written by an earlier release before the compliance store; the log is replayed instead")
                    }
                    guard let fingerprint = header.fingerprint else {
                        return .skip("it was written before snapshots recorded a log fingerprint, so it cannot be checked against the log; the log is replayed instead")
                    }
                    switch LogDirectory.check(fingerprint, directory: logDirectory, io: io) {
                    case .matches: return .use
                    case .mismatch(let why): return .reject(why)
                    case .unverifiable(let why): return .skip(why)
                    }
                }
                for skipped in load.skipped where !undecodable.contains(skipped.file ?? "") {
                    logger.log(
                        level: later.contains(skipped.file ?? "") ? .debug : .warning, "Passed over a snapshot",
                        metadata: ["snapshot.file": "\(skipped.file ?? "")", "reason": "\(skipped.message)"])
                }
                guard let snapshot = load.snapshot else { break }
                do {
                    let decoded = try SnapshotCodec.read(snapshot)
                    guard decoded.lastSequence == snapshot.sequence else {
                        throw DecodeError(message: "it holds sequence \(decoded.lastSequence), not \(snapshot.sequence)", offset: 0)
                    }
                    state = decoded
                    snapshotSequence = snapshot.sequence
                    break
                } catch {
                    let path = snapshots.path(of: snapshot)
                    // A failed read is not damage: such a snapshot is passed over, not moved aside.
                    let unreadable = (error as? LogError).map { $0.code == .io } ?? false
                    logger.warning(
                        unreadable ? "Passed over a snapshot that could not be read" : "Passed over a snapshot that does not decode",
                        metadata: ["snapshot.file": "\(path)", "error": "\(error)"])
                    if ownsLog, !unreadable { snapshots.quarantine(path, tag: "corrupt") }
                    undecodable.insert(path)
                }
            }
        }
        let events = try reader(state.lastSequence + 1)
        let start = state.lastSequence
        let total = through >= start && through != .max ? through - start : 0
        while let logged = try events.next() {
            state.apply(try decodeForReplay(logged, after: state.lastSequence), sequence: logged.sequence)
            replayedBytes += UInt64(logged.record.payload.count)
            if let progress, logged.sequence & 0x3FFF == 0 { progress(logged.sequence - start, max(total, logged.sequence - start)) }
        }
        progress?(state.lastSequence - start, max(total, state.lastSequence - start))
        return (state, snapshotSequence, replayedBytes)
    }

    /// The event `logged` holds, checked to follow sequence `last`.
    ///
    /// - Throws: ``ConformanceError`` (`InternalFailure`) for a gap or an event that does not decode.
    static func decodeForReplay(_ logged: LoggedEvent, after last: UInt64) throws(ConformanceError) -> DomainEvent {
        guard logged.sequence == last + 1 else {
            throw ConformanceError(.internalFailure, "Replay expected event \(last + 1) but the log gave \(logged.sequence).")
        }
        do {
            return try EventCodec.decode(logged.record)
        } catch {
            throw ConformanceError(
                .internalFailure,
                "Event \(logged.sequence) of the log cannot be decoded (\(error)); it was written by another program or version."
            )
        }
    }

    /// Writes `state`, a published (durable) version, once its last event is also synced (not
    /// only durable by the policy), off the caller's path.
    ///
    /// The task only waits; encoding and writing (which fsyncs) run on a thread of their own, since
    /// under `conform serve` the global executor is the NIO event loops and a task would block one.
    func scheduleSnapshot(_ state: EngineState) {
        guard let log else { return }
        // Created and stored in one critical section, so `close()` either awaits the task or
        // finds the engine closed here first: a snapshot never races the final one.
        core.withLock { core in
            guard !core.closed else {
                core.snapshotInFlight = false
                return
            }
            core.snapshotTask = Task.detached { [self] in
                do {
                    try await log.sync()
                    await writeSnapshotOnThread(state)
                } catch {
                    logger.info("Skipped a snapshot: its events never became durable", metadata: ["error": "\(error)"])
                }
                self.core.withLock { $0.snapshotInFlight = false }
            }
        }
    }

    /// Runs ``writeSnapshot(_:)`` on a dedicated thread and resumes once it is done.
    func writeSnapshotOnThread(_ state: EngineState) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                writeSnapshot(state)
                continuation.resume()
            }
            thread.name = "conform-snapshot"
            thread.start()
        }
    }

    /// Encodes and stores a snapshot of `state`, whose last event is synced, with the log's
    /// fingerprint at that event; then prunes older snapshots. Failures are logged (the log stays
    /// authoritative).
    func writeSnapshot(_ state: EngineState) {
        guard let log, state.lastSequence > 0 else { return }
        do {
            let fingerprint = try log.fingerprint(of: state.lastSequence)
            let writer = try snapshotStore.writer(sequence: state.lastSequence, formatVersion: SnapshotCodec.formatVersion, fingerprint: fingerprint)
            try SnapshotCodec.write(state, to: writer)
            try writer.finish()
            core.withLock { $0.snapshotSequence = max($0.snapshotSequence, state.lastSequence) }
            // Only snapshots the log still vouches for count among those kept.
            let pruned = snapshotStore.prune(keep: Self.snapshotsKept) { header in
                guard header.formatVersion == SnapshotCodec.formatVersion, let fingerprint = header.fingerprint else { return false }
                return LogDirectory.check(fingerprint, directory: log.directory, io: io) == .matches
            }
            logger.debug(
                "Wrote snapshot",
                metadata: ["snapshot.sequence": "\(state.lastSequence)", "snapshot.pruned": "\(pruned.count)"]
            )
        } catch {
            logger.info("Could not write a snapshot", metadata: ["snapshot.sequence": "\(state.lastSequence)", "error": "\(error)"])
        }
    }
}
