import EventLog
import Foundation
import Testing

/// Runs `conform` with `arguments`; returns its exit status and standard output.
func runConform(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let binary = try #require(conformBinary(), "the conform executable is not built beside the tests; run `swift build --product conform` or set CONFORM_BINARY")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("conform log commands")
struct CLITests {
    @Test("inspect, dump and verify a whole log through an engine data directory")
    func wholeLog() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeLog(dir + "/events", batches: 5, perBatch: 4)
            let inspect = try runConform(["log", "inspect", dir])
            #expect(inspect.status == 0)
            #expect(inspect.output.contains("00000000000000000001.seg"))
            #expect(inspect.output.contains("1...20"))
            let verify = try runConform(["log", "verify", dir])
            #expect(verify.status == 0, "\(verify.output)")
            #expect(verify.output.hasPrefix("ok:"))
            let dump = try runConform(["log", "dump", dir + "/events", "--from", "3", "--to", "5", "--format", "json"])
            #expect(dump.status == 0)
            let lines = dump.output.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.contains("\"sequence\":3") == true)
        }
    }

    @Test("verify names file, offset and sequence of damage and exits non-zero; repair --yes fixes it")
    func damagedLog() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeLog(dir, batches: 40, perBatch: 5, options: LogOptions(durability: .none, segmentSizeLimit: 4096))
            let sealed = segmentFiles(dir)[0]
            var bytes = fileBytes(sealed)
            let offset = batchOffsets(bytes)[2]
            bytes[offset + 49] ^= 0x10
            writeBytes(sealed, bytes)
            let verify = try runConform(["log", "verify", dir])
            #expect(verify.status == 1)
            #expect(verify.output.contains(sealed))
            #expect(verify.output.contains("offset \(offset)"))
            #expect(verify.output.contains("sequence 11"))
            let refused = try runConform(["log", "repair", dir])
            #expect(refused.status != 0)
            let repair = try runConform(["log", "repair", dir, "--yes"])
            #expect(repair.status == 0, "\(repair.output)")
            #expect(repair.output.contains("sequences 11..."))
            #expect(try runConform(["log", "verify", dir]).status == 0)
            #expect(FileManager.default.fileExists(atPath: sealed + ".damaged"))
        }
    }

    @Test("inspect shows the last recovery: what opening the log cut, and what repair did")
    func inspectShowsRecovery() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeLog(dir + "/events", batches: 3, perBatch: 2)
            let before = try runConform(["log", "inspect", dir])
            #expect(before.output.contains("last recovery: none recorded"))
            let segment = segmentFiles(dir + "/events")[0]
            writeBytes(segment, fileBytes(segment) + [9, 9, 9])
            let log = try EventLog.open(directory: dir + "/events")
            try await log.close()
            let after = try runConform(["log", "inspect", dir])
            #expect(after.status == 0)
            #expect(after.output.contains("last recovery (1 recorded)"), "\(after.output)")
            #expect(after.output.contains("by opening the log: truncated 3 bytes"))

            // Damage that is no torn tail (a valid batch follows): repair cuts it and says so.
            let bytes = fileBytes(segment)
            let offsets = batchOffsets(bytes)
            var damaged = bytes
            damaged[(offsets[1] + 48 + offsets[2]) / 2] ^= 0xFF
            writeBytes(segment, damaged)
            let repaired = try runConform(["log", "repair", dir, "--yes"])
            #expect(repaired.status == 0, "\(repaired.output)")
            let afterRepair = try runConform(["log", "inspect", dir])
            #expect(afterRepair.output.contains("last recovery (2 recorded)"), "\(afterRepair.output)")
            #expect(afterRepair.output.contains("by conform log repair"), "\(afterRepair.output)")
        }
    }
}
