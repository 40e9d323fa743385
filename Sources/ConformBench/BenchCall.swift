import Foundation

/// One AWS JSON 1.1 request of a workload: who sends it, to which target, with which body.
public struct BenchCall: Sendable, Hashable {
    /// The operation's name, for the report (`PutEvaluations`, `ConformAdmin.PutOrganization`).
    public var operation: String
    /// The `X-Amz-Target` header.
    public var target: String
    /// The JSON body.
    public var body: [UInt8]
    /// The calling account (the SigV4 access key id names it).
    public var account: String
    /// Whether the call changes state.
    public var isWrite: Bool

    /// A Config API call (`StarlingDoveService.<operation>`).
    static func api(_ operation: String, _ body: [String: Any], account: String, isWrite: Bool) -> BenchCall {
        BenchCall(operation: operation, target: "StarlingDoveService." + operation, body: json(body), account: account, isWrite: isWrite)
    }

    /// An admin target (`ConformAdmin.<operation>`).
    static func admin(_ operation: String, _ body: [String: Any], account: String) -> BenchCall {
        BenchCall(operation: "ConformAdmin." + operation, target: "ConformAdmin." + operation, body: json(body), account: account, isWrite: true)
    }

    /// Canonical JSON (sorted keys), so that equal calls have equal bytes.
    static func json(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return [UInt8](data)
    }
}
