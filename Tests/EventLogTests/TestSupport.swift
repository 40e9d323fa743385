import EventLog
import Foundation

/// A fresh directory under the system temp dir, removed after `body`.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async rethrows -> R {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-tests-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    return try await body(base)
}

/// A deterministic record: payload bytes derived from `seed`, about `size` bytes.
func makeRecord(_ seed: UInt64, size: Int = 120) -> EventRecord {
    var payload = [UInt8](repeating: 0, count: size)
    var x = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    for i in 0..<size {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        // Half structured, half random, like real JSON-ish events.
        payload[i] = i % 2 == 0 ? UInt8(truncatingIfNeeded: x) : UInt8(ascii: "a") + UInt8(i % 26)
    }
    return EventRecord(type: UInt16(truncatingIfNeeded: seed % 7), schemaVersion: UInt8(seed % 3), payload: payload)
}

/// Reads every event of a directory read-only.
func readAll(_ directory: String, from: UInt64 = 1) throws -> [LoggedEvent] {
    let reader = try LogDirectory.openReader(directory: directory, from: from)
    var events: [LoggedEvent] = []
    while let event = try reader.next() { events.append(event) }
    return events
}

/// The segment files of a log directory, sorted.
func segmentFiles(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".seg") }.sorted().map { directory + "/" + $0 }
}

func fileBytes(_ path: String) -> [UInt8] {
    (FileManager.default.contents(atPath: path)).map { [UInt8]($0) } ?? []
}

func writeBytes(_ path: String, _ bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Offsets of the batches in a segment file, parsed independently of the library (48-byte
/// headers after a 16-byte segment header; compressed length at header offset 24).
func batchOffsets(_ bytes: [UInt8]) -> [Int] {
    var offsets: [Int] = []
    var at = 16
    while at + 48 <= bytes.count {
        offsets.append(at)
        let length = Int(bytes[at + 24]) | Int(bytes[at + 25]) << 8 | Int(bytes[at + 26]) << 16 | Int(bytes[at + 27]) << 24
        at += 48 + length
    }
    return offsets
}

/// Writes `batches` batches of `perBatch` records each, one close-to-close append per batch.
func writeLog(_ directory: String, batches: Int, perBatch: Int, options: LogOptions = LogOptions(durability: .none)) async throws -> [EventRecord] {
    let log = try EventLog.open(directory: directory, options: options)
    var all: [EventRecord] = []
    for b in 0..<batches {
        let records = (0..<perBatch).map { makeRecord(UInt64(b * perBatch + $0)) }
        _ = try await log.append(records)
        all += records
    }
    try await log.close()
    return all
}

/// A fixture directory under `Tests/Fixtures/`, written by an earlier release of conform.
func fixtureDirectory(_ name: String, file: StaticString = #filePath) -> String {
    URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

/// A seeded generator (SplitMix64): the same seed, the same bytes.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
