"""Sources/ConformancePacks/Generated: wire shapes, model enums, validation, error codes, operations."""

import re

from .model import doc_line, lower_camel, swift_member


class ShapeEmitter:
    def __init__(self, model, common_errors, header):
        self.m = model
        self.common_errors = common_errors
        self.header = header

    def files(self):
        files = {}
        for op, reached in self.m.groups:
            structures = [s for s in reached if self.m.kind(s) == "structure"]
            parts = [self.struct(s) for s in structures]
            parts += [self.validation(s) for s in structures
                      if s in self.m.validated and (self.needs_validation(s) or s in self.m.requests)]
            code = "\n\n".join(parts)
            imports = "\npublic import Foundation\n" if re.search(r"\bDate\b", code) else ""
            files[f"{op.name}.swift"] = self.header + imports + "\n" + code + "\n"
        enums = [s for _, reached in self.m.groups for s in reached if self.m.kind(s) == "enum"]
        files["ModelEnums.swift"] = self.header + "\n" + "\n\n".join(self.enum(e) for e in enums) + "\n"
        files["ErrorCode.swift"] = self.header + self.error_codes()
        files["Operation.swift"] = self.header + self.operation_enum()
        return files

    # MARK: structures

    def struct(self, name):
        shape = self.m.shapes[name]
        members = self.m.members(name)
        lines = []
        doc = doc_line(shape.get("documentation"))
        lines.append(f"/// {doc}" if doc else f"/// The model shape `{name}`.")
        lines.append(f"public struct {name}: Sendable, Hashable, Codable {{")
        for m, spec, required in members:
            mdoc = doc_line(spec.get("documentation"))
            if mdoc:
                lines.append(f"    /// {mdoc}")
            opt = "" if required else "?"
            lines.append(f"    public var {swift_member(m)}: {self.m.swift_type(spec['shape'])}{opt}")
        if members:
            lines.append("")
        lines.append("    /// Creates the shape; members the model marks optional default to `nil`.")
        if members:
            params = []
            for m, spec, required in members:
                tail = "" if required else "? = nil"
                params.append(f"        {lower_camel(m)}: {self.m.swift_type(spec['shape'])}{tail}")
            lines.append("    public init(")
            lines.append(",\n".join(params))
            lines.append("    ) {")
            for m, _, _ in members:
                lines.append(f"        self.{lower_camel(m)} = {lower_camel(m)}")
            lines.append("    }")
            lines.append("")
            lines.append("    enum CodingKeys: String, CodingKey {")
            for m, _, _ in members:
                lines.append(f"        case {swift_member(m)} = \"{m}\"")
            lines.append("    }")
        else:
            lines.append("    public init() {}")
        lines.append("}")
        return "\n".join(lines)

    # MARK: enums

    def enum(self, name):
        cases = self.m.enum_cases(name)
        doc = doc_line(self.m.shapes[name].get("documentation"))
        lines = [f"/// {doc}" if doc else f"/// The values of the model enum `{name}`.",
                 "///",
                 "/// A value the model does not list decodes as `unknown`, and `validate()` reports it in AWS's form.",
                 f"public enum {name}: ModelEnum {{"]
        for case, raw in cases:
            lines.append(f"    /// `{raw}`")
            lines.append(f"    case {case}")
        lines += ["    /// A value the model does not list, as it was sent.",
                  "    case unknown(String)",
                  "",
                  "    /// The values the model lists, in model order.",
                  f"    public static let allCases: [{name}] = [{', '.join('.' + c.strip('`') for c, _ in cases)}]",
                  "",
                  "    /// The value of a wire string; a string the model does not list is `unknown`.",
                  "    public init(rawValue: String) {",
                  "        switch rawValue {"]
        lines += [f"        case \"{raw}\": self = .{case.strip('`')}" for case, raw in cases]
        lines += ["        default: self = .unknown(rawValue)",
                  "        }",
                  "    }",
                  "",
                  "    /// The wire string.",
                  "    public var rawValue: String {",
                  "        switch self {"]
        lines += [f"        case .{case.strip('`')}: \"{raw}\"" for case, raw in cases]
        lines += ["        case .unknown(let value): value",
                  "        }",
                  "    }",
                  "}"]
        return "\n".join(lines)

    # MARK: validation

    def checks(self, name, expr, path, depth):
        """Swift statements that validate `expr` (non-optional) of model shape `name`."""
        shape = self.m.shapes[name]
        t = self.m.kind(name)
        bounds = f"min: {shape.get('min', 'nil')}, max: {shape.get('max', 'nil')}"
        has_bounds = "min" in shape or "max" in shape
        out = []
        if t == "string":
            if has_bounds:
                out.append(f"v.length({expr}, at: {path}, {bounds})")
            if "pattern" in shape:
                out.append(f"v.pattern({expr}, at: {path}, .{self.m.patterns[shape['pattern']]})")
        elif t == "enum":
            out.append(f"v.oneOf({expr}, at: {path})")
        elif t in ("integer", "long"):
            if has_bounds:
                out.append(f"v.range({expr}, at: {path}, {bounds})")
        elif t == "list":
            if has_bounds:
                out.append(f"v.count({expr}, at: {path}, {bounds})")
            inner = self.checks(shape["member"]["shape"], f"e{depth}", f'{path} + ".\\(i{depth} + 1).member"', depth + 1)
            if inner:
                out.append(f"for (i{depth}, e{depth}) in {expr}.enumerated() {{")
                out.extend("    " + line for line in inner)
                out.append("}")
        elif t == "map":
            if has_bounds:
                out.append(f"v.count({expr}, at: {path}, {bounds})")
            keys = self.checks(shape["key"]["shape"], f"k{depth}", f'{path} + ".\\(k{depth})"', depth + 1)
            inner = self.checks(shape["value"]["shape"], f"e{depth}", f'{path} + ".\\(k{depth})"', depth + 1)
            if keys or inner:
                out.append(f"for (k{depth}, e{depth}) in {expr} {{")
                out.extend("    " + line for line in keys + inner)
                out.append("}")
        elif t == "structure":
            if self.needs_validation(name):
                out.append(f"{expr}.validate(into: &v, at: {path})")
        return out

    def needs_validation(self, name, seen=None):
        seen = seen or set()
        if name in seen:
            return False
        seen.add(name)
        shape = self.m.shapes[name]
        t = self.m.kind(name)
        bounded = "min" in shape or "max" in shape
        if t == "enum":
            return True
        if t == "string":
            return bounded or "pattern" in shape
        if t in ("integer", "long"):
            return bounded
        if t == "list":
            return bounded or self.needs_validation(shape["member"]["shape"], seen)
        if t == "map":
            return (bounded or self.needs_validation(shape["value"]["shape"], seen)
                    or self.needs_validation(shape["key"]["shape"], seen))
        if t == "structure":
            return any(self.needs_validation(spec["shape"], seen) for _, spec, _ in self.m.members(name))
        return False

    def validation(self, name):
        body = []
        for m, spec, required in self.m.members(name):
            prop = swift_member(m)
            path = f'prefix + "{lower_camel(m)}"'
            if required:
                body.extend(self.checks(spec["shape"], f"self.{prop}", path, 0))
            else:
                checks = self.checks(spec["shape"], "value", path, 0)
                if checks:
                    body.append(f"if let value = self.{prop} {{")
                    body.extend("    " + c for c in checks)
                    body.append("}")
        lines = [f"extension {name} {{",
                 "    func validate(into v: inout ConstraintViolations, at path: String) {"]
        if body:
            lines.append('        let prefix = path.isEmpty ? "" : path + "."')
            lines.extend("        " + line for line in body)
        lines.append("    }")
        if name in self.m.requests:
            lines += ["",
                      "    /// Checks every constraint the model puts on this request (lengths, patterns, enums, list",
                      "    /// sizes, ranges).",
                      "    ///",
                      "    /// - Throws: `ValidationException` listing every violation in AWS's message form, or",
                      "    ///   `InvalidLimitException` when `Limit` is out of range.",
                      "    public func validate() throws(ConformanceError) {",
                      "        var violations = ConstraintViolations()",
                      '        validate(into: &violations, at: "")',
                      "        try violations.throwIfAny()",
                      "    }"]
        lines.append("}")
        return "\n".join(lines)

    # MARK: errors and operations

    def error_codes(self):
        errors = list(self.common_errors)
        for op in self.m.operations:
            errors += [e for e in op.errors if e not in errors]
        lines = ["", "extension ConformanceError {",
                 "    /// The AWS exception a `ConformanceError` stands for; the raw value is the exact name the",
                 "    /// wire protocol sends in `__type`.",
                 "    public enum Code: String, Sendable, CaseIterable {"]
        for e in sorted(errors):
            case = e[:-len("Exception")] if e.endswith("Exception") else e
            lines.append(f"        /// `{e}`.")
            lines.append(f"        case {lower_camel(case)} = \"{e}\"")
        lines += ["    }", "}"]
        return "\n".join(lines) + "\n"

    def operation_enum(self):
        lines = ["", "/// An operation of the AWS Config API that conform serves; the raw value is the name that",
                 "/// follows `StarlingDoveService.` in `X-Amz-Target`.",
                 "public enum ConformanceOperation: String, Sendable, CaseIterable {"]
        for op in self.m.served:
            lines.append(f"    /// `{op.name}`: input `{op.input}`, output `{op.output or 'none'}`.")
            lines.append(f"    case {op.method} = \"{op.name}\"")
        lines.append("}")
        return "\n".join(lines) + "\n"
