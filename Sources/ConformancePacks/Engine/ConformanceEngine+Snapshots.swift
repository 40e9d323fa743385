import EventLog
import Foundation
import Logging

extension ConformanceEngine {
    /// Rebuilds the read models: the newest valid snapshot, then every later event of the log.
    ///
    /// A snapshot that fails its checksum (reported by the store), does not decode, or claims a
    /// sequence past the end of the log is logged and ignored.
    ///
    /// - Returns: The state, and the sequence of the snapshot it started from (nil for event 1).
    static func rebuild(
        snapshots: SnapshotStore?,
        logger: Logger,
        lastSequence: UInt64,
        reader: (UInt64) throws(LogError) -> LogReader
    ) throws -> (state: EngineState, snapshotSequence: UInt64?) {
        var state = EngineState()
        var snapshotSequence: UInt64?
        if let snapshots {
            let (snapshot, skipped) = snapshots.loadNewest(maxFormatVersion: SnapshotCodec.formatVersion)
            for error in skipped {
                logger.info("Skipped an invalid snapshot", metadata: ["error": "\(error)"])
            }
            if let snapshot {
                do {
                    let decoded = try SnapshotCodec.decode(snapshot.blob)
                    if snapshot.sequence > lastSequence || decoded.lastSequence != snapshot.sequence {
                        logger.info(
                            "Skipped a snapshot that does not match the log",
                            metadata: ["snapshot.sequence": "\(snapshot.sequence)", "log.sequence": "\(lastSequence)"]
                        )
                    } else {
                        state = decoded
                        snapshotSequence = snapshot.sequence
                    }
                } catch {
                    logger.info(
                        "Skipped a snapshot that does not decode",
                        metadata: ["snapshot.sequence": "\(snapshot.sequence)", "error": "\(error)"]
                    )
                }
            }
        }
        let events = try reader(state.lastSequence + 1)
        while let logged = try events.next() {
            guard logged.sequence == state.lastSequence + 1 else {
                throw ConformanceError(
                    .internalFailure,
                    "Replay expected event \(state.lastSequence + 1) but the log gave \(logged.sequence)."
                )
            }
            let event: DomainEvent
            do {
                event = try EventCodec.decode(logged.record)
            } catch {
                throw ConformanceError(
                    .internalFailure,
                    "Event \(logged.sequence) of the log cannot be decoded (\(error)); it was written by another program or version."
                )
            }
            state.apply(event, sequence: logged.sequence)
        }
        return (state, snapshotSequence)
    }

    /// Claims the next periodic snapshot when one is due. Called under the lock.
    func snapshotDue(_ core: inout Core) -> EngineState? {
        guard snapshotEvery > 0, !core.snapshotInFlight,
            core.state.lastSequence >= core.snapshotSequence + snapshotEvery
        else { return nil }
        core.snapshotInFlight = true
        return core.state  // O(1): the read models are copy-on-write values.
    }

    /// Writes `state` once its last event is durable, off the caller's path.
    ///
    /// The task only waits; encoding and writing (which fsyncs) run on a thread of their own, since
    /// under `conform serve` the global executor is the NIO event loops and a task would block one.
    func scheduleSnapshot(_ state: EngineState) {
        guard let log else { return }
        let task = Task.detached { [self] in
            do {
                try await log.waitDurable(state.lastSequence)
                await writeSnapshotOnThread(state)
            } catch {
                logger.info("Skipped a snapshot: its events never became durable", metadata: ["error": "\(error)"])
            }
            core.withLock { $0.snapshotInFlight = false }
        }
        core.withLock { $0.snapshotTask = task }
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

    /// Encodes and stores a snapshot of `state`; failures are logged (the log stays authoritative).
    func writeSnapshot(_ state: EngineState) {
        let blob = SnapshotCodec.encode(state)
        do {
            try snapshotStore.write(sequence: state.lastSequence, formatVersion: SnapshotCodec.formatVersion, blob: blob)
            core.withLock { $0.snapshotSequence = max($0.snapshotSequence, state.lastSequence) }
            logger.debug("Wrote snapshot", metadata: ["snapshot.sequence": "\(state.lastSequence)", "snapshot.bytes": "\(blob.count)"])
        } catch {
            logger.info("Could not write a snapshot", metadata: ["snapshot.sequence": "\(state.lastSequence)", "error": "\(error)"])
        }
    }
}
