import EventLog
import Foundation
import Testing

/// The `conform` executable built beside the test bundle, or `CONFORM_BINARY`.
func conformBinary() -> String? {
    if let path = ProcessInfo.processInfo.environment["CONFORM_BINARY"], FileManager.default.isExecutableFile(atPath: path) {
        return path
    }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // Walk up out of bundle folders (`*.xctest/...`) to the build products directory.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("conform").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

@Suite("Crash safety")
struct CrashTests {
    @Test("A writer killed with SIGKILL mid-load keeps every append it acknowledged")
    func sigkillKeepsAcknowledged() async throws {
        let binary = try #require(conformBinary(), "the conform executable is not built beside the tests; run `swift build --product conform` or set CONFORM_BINARY")
        try await withTemporaryDirectory { dir in
            for round in 0..<3 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["log", "stress-append", dir, "--appenders", "32", "--segment-size", "65536"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let handle = pipe.fileHandleForReading
                var buffer = Data()
                var acks: [(first: UInt64, last: UInt64, appender: Int, counter: Int)] = []
                let target = 400 + round * 300
                let deadline = Date().addingTimeInterval(20)
                while acks.count < target, Date() < deadline {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...newline)
                        let parts = line.split(separator: " ")
                        if parts.count == 5, parts[0] == "ack", let f = UInt64(parts[1]), let l = UInt64(parts[2]),
                           let a = Int(parts[3]), let c = Int(parts[4])
                        {
                            acks.append((f, l, a, c))
                        }
                    }
                }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                // Acknowledgements still in the pipe were made before the kill: they count too.
                buffer.append(handle.readDataToEndOfFile())
                for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    if parts.count == 5, parts[0] == "ack", let f = UInt64(parts[1]), let l = UInt64(parts[2]),
                       let a = Int(parts[3]), let c = Int(parts[4])
                    {
                        acks.append((f, l, a, c))
                    }
                }
                #expect(process.terminationReason == .uncaughtSignal)
                #expect(acks.count >= target / 2, "round \(round): only \(acks.count) acknowledgements before the deadline")

                let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none))
                let reader = try log.read()
                var events: [UInt64: EventRecord] = [:]
                while let event = try reader.next() { events[event.sequence] = event.record }
                #expect(events.count == Int(log.lastSequence))
                for ack in acks {
                    for (index, sequence) in (ack.first...ack.last).enumerated() {
                        let expected = stressRecord(appender: ack.appender, counter: ack.counter, index: index)
                        #expect(events[sequence] == expected, "round \(round): acknowledged sequence \(sequence) is missing or wrong")
                    }
                }
                try await log.close()
                #expect(try LogInspectorProbe.isWhole(dir))
            }
        }
    }
}

/// The records `conform log stress-append` writes (mirrors `StressRecord` in the executable).
func stressRecord(appender: Int, counter: Int, index: Int) -> EventRecord {
    var payload = Array("appender=\(appender) counter=\(counter) index=\(index) ".utf8)
    payload += [UInt8](repeating: UInt8(truncatingIfNeeded: appender &+ counter), count: 64)
    return EventRecord(type: 42, schemaVersion: 1, payload: payload)
}

enum LogInspectorProbe {
    /// Whether a full read of the log succeeds (after recovery cut any torn tail).
    static func isWhole(_ dir: String) throws -> Bool {
        _ = try readAll(dir)
        return true
    }
}
