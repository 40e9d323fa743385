import EventLog
import Testing
@testable import ConformancePacks

@Suite("Event and snapshot codecs")
struct CodecTests {
    static let partition = PartitionKey(accountId: "123456789012", region: "us-east-1")
    static let rule = RuleRecord(
        name: "r-conformance-pack-abcdefghi", id: "config-rule-abcdef", arn: "arn:x", description: "déjà vu ✓",
        scope: Scope(complianceResourceTypes: ["AWS::S3::Bucket"], tagKey: "k", tagValue: nil, complianceResourceId: "id"),
        source: Source(
            owner: .customPolicy, sourceIdentifier: nil,
            sourceDetails: [SourceDetail(eventSource: .awsConfig, messageType: .scheduledNotification, maximumExecutionFrequency: .oneHour)],
            customPolicyDetails: CustomPolicyDetails(policyRuntime: "guard-2.x.x", policyText: "rule x {}", enableDebugLogDelivery: true)
        ),
        inputParameters: "{\"a\":\"1\"}", maximumExecutionFrequency: .sixHours, state: .active,
        createdBy: "config-conforms.amazonaws.com", evaluationModes: [.detective, .proactive], ownerPack: "Pack",
        controls: ["1847", "2090"]
    )

    static let events: [DomainEvent] = [
        .packRequested(PackRequested(
            partition: partition, name: "Pack", isCreate: true, id: "conformance-pack-abcdefghi", arn: "arn:p",
            stackArn: "arn:s", time: 1_700_000_000_123, dueTime: 1_700_000_030_123, deliveryS3Bucket: "b",
            deliveryS3KeyPrefix: nil, inputParameters: [NameValue(name: "p", value: "v")],
            origin: .ssm(name: "doc", version: "$LATEST"), tags: [NameValue(name: "t", value: "")], outcome: .deploy([rule])
        )),
        .packRequested(PackRequested(
            partition: partition, name: "Pack", isCreate: false, id: "i", arn: "a", stackArn: "s", time: -1, dueTime: 0,
            deliveryS3Bucket: nil, deliveryS3KeyPrefix: "", inputParameters: nil, origin: .s3(uri: "s3://x"), tags: [],
            outcome: .fail(reason: "because")
        )),
        .packCompleted(PackTransition(partition: partition, name: "Pack", time: 5)),
        .packDeleteRequested(PackDeleteRequested(partition: partition, name: "Pack", time: 6, dueTime: 7)),
        .packDeleted(PackTransition(partition: partition, name: "Pack", time: 8)),
        .configRulePut(ConfigRulePut(partition: partition, rule: RuleRecord(
            name: "u", id: "config-rule-zzzzzz", arn: "arn:u", description: nil, scope: nil,
            source: Source(owner: .aws, sourceIdentifier: "X"), inputParameters: nil, maximumExecutionFrequency: nil,
            state: .active, createdBy: nil, evaluationModes: [], ownerPack: nil
        ))),
        .configRuleDeleted(ConfigRuleDeleted(partition: partition, name: "u")),
        .s3TemplateStored(S3TemplateStored(uri: "s3://b/k", body: "Resources: {}")),
        .ssmDocumentStored(SSMDocumentStored(name: "doc", version: 300, body: "x")),
        .organizationChanged(OrganizationChanged(
            organization: Organization(checked: "100000000000", members: ["200000000000"], administrators: ["200000000000"], allFeaturesEnabled: false),
            time: 9)),
        .orgPackRequested(OrgPackRequested(
            creator: partition, name: "Org", arn: "arn:aws:config:us-east-1:100000000000:organization-conformance-pack/Org-abcdefgh",
            time: 10, dueTime: 11,
            settings: OrgPackSettings(
                isCreate: true, deliveryS3Bucket: "awsconfigconforms-b", deliveryS3KeyPrefix: nil,
                inputParameters: [NameValue(name: "p", value: "v")], excludedAccounts: ["300000000000"], origin: .s3(uri: "s3://t"),
                templateBody: "Resources: {}"),
            ruleSets: [[rule], []], seed: 42,
            deployments: [
                MemberDeployment(accountId: "100000000000", ruleSet: 0, failure: nil),
                MemberDeployment(accountId: "200000000000", ruleSet: 1, failure: MemberFailure(code: "E", message: "m")),
            ],
            removals: [MemberRemoval(accountId: "400000000000", failure: MemberFailure(code: nil, message: "gone"))])),
        .orgPackRequested(OrgPackRequested(
            creator: partition, name: "Org", arn: "a", time: 12, dueTime: 12, settings: nil, ruleSets: [], seed: 0,
            deployments: [], removals: [])),
        .orgPackDeleteRequested(OrgPackDeleteRequested(
            creator: partition, name: "Org", time: 13, dueTime: 14, removals: [MemberRemoval(accountId: "100000000000", failure: nil)])),
        .deploymentFaultPut(DeploymentFaultPut(fault: DeploymentFault(
            organizationConformancePackName: "Org", accountId: "200000000000", operation: .delete, remaining: 3,
            errorCode: "E", errorMessage: "m"))),
        .deploymentFaultDeleted(DeploymentFaultDeleted(organizationConformancePackName: "Org", accountId: "200000000000", operation: nil)),
    ]

