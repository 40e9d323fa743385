import EventLog
import Foundation
import Testing

@Suite("One writer per directory")
struct LockTests {
    @Test("A second writer in the same process is refused with the directory and pid; it may open after close")
    func secondWriterRefused() async throws {
        try await withTemporaryDirectory { dir in
            let first = try EventLog.open(directory: dir)
            #expect { try EventLog.open(directory: dir) } throws: { error in
                guard let e = error as? LogError else { return false }
                return e.code == .locked && e.message.contains(dir) && e.message.contains("\(getpid())")
            }
            // A read-only reader works beside the writer.
            _ = try await first.append([makeRecord(1)])
            #expect(try readAll(dir).count == 1)
            try await first.close()
            let second = try EventLog.open(directory: dir)
            #expect(second.lastSequence == 1)
            try await second.close()
        }
    }
}
