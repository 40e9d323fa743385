import Synchronization

/// The parsed form of recently seen template texts.
///
/// Parsing is most of a `PutConformancePack`'s CPU (YAML through Yams: about a fifth of the
/// server's time in `perf` for a three-rule template), and the same text comes back often: one
/// organization pack's template for every member account, a pipeline that puts its packs again on
/// every run, retries. A parse depends on the text alone, so a text seen before is not parsed
/// again. Only successful parses are kept, of texts up to ``maxTextBytes``; at most ``capacity``
/// of them, the least recently used going first. Keys are the whole text (equality, not a digest).
final class ParsedTemplateCache: Sendable {
    /// The cache the resolver uses.
    static let shared = ParsedTemplateCache(capacity: 32, maxTextBytes: 64 * 1024)

    let capacity: Int
    let maxTextBytes: Int
    private struct Entry {
        var value: TemplateValue
        var lastUse: UInt64
    }
    private struct Contents {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }
    private let contents = Mutex(Contents())

    init(capacity: Int, maxTextBytes: Int) {
        self.capacity = capacity
        self.maxTextBytes = maxTextBytes
    }

    /// The parse of `text`, from the cache or from `parse` (whose failures are thrown, not kept).
    func value(
        of text: String, parse: (String) throws(TemplateFailure) -> TemplateValue
    ) throws(TemplateFailure) -> TemplateValue {
        guard text.utf8.count <= maxTextBytes else { return try parse(text) }
        let cached = contents.withLock { contents -> TemplateValue? in
            contents.clock += 1
            guard var entry = contents.entries[text] else { return nil }
            entry.lastUse = contents.clock
            contents.entries[text] = entry
            return entry.value
        }
        if let cached { return cached }
        let value = try parse(text)
        contents.withLock { contents in
            contents.clock += 1
            if contents.entries[text] == nil, contents.entries.count >= capacity,
               let oldest = contents.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                contents.entries[oldest] = nil
            }
            contents.entries[text] = Entry(value: value, lastUse: contents.clock)
        }
        return value
    }

    /// How many texts are kept.
    var count: Int { contents.withLock { $0.entries.count } }
}
