import Benchmark
import CLZ4Bench
import EventLog
import Foundation

// Event-log throughput on ~120-byte events. Setup (opening logs, writing the read fixture) stays
// outside the measurement. Each benchmark reports `events/s` (custom metric, computed from the
// measured interval) beside wall clock and malloc counts; see BENCHMARKS.md for the figures.

/// A realistic ~120-byte event: a compact JSON evaluation result with varying ids.
func sampleRecord(_ i: Int) -> EventRecord {
    var text = "{\"p\":\"pack-\(i % 97)\",\"r\":\"s3-bucket-versioning-\(i % 13)\",\"id\":\"arn:aws:s3:::bucket-\(i &* 7919 % 100_000)\",\"c\":\"\(i % 3 == 0 ? "NON_COMPLIANT" : "COMPLIANT")\",\"t\":\(1_700_000_000 + i)}"
    while text.utf8.count < 120 { text += " " }
    return EventRecord(type: UInt16(i % 5), schemaVersion: 1, payload: Array(text.utf8.prefix(120)))
}

/// Chunks of 1,000 records, built once.
let chunks: [[EventRecord]] = (0..<16).map { c in (0..<1000).map { sampleRecord(c * 1000 + $0) } }

/// The on-disk encoding of the records in `chunks` (type u16 · version u8 · varint length · bytes),
/// concatenated, for the raw LZ4 comparison.
let encodedChunk: [UInt8] = {
    var bytes: [UInt8] = []
    for chunk in chunks {
        for record in chunk {
            bytes += [UInt8(record.type & 0xFF), UInt8(record.type >> 8), record.schemaVersion]
            var length = UInt32(record.payload.count)
            while length >= 0x80 {
                bytes.append(UInt8(length & 0x7F) | 0x80)
                length >>= 7
            }
            bytes.append(UInt8(length))
            bytes += record.payload
        }
    }
    return bytes
}()

func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-bench-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
let eventsPerSync = BenchmarkMetric.custom("events/fsync", polarity: .prefersLarger, useScalingFactor: false)

func rate(_ events: Int, _ elapsed: Duration) -> Int {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Int(Double(events) / seconds) : 0
}

/// The read fixture: one million events written once, before the read benchmarks run.
let readFixture: String = {
    let directory = temporaryDirectory("read")
    let semaphore = DispatchSemaphore(value: 0)
    Task {
        let log = try EventLog.open(directory: directory, options: LogOptions(durability: .none))
        for _ in 0..<62 {
            for chunk in chunks { _ = try log.enqueue(chunk) }
            try await log.waitDurable(log.lastSequence)
        }
        try await log.close()
        semaphore.signal()
    }
    semaphore.wait()
    return directory
}()

let benchmarks: @Sendable () -> Void = {
    let common: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .syscalls, eventsPerSecond]

    Benchmark(
        "EventLog.append durability=none, 1M events in 1000-event enqueues",
        configuration: .init(metrics: common, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 7)
    ) { benchmark async throws in
        let directory = temporaryDirectory("none")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog.open(directory: directory, options: LogOptions(durability: .none))
        let total = 1_000_000
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        var window: [UInt64] = []
        window.reserveCapacity(64)
        var enqueued = 0
        while enqueued < total {
            let range = try log.enqueue(chunks[(enqueued / 1000) % chunks.count])
            enqueued += 1000
            window.append(range.upperBound)
            // Keep at most 64 chunks (~8 MB) in flight, as `append` back-pressure would.
            if window.count == 64 {
                try await log.waitDurable(window.removeFirst())
            }
        }
        try await log.waitDurable(log.lastSequence)
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        benchmark.measurement(eventsPerSecond, rate(total, elapsed))
        try await log.close()
    }

    Benchmark(
        "EventLog.append durability=everyBatch, 256 concurrent appenders, 1 event each",
        configuration: .init(metrics: common + [eventsPerSync], warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 7)
    ) { benchmark async throws in
        let directory = temporaryDirectory("every")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog.open(directory: directory, options: LogOptions(durability: .everyBatch))
        let appenders = 256
        let appendsEach = 400
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in 0..<appenders {
                group.addTask {
                    let chunk = chunks[a % chunks.count]
                    for i in 0..<appendsEach {
                        _ = try await log.append([chunk[i % chunk.count]])
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        let stats = log.statistics
        benchmark.measurement(eventsPerSecond, rate(appenders * appendsEach, elapsed))
        benchmark.measurement(eventsPerSync, Int(stats.events / max(stats.syncs, 1)))
        try await log.close()
    }

    Benchmark(
        "EventLog.append durability=everyBatch, 256 concurrent appenders, 10 events each",
        configuration: .init(metrics: common + [eventsPerSync], warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 7)
    ) { benchmark async throws in
        let directory = temporaryDirectory("every10")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog.open(directory: directory, options: LogOptions(durability: .everyBatch))
        let appenders = 256
        let appendsEach = 100
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in 0..<appenders {
                group.addTask {
                    let chunk = chunks[a % chunks.count]
                    for i in 0..<appendsEach {
                        let at = (i * 10) % (chunk.count - 10)
                        _ = try await log.append(Array(chunk[at..<(at + 10)]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        let stats = log.statistics
        benchmark.measurement(eventsPerSecond, rate(appenders * appendsEach * 10, elapsed))
        benchmark.measurement(eventsPerSync, Int(stats.events / max(stats.syncs, 1)))
        try await log.close()
    }

    Benchmark(
        "EventLog.read sequential next(), 992k events, decompress + checksum",
        configuration: .init(metrics: common, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 7)
    ) { benchmark throws in
        let directory = readFixture
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let reader = try LogDirectory.openReader(directory: directory)
        var count = 0
        var bytes = 0
        while let event = try reader.next() {
            count += 1
            bytes &+= event.record.payload.count
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        blackHole(bytes)
        benchmark.measurement(eventsPerSecond, rate(count, elapsed))
    }

    Benchmark(
        "EventLog.read sequential forEach (no payload copy), 992k events, decompress + checksum",
        configuration: .init(metrics: common, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 7)
    ) { benchmark throws in
        let directory = readFixture
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let reader = try LogDirectory.openReader(directory: directory)
        var count = 0
        var bytes = 0
        try reader.forEach { _, _, _, payload in
            count += 1
            bytes &+= payload.count
            return true
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        blackHole(bytes)
        benchmark.measurement(eventsPerSecond, rate(count, elapsed))
    }

    Benchmark(
        "LZ4 raw compression of the same encoded events (LZ4_compress_default, 16k-event blocks)",
        configuration: .init(metrics: [.wallClock, eventsPerSecond], warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 7)
    ) { benchmark in
        let source = encodedChunk
        let events = chunks.count * 1000
        let bound = Int(LZ4_compressBound(Int32(source.count)))
        var destination = [UInt8](repeating: 0, count: bound)
        let rounds = 62
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        var total = 0
        for _ in 0..<rounds {
            source.withUnsafeBytes { src in
                destination.withUnsafeMutableBytes { dst in
                    total &+= Int(LZ4_compress_default(
                        src.baseAddress?.assumingMemoryBound(to: CChar.self), dst.baseAddress?.assumingMemoryBound(to: CChar.self),
                        Int32(src.count), Int32(dst.count)))
                }
            }
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        blackHole(total)
        benchmark.measurement(eventsPerSecond, rate(rounds * events, elapsed))
    }
}
