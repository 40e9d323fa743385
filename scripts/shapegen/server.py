"""Sources/ConformanceServer/Generated: the service protocol, routing, request decoding, JSON writers."""

from .model import swift_member

# A writer file longer than this is split into one file per operation.
MAX_WRITER_LINES = 600


class ServerEmitter:
    def __init__(self, model, header):
        self.m = model
        self.header = header

    def files(self):
        files = {
            "ConformanceService.swift": self.header + self.service_protocol(),
            "Call+Operations.swift": self.header + self.routing(),
            "ConformanceOperation+IsWrite.swift": self.header + self.is_write(),
            "AWSJSONRequest.swift": self.header + self.request_decoding(),
        }
        files.update(self.writer_files())
        return files

    # MARK: protocol

    def service_protocol(self):
        lines = ["",
                 "package import ConformancePacks",
                 "",
                 "/// What the HTTP adapter needs from the engine: one method per routed operation, plus the admin",
                 "/// targets and the read-only switch of ``ConformanceAdminService``.",
                 "///",
                 "/// Implementations check the model constraints of each request themselves (the engine does, for",
                 "/// embedded callers too), so the adapter does not validate twice. `ConformanceEngine` conforms (see",
                 "/// `ConformanceEngine+ConformanceService.swift`); tests can substitute their own implementation to",
                 "/// exercise routing, decoding and error mapping without a data directory. Methods throw",
                 "/// `ConformanceError` for every AWS-visible failure; anything else they throw becomes a logged",
                 "/// `InternalFailure` (HTTP 500) that names nothing internal.",
                 "///",
                 "/// Generated from `SERVED` in scripts/generate_shapes.py: serving an operation adds its method here.",
                 "package protocol ConformanceService: ConformanceAdminService {"]
        for index, op in enumerate(self.m.served):
            if index:
                lines.append("")
            lines.append(f"    /// {op.doc}" if op.doc else f"    /// `{op.name}`.")
            lines.append("    ///")
            answer = f"returns `{op.output}`." if op.output else "no output: the server answers `{}`."
            lines.append(f"    /// `StarlingDoveService.{op.name}`; {answer}")
            lines.append(f"    func {op.method}(_ request: {op.input}, context: ConformancePacks.RequestContext)")
            lines.append("        async throws" + (f" -> {op.output}" if op.output else ""))
        lines.append("}")
        return "\n".join(lines) + "\n"

    # MARK: routing

    def routing(self):
        lines = ["",
                 "import ConformancePacks",
                 "import Hummingbird",
                 "",
                 "extension Call {",
                 "    /// Runs a Config API operation: decodes its input, authenticates, calls the service (which checks",
                 "    /// the model constraints) and encodes the output with its generated writer, in that order",
                 "    /// (spec §1.4).",
                 "    func run(_ operation: ConformanceOperation) async throws(ServiceError) -> ByteBuffer {",
                 "        switch operation {"]
        for op in self.m.served:
            call = f"try await service.{op.method}(input, context: context)"
            lines += [f"        case .{op.method}:",
                      f"            let input = try {op.input}.decode(body)",
                      "            let context = try authenticator.authenticate(head: head, body: body)"]
            if op.output:
                lines += [f"            let output = try await perform {{ {call} }}",
                          "            return AWSJSON.encode(writing: output)"]
            else:
                lines += [f"            try await perform {{ {call} }}",
                          "            return AWSJSON.emptyObject"]
        lines += ["        }", "    }", "}"]
        return "\n".join(lines) + "\n"

    def is_write(self):
        writes = [f".{op.method}" for op in self.m.served if op.is_write]
        reads = [f".{op.method}" for op in self.m.served if not op.is_write]
        lines = ["",
                 "import ConformancePacks",
                 "",
                 "extension ConformanceOperation {",
                 "    /// Whether the operation changes state; a read-only server refuses it before decoding.",
                 "    var isWrite: Bool {",
                 "        switch self {"]
        if writes:
            lines.append(f"        case {', '.join(writes)}: true")
        if reads:
            lines.append(f"        case {', '.join(reads)}: false")
        lines += ["        }", "    }", "}"]
        return "\n".join(lines) + "\n"

    def request_decoding(self):
        lines = ["",
                 "import ConformancePacks",
                 "import Hummingbird",
                 "",
                 "/// A request shape that `Call.run(_:)` reads from an AWS JSON 1.1 body.",
                 "///",
                 "/// The default reads it with `JSONDecoder` through `AWSJSON.decode(_:from:)`. A shape with a",
                 "/// hand-written fast path declares `static func decode(_:)` on the concrete type (see",
                 "/// `PackQueryScanner.swift`): a member of the type itself is both the witness of this requirement",
                 "/// and what overload resolution picks in the generated `Call.run(_:)`, so it replaces the default.",
                 "protocol AWSJSONRequest: Decodable {",
                 "    /// Decodes the request; an empty body reads as `{}`.",
                 "    ///",
                 "    /// - Throws: `ValidationException` for a missing or `null` required member,",
                 "    ///   `SerializationException` for anything that is not a JSON object of the right member types.",
                 "    static func decode(_ body: ByteBuffer) throws(ServiceError) -> Self",
                 "}",
                 "",
                 "extension AWSJSONRequest {",
                 "    static func decode(_ body: ByteBuffer) throws(ServiceError) -> Self {",
                 "        try AWSJSON.decode(Self.self, from: body)",
                 "    }",
                 "}",
                 ""]
        lines += [f"extension {op.input}: AWSJSONRequest {{}}" for op in self.m.served]
        return "\n".join(lines) + "\n"

    # MARK: JSON writers

    def element(self, name):
        """A closure `(value, encoder)` that writes one list element or map value of shape `name`."""
        shape = self.m.shapes[name]
        t = self.m.kind(name)
        if t == "structure":
            return "{ $0.write(to: $1) }"
        if t == "string":
            return "{ $1.writeString($0) }"
        if t == "enum":
            return "{ $1.writeString($0.rawValue) }"
        if t in ("integer", "long"):
            return "{ $1.writeInteger($0) }"
        if t == "boolean":
            return "{ $1.writeBool($0) }"
        if t == "timestamp":
            return "{ $1.writeDate($0) }"
        if t == "list":
            return f"{{ $1.writeArray($0) {self.element(shape['member']['shape'])} }}"
        if t == "map":
            return f"{{ $1.writeMap($0) {self.element(shape['value']['shape'])} }}"
        raise SystemExit(f"no JSON writer for {t} shape {name}: output numbers that can be non-finite "
                         "need a throwing writer; extend server.py and JSONObjectWriter first")

    def member(self, key, name, expr, required):
        shape = self.m.shapes[name]
        t = self.m.kind(name)
        simple = {"string": "string", "integer": "integer", "long": "integer", "boolean": "bool",
                  "timestamp": "date", "structure": "object"}
        if t in simple:
            return f'object.{simple[t]}("{key}", {expr})'
        if t == "enum":
            return f'object.string("{key}", {expr}{"" if required else "?"}.rawValue)'
        if t == "list":
            return f'object.array("{key}", {expr}) {self.element(shape["member"]["shape"])}'
        if t == "map":
            return f'object.map("{key}", {expr}) {self.element(shape["value"]["shape"])}'
        self.element(name)  # raises for what has no writer

    def writer(self, name):
        members = self.m.members(name)
        lines = [f"extension {name}: JSONStreamWritable {{",
                 "    func write(to encoder: JSONStreamEncoder) {"]
        if members:
            lines.append("        var object = JSONObjectWriter(encoder)")
            for m, spec, required in members:
                lines.append("        " + self.member(m, spec["shape"], swift_member(m), required))
        else:
            lines.append("        let object = JSONObjectWriter(encoder)")
        lines += ["        object.finish()", "    }", "}"]
        return "\n".join(lines)

    def writer_files(self):
        preamble = ["", "import ConformancePacks", ""]
        intro = ["// The JSON writers of every structure an output reaches: the bytes the synthesized `Encodable`",
                 "// conformance writes through `JSONStreamEncoder`, without its dynamic dispatch (`JSONTests` checks",
                 "// that they agree on every shape)."]
        written = self.m.written
        whole = "\n".join(preamble + intro + ["", "\n\n".join(self.writer(s) for s in written)]) + "\n"
        if whole.count("\n") <= MAX_WRITER_LINES:
            return {"JSONWriters.swift": self.header + whole}
        files = {}
        seen = set()
        for op, _ in self.m.groups:
            if not op.output:
                continue
            mine = [s for s in self.m.reachable([op.output]) if s in written and s not in seen]
            seen.update(mine)
            if mine:
                text = "\n".join(preamble + ["\n\n".join(self.writer(s) for s in mine)]) + "\n"
                files[f"JSONWriters+{op.name}.swift"] = self.header + text
        return files
