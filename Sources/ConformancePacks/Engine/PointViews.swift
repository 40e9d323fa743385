import Foundation
import Synchronization

/// The read-only views of past points that an engine built lately (`x-conform-at`), keyed by
/// the last sequence each covers, least recently used evicted first.
///
/// A point asked for while it is being built waits for that build: concurrent first requests
/// for a point build it once. A failed build is not kept (the next request tries again). Builds
/// run on a thread of their own, since under `conform serve` the global executor is the event
/// loops and a rebuild reads files and replays events. Each view holds a whole state, so at
/// most ``buildsAtOnce`` are built at a time: a request for yet another point is refused with
/// `ThrottlingException` until one finishes.
final class PointViews: Sendable {
    /// How many built views are kept.
    let capacity: Int
    private let state: Mutex<State>

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// Moves on with every use; an entry's `used` is the tick of its last use.
        var tick: UInt64 = 0
        /// Builds started since the cache was made (for tests and statistics).
        var builds = 0
        /// Times (epoch ms) already resolved: the sequence, and how far the log was read for it.
        var times: [Int64: (sequence: UInt64, scanned: UInt64)] = [:]
        var timeOrder: [Int64] = []
    }

    /// How many resolved times are remembered.
    static let timesKept = 64
    /// How many views may be built at once.
    static let buildsAtOnce = 2

    private struct Entry {
        var slot: Slot
        var used: UInt64
    }

    private enum Slot {
        case building([CheckedContinuation<ConformanceEngine, any Error>])
        case ready(ConformanceEngine)
    }

    private enum Action {
        case answer(ConformanceEngine)
        case wait
        case build
        case refuse
    }

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State())
    }

    /// The view of `sequence`: kept, being built, or built now by `build`.
    func view(
        at sequence: UInt64, build: @escaping @Sendable () throws -> ConformanceEngine
    ) async throws -> ConformanceEngine {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ConformanceEngine, any Error>) in
            let action = state.withLock { state -> Action in
                state.tick += 1
                guard var entry = state.entries[sequence] else {
                    let building = state.entries.values.count { if case .building = $0.slot { true } else { false } }
                    guard building < Self.buildsAtOnce else { return .refuse }
                    state.entries[sequence] = Entry(slot: .building([continuation]), used: state.tick)
                    state.builds += 1
                    return .build
                }
                entry.used = state.tick
                let action: Action
                switch entry.slot {
                case .ready(let view):
                    action = .answer(view)
                case .building(var waiting):
                    waiting.append(continuation)
                    entry.slot = .building(waiting)
                    action = .wait
                }
                state.entries[sequence] = entry
                return action
            }
            switch action {
            case .answer(let view): continuation.resume(returning: view)
            case .wait: break
            case .refuse:
                continuation.resume(throwing: ConformanceError(
                    .throttling, "\(Self.buildsAtOnce) past points are being rebuilt already; ask again once one is answered."))
            case .build:
                Self.startThread { [self] in finish(sequence, Result { try build() }) }
            }
        }
    }

    /// Runs `body` on a thread of its own: a rebuild reads files and replays events, which must
    /// not hold an event loop (under `conform serve` the global executor).
    static func startThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "conform-view"
        thread.start()
    }

    /// Keeps a built view (evicting the least recently used beyond `capacity`) and answers
    /// everyone waiting for it.
    private func finish(_ sequence: UInt64, _ result: Result<ConformanceEngine, any Error>) {
        let waiting = state.withLock { state -> [CheckedContinuation<ConformanceEngine, any Error>] in
            guard let entry = state.entries[sequence], case .building(let waiting) = entry.slot else { return [] }
            switch result {
            case .success(let view):
                // Used now: a view that took long to build is not the first one out.
                state.tick += 1
                state.entries[sequence] = Entry(slot: .ready(view), used: state.tick)
                var ready = state.entries.filter { if case .ready = $0.value.slot { true } else { false } }
                while ready.count > capacity, let oldest = ready.min(by: { $0.value.used < $1.value.used })?.key {
                    ready[oldest] = nil
                    state.entries[oldest] = nil
                }
            case .failure:
                state.entries[sequence] = nil
            }
            return waiting
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    /// The sequence a time was resolved to and how far the log was read for it, if remembered.
    func resolution(at time: Int64) -> (sequence: UInt64, scanned: UInt64)? {
        state.withLock { $0.times[time] }
    }

    /// Remembers that `time` stands for `sequence` in the log read through `scanned`; the oldest
    /// times beyond ``timesKept`` are forgotten.
    func remember(time: Int64, sequence: UInt64, scanned: UInt64) {
        state.withLock { state in
            guard state.times.updateValue((sequence, scanned), forKey: time) == nil else { return }
            state.timeOrder.append(time)
            if state.timeOrder.count > Self.timesKept { state.times[state.timeOrder.removeFirst()] = nil }
        }
    }

    /// The sequences of the views kept, the number of builds started so far, and the times remembered.
    var contents: (kept: Set<UInt64>, builds: Int, times: Int) {
        state.withLock { state in
            (Set(state.entries.compactMap { if case .ready = $0.value.slot { $0.key } else { nil } }), state.builds, state.times.count)
        }
    }
}
