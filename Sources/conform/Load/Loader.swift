import ConformancePacks
import ConformanceServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a load did.
struct LoadSummary {
    var loaded = 0
    var rejected = 0
    var seconds = 0.0
    /// Whether `--strict` stopped it.
    var stopped = false

    var line: String {
        let rate = seconds > 0 ? Double(loaded) / seconds : 0
        return "loaded \(loaded) results, \(rejected) rejected, in \(String(format: "%.2f", seconds)) s (\(Int(rate.rounded())) results/s)"
            + (stopped ? "; stopped at the first rejected line (--strict)" : "")
    }
}

/// Reads lines, parses them, sends them in batches, reports rejected lines by number.
struct Loader {
    let sink: any EvaluationSink
    let strict: Bool
    let batchSize: Int
    var progress: LoadProgress
    /// Rejected lines printed in full; the rest are counted.
    static let printedRejections = 100

    func load(_ lines: LineReader) async throws -> LoadSummary {
        var lines = lines
        var progress = self.progress
        let parser = EvaluationLineParser()
        var summary = LoadSummary()
        var printed = 0
        func reject(_ line: Int, _ why: String) {
            summary.rejected += 1
            if printed < Self.printedRejections {
                progress.clear()
                printError("line \(line): \(why)")
            } else if printed == Self.printedRejections {
                progress.clear()
                printError("(further rejected lines are counted, not printed)")
            }
            printed += 1
        }
        let started = ContinuousClock.now
        var batch: [EvaluationRecord] = []
        var batchLines: [Int] = []
        var bytes = 0
        var lineNumber = 0
        /// Sends the batch; false when `--strict` must stop. Under `--strict` a batch is sent
        /// strictly (all or nothing); when it holds a refused line, the lines before that one are
        /// sent again alone, so that everything before the first bad line is recorded and
        /// nothing after it.
        func flush() async throws -> Bool {
            guard !batch.isEmpty else { return true }
            defer {
                batch.removeAll(keepingCapacity: true)
                batchLines.removeAll(keepingCapacity: true)
                bytes = 0
            }
            var report = try await sink.send(batch, strict: strict)
            if strict, let first = report.rejected.first {
                let before = Array(batch[..<first.index])
                report = before.isEmpty ? IngestReport(accepted: 0, rejected: []) : try await sink.send(before, strict: true)
                summary.loaded += report.accepted
                guard report.rejected.isEmpty else { throw LineError("records the engine first refused were refused again: \(report.rejected[0].error)") }
                reject(batchLines[first.index], first.error.message)
                return false
            }
            summary.loaded += report.accepted
            for rejection in report.rejected {
                guard batchLines.indices.contains(rejection.index) else { throw LineError("the endpoint refused a record \(rejection.index) it was not sent") }
                reject(batchLines[rejection.index], rejection.error.message)
            }
            return true
        }
        while let parsed = try lines.next({ line -> Result<EvaluationRecord, LineError>? in
            line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } ? nil : parser.parse(line)
        }) {
            lineNumber += 1
            progress.update(lines: lineNumber, bytes: lines.consumed, loaded: summary.loaded)
            guard let parsed else { continue }  // a blank line
            switch parsed {
            case .failure(let error):
                if strict {
                    // Everything before the bad line is recorded first.
                    let clean = try await flush()
                    if clean { reject(lineNumber, error.description) }
                    summary.stopped = true
                    break
                }
                reject(lineNumber, error.description)
            case .success(let record):
                batch.append(record)
                batchLines.append(lineNumber)
                bytes += HTTPSink.estimatedBytes(record)
                if batch.count >= batchSize || (sink is HTTPSink && bytes >= HTTPSink.bodyBudget) {
                    guard try await flush() else {
                        summary.stopped = true
                        break
                    }
                }
            }
            if summary.stopped { break }
        }
        if !summary.stopped, !(try await flush()) { summary.stopped = true }
        summary.seconds = (ContinuousClock.now - started).seconds
        progress.clear()
        return summary
    }
}

/// `conform load`'s progress line: lines read, results loaded, the share of the file and the rate.
struct LoadProgress {
    let totalBytes: Int?
    private var line = ProgressLine()

    init(totalBytes: Int?) {
        self.totalBytes = totalBytes
    }

    mutating func update(lines: Int, bytes: Int, loaded: Int) {
        guard lines % 1024 == 0 else { return }
        let (totalBytes, elapsed) = (self.totalBytes, line.elapsed)
        line.draw {
            var text = "\(lines) lines read, \(loaded) results loaded"
            if let totalBytes, totalBytes > 0 { text += String(format: " (%.0f%%)", 100 * Double(bytes) / Double(totalBytes)) }
            if elapsed > 0 { text += String(format: ", %.0f results/s", Double(loaded) / elapsed) }
            return text
        }
    }

    /// Erases the progress line before other output.
    mutating func clear() { line.clear() }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Into a running server, through `ConformAdmin.PutEvaluationResults`.
struct HTTPSink: EvaluationSink {
    /// JSON per request, under the server's 1 MiB body limit.
    static let bodyBudget = 900 << 10

    let endpoint: HTTPEndpoint

    /// About what a record takes in the request body (JSON keys and punctuation, then values).
    static func estimatedBytes(_ record: EvaluationRecord) -> Int {
        200 + record.accountId.utf8.count + record.region.utf8.count + record.configRuleName.utf8.count
            + record.complianceResourceType.utf8.count + record.complianceResourceId.utf8.count
            + record.complianceType.utf8.count + (record.annotation?.utf8.count ?? 0)
    }

    /// The server's request limit.
    static let bodyLimit = ServerLimits.maxBodyBytes

    func send(_ records: [EvaluationRecord], strict: Bool) async throws -> IngestReport {
        let body = PutEvaluationResultsBody.encode(records, strict: strict)
        // Escapes can make a batch larger than estimated: then it goes as two requests, each
        // recorded whole. Not under --strict, where a batch is all or nothing.
        if body.count > Self.bodyLimit, records.count > 1 {
            guard !strict else {
                throw LineError("a batch of \(records.count) lines makes a \(body.count)-byte request, over the server's 1 MiB; give a smaller --batch-size")
            }
            let half = records.count / 2
            let first = try await send(Array(records[..<half]), strict: strict)
            let second = try await send(Array(records[half...]), strict: strict)
            return IngestReport(
                accepted: first.accepted + second.accepted,
                rejected: first.rejected + second.rejected.map { .init(index: $0.index + half, error: $0.error) })
        }
        // One connection per batch keeps this simple; batches are large, so its cost is small.
        // A busy or full server (throttled, 503) is tried again, up to five times, backing off.
        var delay = Duration.milliseconds(250)
        for attempt in 1...6 {
            let response = try await endpoint.withConnection { post in
                try await post("ConformAdmin.PutEvaluationResults", body)
            }
            if response.status == 200 { return try PutEvaluationResultsBody.report(response.body) }
            let text = String(decoding: response.body.prefix(500), as: UTF8.self)
            let retryable = response.status == 503 || response.status == 429 || text.contains("ThrottlingException")
            guard retryable, attempt < 6 else { throw LineError("the endpoint answered HTTP \(response.status): \(text)") }
            try await Task.sleep(for: delay)
            delay *= 2
        }
        throw LineError("unreachable")
    }

    func close() async throws {}
}
