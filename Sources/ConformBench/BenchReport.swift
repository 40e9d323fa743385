import Foundation
public import Histogram

/// Latencies and errors of one operation, as one worker (or all of them) saw them.
public struct OperationStats: Sendable {
    /// Latencies in microseconds, 3 significant digits, up to an hour.
    public var latencies = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Failed calls by error type (`__type`, or the HTTP status when there is none).
    public var errors: [String: Int] = [:]

    public init() {}

    public mutating func record(microseconds: UInt64, error: String?) {
        _ = latencies.record(min(microseconds, 3_600_000_000))
        if let error { errors[error, default: 0] += 1 }
    }

    public mutating func add(_ other: OperationStats) {
        latencies.add(other.latencies)
        for (type, count) in other.errors { errors[type, default: 0] += count }
    }

    public var calls: UInt64 { latencies.totalCount }
    public var errorCount: Int { errors.values.reduce(0, +) }
}

/// What a bench run did, for people (text) and tools (JSON).
public struct BenchReport: Sendable {
    /// The command line as typed.
    public var command: String
    public var workload: Workload
    public var seed: UInt64
    /// "in-process (DIR, durability D)" or the endpoint URL.
    public var target: String
    public var concurrency: Int
    /// The machine: cores, system, load averages at the start and the end.
    public var machine: MachineInfo
    /// What the set-up did, in one line.
    public var setup: String
    public var setupSeconds: Double
    /// The measured phase's wall time.
    public var seconds: Double
    /// Per operation, by name.
    public var operations: [String: OperationStats]
    /// Extra figures of workloads that are not calls (replay).
    public var figures: [(name: String, value: Double, unit: String)] = []

    public init(
        command: String, workload: Workload, seed: UInt64, target: String, concurrency: Int, machine: MachineInfo,
        setup: String, setupSeconds: Double, seconds: Double, operations: [String: OperationStats]
    ) {
        self.command = command
        self.workload = workload
        self.seed = seed
        self.target = target
        self.concurrency = concurrency
        self.machine = machine
        self.setup = setup
        self.setupSeconds = setupSeconds
        self.seconds = seconds
        self.operations = operations
    }

    /// Every operation together.
    public var total: OperationStats {
        operations.values.reduce(into: OperationStats()) { $0.add($1) }
    }

    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    public var text: String {
        var lines: [String] = []
        lines.append("conform bench \(workload.rawValue): seed \(seed), concurrency \(concurrency), \(target)")
        lines.append("machine: \(machine.summary)")
        lines.append("set-up: \(setup) in \(Self.format(setupSeconds, digits: 2)) s")
        for figure in figures {
            lines.append("\(figure.name): \(Self.format(figure.value, digits: abs(figure.value) >= 100 || figure.value.rounded() == figure.value ? 0 : 2)) \(figure.unit)")
        }
        let all = total
        if all.calls > 0 {
            let rate = Double(all.calls) / max(seconds, 1e-9)
            lines.append("calls: \(all.calls) in \(Self.format(seconds, digits: 2)) s = \(Self.format(rate, digits: 1)) calls/s, errors \(all.errorCount)")
            var table = [["operation", "calls", "calls/s", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "errors"]]
            for name in operations.keys.sorted() + ["all"] {
                let stats = name == "all" ? all : operations[name]!
                var row = [name, String(stats.calls), Self.format(Double(stats.calls) / max(seconds, 1e-9), digits: 1)]
                row += Self.percentiles.map { String(stats.latencies.valueAtPercentile($0.1)) }
                row += [String(stats.latencies.max), String(stats.errorCount)]
                table.append(row)
            }
            lines += Self.align(table)
            for (name, stats) in operations.sorted(by: { $0.key < $1.key }) where !stats.errors.isEmpty {
                let errors = stats.errors.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                lines.append("errors of \(name): \(errors)")
            }
        }
        lines.append("command: \(command)")
        return lines.joined(separator: "\n")
    }

    public var json: String {
        func stats(_ s: OperationStats) -> [String: Any] {
            var object: [String: Any] = [
                "calls": s.calls, "callsPerSecond": Double(s.calls) / max(seconds, 1e-9), "errors": s.errors,
                "maxMicroseconds": s.latencies.max, "meanMicroseconds": s.calls > 0 ? s.latencies.mean : 0,
            ]
            for (name, percentile) in Self.percentiles { object[name + "Microseconds"] = s.latencies.valueAtPercentile(percentile) }
            return object
        }
        let object: [String: Any] = [
            "command": command, "workload": workload.rawValue, "seed": seed, "target": target, "concurrency": concurrency,
            "machine": machine.json, "setup": setup, "setupSeconds": setupSeconds, "seconds": seconds,
            "operations": operations.mapValues(stats), "total": stats(total),
            "figures": Dictionary(uniqueKeysWithValues: figures.map { ($0.name, ["value": $0.value, "unit": $0.unit] as [String: Any]) }),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Columns padded to their widest cell, the first left-aligned, the others right-aligned.
    static func align(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}

/// The machine a run measured, so that figures from different machines are not compared blind.
public struct MachineInfo: Sendable {
    public var cores: Int
    public var system: String
    public var loadAtStart: String
    public var loadAtEnd: String

    public init(cores: Int, system: String, loadAtStart: String, loadAtEnd: String) {
        self.cores = cores
        self.system = system
        self.loadAtStart = loadAtStart
        self.loadAtEnd = loadAtEnd
    }

    /// The 1, 5 and 15-minute load averages (`/proc/loadavg`), or "unknown".
    public static func loadAverages() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// This machine now (the end load is filled in later).
    public static func current() -> MachineInfo {
        let info = ProcessInfo.processInfo
        return MachineInfo(
            cores: info.activeProcessorCount, system: info.operatingSystemVersionString,
            loadAtStart: loadAverages(), loadAtEnd: "")
    }

    var summary: String {
        "\(cores) cores, \(system), load \(loadAtStart) at start, \(loadAtEnd) at end"
    }

    var json: [String: Any] {
        ["cores": cores, "system": system, "loadAtStart": loadAtStart, "loadAtEnd": loadAtEnd]
    }
}
