import Testing
@testable import ComplianceStore

@Suite("StringTable")
struct StringTableTests {
    @Test("Strings compare by bytes: precomposed and decomposed é are two ids")
    func byteEquality() {
        let table = StringTable()
        let precomposed = table.intern("caf\u{E9}")
        let decomposed = table.intern("cafe\u{301}")
        #expect("caf\u{E9}" == "cafe\u{301}")  // Swift says equal; the table does not.
        #expect(precomposed != decomposed)
        #expect(table.intern("caf\u{E9}") == precomposed)
        #expect(table.intern("cafe\u{301}") == decomposed)
        #expect(table.string(decomposed).utf8.elementsEqual("cafe\u{301}".utf8))
        #expect(table.intern("") == 3)
        #expect(table.string(3) == "")
        #expect(table.count == 3)
    }

    @Test("Ids are dense from 1 and survive many table growths")
    func growth() {
        let table = StringTable()
        for index in 0..<100_000 { #expect(table.intern("string-\(index)") == UInt32(index + 1)) }
        let view = table.view()
        for index in stride(from: 0, to: 100_000, by: 7) {
            #expect(view.find("string-\(index)") == UInt32(index + 1))
            #expect(table.string(UInt32(index + 1)) == "string-\(index)")
        }
        #expect(view.find("string-100000") == nil)
        #expect(table.slots.capacity >= 100_000 * 8 / 5)
    }

    @Test("A view sees only its first count ids, even after the writer interns more")
    func visibleCount() {
        let table = StringTable()
        for index in 0..<10 { table.intern("s\(index)") }
        let old = table.view()
        for index in 10..<5_000 { table.intern("s\(index)") }
        #expect(old.find("s9") == 10)
        #expect(old.find("s10") == nil)
        #expect(old.string(11) == nil)
        #expect(table.view().find("s10") == 11)
        #expect(table.find("s4999") == 5_000)
    }

    @Test("Truncate forgets later ids, keeps older ones findable, and reuses the ids")
    func truncate() {
        let table = StringTable()
        for index in 0..<1_000 { table.intern("keep-\(index)") }
        let kept = table.view()
        for index in 0..<3_000 { table.intern("drop-\(index)") }
        table.truncate(to: 1_000)
        #expect(table.count == 1_000)
        for index in 0..<1_000 { #expect(table.find("keep-\(index)") == UInt32(index + 1)) }
        #expect(table.find("drop-0") == nil)
        #expect(table.intern("new") == 1_001)
        #expect(table.string(1_001) == "new")
        #expect(kept.find("keep-999") == 1_000)
        table.truncate(to: 0)
        #expect(table.find("keep-0") == nil)
        #expect(table.intern("again") == 1)
    }

    @Test("Long strings fill chunks, and a string of exactly 1 MiB is accepted")
    func longStrings() {
        let table = StringTable()
        let big = String(repeating: "x", count: StringTable.maxStringBytes)
        let a = table.intern("short")
        let b = table.intern(big)
        let c = table.intern(String(repeating: "y", count: 700_000))
        #expect(table.string(b).utf8.count == StringTable.maxStringBytes)
        #expect(table.intern(big) == b)
        #expect(table.string(a) == "short")
        #expect(table.string(c).utf8.count == 700_000)
        #expect(table.chunksAllocated == 3)
    }
}
