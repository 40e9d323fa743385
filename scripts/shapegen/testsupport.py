"""Tests/ConformanceServerTests/Generated: the list of generated shapes the tests go through, and a
failing stand-in of the service protocol.

Swift cannot enumerate the types of a module, so the generator lists them for the tests; the fixture
values themselves are made generically in the test target (`FixtureDecoder`), not generated.
"""


class TestSupportEmitter:
    def __init__(self, model, header):
        self.m = model
        self.header = header

    def files(self):
        enums = [s for s in self.m.reachable(self.m.requests + [op.output for op in self.m.operations if op.output])
                 if self.m.kind(s) == "enum"]
        lines = ["",
                 "import ConformancePacks",
                 "@testable import ConformanceServer",
                 "",
                 "/// The generated shapes, listed for the tests that go through every one of them.",
                 "enum ShapeCatalog {",
                 "    /// Every structure with a generated JSON writer: those the outputs of the listed operations reach.",
                 "    static let writers: [any (JSONStreamWritable & Codable & Sendable).Type] = ["]
        lines += [f"        ConformancePacks.{s}.self," for s in self.m.written]
        lines += ["    ]",
                  "",
                  "    /// Every model enum, with the raw values the model lists, in model order.",
                  "    static let enums: [(type: any ModelEnum.Type, values: [String])] = ["]
        for e in enums:
            values = ", ".join(f'"{raw}"' for _, raw in self.m.enum_cases(e))
            lines.append(f"        (ConformancePacks.{e}.self, [{values}]),")
        lines += ["    ]", "}"]
        catalog = self.header + "\n".join(lines) + "\n"
        lines = ["",
                 "import ConformancePacks",
                 "@testable import ConformanceServer",
                 "",
                 "/// A stand-in service whose every Config API operation throws `failure`: the routing tests use it",
                  "/// without writing one method per routed operation.",
                  "protocol FailingConformanceService: ConformanceService {",
                  "    /// What every operation throws.",
                  "    var failure: any Error { get }",
                  "}",
                  "",
                  "extension FailingConformanceService {"]
        for index, op in enumerate(self.m.served):
            if index:
                lines.append("")
            lines.append(f"    func {op.method}(_ request: {op.input}, context: ConformancePacks.RequestContext)")
            lines.append("        async throws" + (f" -> {op.output}" if op.output else ""))
            lines.append("    {")
            lines.append("        throw failure")
            lines.append("    }")
        lines.append("}")
        return {"ShapeCatalog.swift": catalog, "FailingConformanceService.swift": self.header + "\n".join(lines) + "\n"}
