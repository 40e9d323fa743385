import ConformancePacks
import EventLog

/// The member pack names (`OrgConformsPack-<name>-<suffix>`) of organization packs over a log, by
/// creator, region and name, with the sequence each was given at: what an `OrgPackDeleteRequested`
/// touches, which does not carry it.
///
/// A dump that reads forward from the first event learns them as it goes. One that starts later,
/// or reads backwards, would meet a deletion before the request that named its member pack, so it
/// first reads the requests before its end (``read(logDirectory:through:)``).
struct MemberPackNames {
    /// By "account/region/name": the member pack names in the order they were given.
    private var given: [String: [(sequence: UInt64, memberPack: String)]] = [:]

    /// Learns `event`'s member pack name when it is an organization pack request.
    mutating func learn(_ event: LoggedEvent) {
        guard let request = EventTouches.memberPackRequest(event.record) else { return }
        given["\(request.creatorAccount)/\(request.region)/\(request.name)", default: []]
            .append((event.sequence, request.memberPack))
    }

    /// The member pack name the organization pack had just before `sequence`.
    func memberPack(creatorAccount: String, region: String, name: String, before sequence: UInt64) -> String? {
        given["\(creatorAccount)/\(region)/\(name)"]?.last(where: { $0.sequence < sequence })?.memberPack
    }

    /// The names given by the requests through `last`, reading only those records' payloads.
    static func read(logDirectory: String, through last: UInt64) throws -> MemberPackNames {
        var names = MemberPackNames()
        guard last >= 1 else { return names }
        let reader = try LogDirectory.openReader(directory: logDirectory, from: 1, through: last)
        while let event = try reader.next() { names.learn(event) }
        return names
    }
}