    @Test("Every event round-trips through its binary record")
    func roundTrip() throws {
        for event in Self.events {
            let record = EventCodec.encode(event)
            #expect(try EventCodec.decode(record) == event)
            #expect(ConformanceEventDescriber().describe(record) != nil)
        }
    }

    @Test("Every truncation, extension and unknown type or version is an error, never a trap")
    func malformedRecords() {
        for event in Self.events {
            let record = EventCodec.encode(event)
            for length in 0..<record.payload.count {
                let cut = EventRecord(type: record.type, schemaVersion: record.schemaVersion, payload: Array(record.payload.prefix(length)))
                #expect(throws: DecodeError.self) { try EventCodec.decode(cut) }
            }
            let longer = EventRecord(type: record.type, schemaVersion: record.schemaVersion, payload: record.payload + [0])
            #expect(throws: DecodeError.self) { try EventCodec.decode(longer) }
            let newer = EventRecord(type: record.type, schemaVersion: record.schemaVersion + 1, payload: record.payload)
            #expect(throws: DecodeError.self) { try EventCodec.decode(newer) }
            #expect(throws: DecodeError.self) { try EventCodec.decode(EventRecord(type: record.type, schemaVersion: 0, payload: record.payload)) }
        }
        #expect(throws: DecodeError.self) { try EventCodec.decode(EventRecord(type: 999, schemaVersion: 1, payload: [])) }
        #expect(ConformanceEventDescriber().describe(EventRecord(type: 999, schemaVersion: 1, payload: [])) == nil)
    }

    @Test("Every event type has one version per layout ever written, and the older ones still decode")
    func olderVersionsDecode() throws {
        #expect(EventCodec.EventType.packRequested.currentVersion == 2)
        #expect(EventCodec.EventType.configRulePut.currentVersion == 2)
        // Version 1 of a rule-carrying event: the same fields without `Controls`.
        var old = Self.rule
        old.controls = []
        var writer = ByteWriter()
        writer.partition(Self.partition)
        writer.rule(old, layout: .v1)
        let record = EventRecord(type: EventCodec.EventType.configRulePut.rawValue, schemaVersion: 1, payload: writer.bytes)
        #expect(try EventCodec.decode(record) == .configRulePut(ConfigRulePut(partition: Self.partition, rule: old)))
        // The same bytes read as version 2 are short of the controls: refused, never misread.
        #expect(throws: DecodeError.self) {
            try EventCodec.decode(EventRecord(type: record.type, schemaVersion: 2, payload: record.payload))
        }
    }

    @Test("Random bytes never trap the decoders")
    func fuzz() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let type = UInt16.random(in: 1...8, using: &generator)
            _ = try? EventCodec.decode(EventRecord(type: type, schemaVersion: UInt8.random(in: 1...2, using: &generator), payload: bytes))
            _ = try? SnapshotCodec.decode(bytes, formatVersion: UInt16.random(in: 1...2, using: &generator))
        }
    }

    @Test("A snapshot round-trips the whole state, and the digest ignores only the sequence")
    func snapshotRoundTrip() throws {
        var state = EngineState()
        for (offset, event) in Self.events.prefix(2).enumerated() { state.apply(event, sequence: UInt64(offset + 1)) }
        state.apply(Self.events[5], sequence: 3)
        state.apply(Self.events[7], sequence: 4)
        state.apply(Self.events[8], sequence: 5)
        let bytes = SnapshotCodec.encode(state)
        let decoded = try SnapshotCodec.decode(bytes)
        // (The engine section alone: the compliance store has a section of its own.)
        #expect(SnapshotCodec.encode(decoded) == bytes)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: DecodeError.self) { try SnapshotCodec.decode(Array(bytes.prefix(length))) }
        }
        var other = state
        other.apply(Self.events[6], sequence: 6)
        #expect(SnapshotCodec.digest(other) != SnapshotCodec.digest(state))
    }

    @Test("Records keep the bytes this release writes: model enums are written as their raw strings")
    func pinnedBytes() {
        var state = EngineState()
        state.apply(Self.events[0], sequence: 1)
        state.apply(Self.events[5], sequence: 2)
        var bytes: [UInt8] = []
        for event in Self.events { bytes += EventCodec.encode(event).payload }
        bytes += SnapshotCodec.encode(state)
        // FNV-1a of the bytes this release writes (event schemas: packRequested and configRulePut
        // 2, the others 1; snapshot format 4's engine section). A change here is a new layout:
        // bump the versions and keep the old decoders, or logs on users' disks stop replaying.
        // (Older layouts are covered by the fixture logs under Tests/Fixtures.)
        let digest = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        #expect(bytes.count == 1940 && digest == 0x9e6c_beb9_17fe_7249, "\(bytes.count) bytes, FNV-1a \(String(digest, radix: 16))")
    }

    @Test("Durability parses its command-line forms", arguments: [
        ("every-batch", ConformanceEngine.Durability.everyBatch), ("none", .none), ("interval=250", .interval(milliseconds: 250)),
    ])
    func durability(_ text: String, _ expected: ConformanceEngine.Durability) {
        #expect(ConformanceEngine.Durability(parsing: text) == expected)
        #expect(expected.description == text)
    }

    @Test("Durability refuses anything else", arguments: ["", "interval=", "interval=0", "interval=-5", "every_batch", "fsync"])
    func badDurability(_ text: String) {
        #expect(ConformanceEngine.Durability(parsing: text) == nil)
    }
}
