"""botocore's AWS Config model, the Swift names of its shapes, and what the operation lists reach."""

import gzip
import json
import os
import re

import botocore

# Identifiers Swift reserves; a member or enum case with one of these names is written in backticks.
SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
    "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
    "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
    "throw", "switch", "where", "while", "as", "false", "is", "nil", "self", "Self", "super", "throws",
    "true", "try", "type", "Type", "Any",
}

# Members every generated model enum has, and names that mean something else after a dot (`.init`,
# `.self`): a model value that would take one of these names gets a `Value` suffix instead.
ENUM_MEMBERS = {"unknown", "rawValue", "allCases", "description", "hashValue", "init", "self", "Self", "Type", "Protocol"}


def load_model():
    path = os.path.join(os.path.dirname(botocore.__file__), "data", "config", "2014-11-12", "service-2.json.gz")
    with gzip.open(path) as f:
        return json.load(f)


def lower_camel(name):
    return name[0].lower() + name[1:]


def escaped(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def swift_member(name):
    """The Swift property of a model member: `ConformancePackName` → `conformancePackName`."""
    return escaped(lower_camel(name))


def enum_case_name(raw):
    """The Swift case of a model enum value, derived from the value alone.

    Words are split at anything that is not a letter or digit. An all-capitals or all-lowercase word
    is one word (`NON_COMPLIANT` → `nonCompliant`, `AWS` → `aws`, `aws.config` → `awsConfig`); a
    mixed-case word keeps its humps (`One_Hour` → `oneHour`, `ConfigurationItemChangeNotification`
    → `configurationItemChangeNotification`, `AWSRegion` → `awsRegion`).
    """
    words = [w for w in re.split(r"[^A-Za-z0-9]+", raw) if w]
    if not words:
        raise SystemExit(f"enum value {raw!r} has no letters or digits to name a Swift case after")
    parts = []
    for index, word in enumerate(words):
        if word.isupper() or word.islower() or word.isdigit():
            word = word.lower()
            parts.append(word if index == 0 else word[0].upper() + word[1:])
        elif index == 0:
            capitals = re.match(r"[A-Z]*", word).group(0)
            if 1 < len(capitals) < len(word):
                capitals = capitals[:-1]  # the last capital starts the next hump: AWSRegion
            parts.append(capitals.lower() + word[len(capitals):])
        else:
            parts.append(word[0].upper() + word[1:])
    name = "".join(parts)
    if name[0].isdigit():
        name = "_" + name
    if name in ENUM_MEMBERS:
        name += "Value"
    return escaped(name)


def doc_line(text):
    """First sentence of a model documentation string, without HTML."""
    if not text:
        return None
    plain = re.sub(r"<[^>]+>", "", text)
    plain = re.sub(r"\s+", " ", plain).strip()
    if not plain:
        return None
    m = re.match(r"(.+?\.)(\s|$)", plain)
    sentence = m.group(1) if m else plain
    return sentence[:200]


class Operation:
    """One line of an operation list, with what the model says about it."""

    def __init__(self, model, name, kind, served):
        if name not in model["operations"]:
            raise SystemExit(f"{name} is not an operation of the AWS Config model")
        spec = model["operations"][name]
        self.name = name
        self.is_write = kind == "write"
        self.served = served
        self.input = spec["input"]["shape"]
        self.output = spec.get("output", {}).get("shape")
        self.errors = [e["shape"] for e in spec.get("errors", [])]
        self.doc = doc_line(spec.get("documentation"))
        self.method = lower_camel(name)
        # Reads are Describe/Get/List and writes Put/Delete (and the like): a flag that disagrees
        # with the name is a slip in the list, and would let a read-only server accept a write.
        reads = name.startswith(("Describe", "Get", "List", "Select", "Batch"))
        if reads == self.is_write:
            raise SystemExit(f"{name} is listed as {kind}: check its flag in the operation list")


class Model:
    """The shapes and operations of the model, and the Swift type of each shape."""

    def __init__(self, model, served, shapes_only, patterns):
        self.model = model
        self.shapes = model["shapes"]
        self.patterns = patterns
        names = [name for name, _ in served + shapes_only]
        if len(set(names)) != len(names):
            raise SystemExit("an operation is listed twice")
        self.operations = ([Operation(model, n, k, True) for n, k in served]
                           + [Operation(model, n, k, False) for n, k in shapes_only])
        self.served = [op for op in self.operations if op.served]

        # Structures and enums in first-use order, grouped by the operation that first reaches them.
        self.groups = []
        seen = set()
        for op in self.operations:
            reached = []
            self._collect(op.input, seen, reached)
            if op.output:
                self._collect(op.output, seen, reached)
            self.groups.append((op, reached))
        self.requests = [op.input for op in self.operations]
        self.validated = self.reachable(self.requests)
        self.written = [s for s in self.reachable([op.output for op in self.operations if op.output])
                        if self.kind(s) == "structure"]

    # MARK: shapes

    def kind(self, name):
        """`structure`, `enum`, `string`, `list`, `map`, or another model type."""
        shape = self.shapes[name]
        if shape["type"] == "string" and "enum" in shape:
            return "enum"
        return shape["type"]

    def members(self, name):
        """(model member name, spec, required) of a structure, in model order."""
        shape = self.shapes[name]
        required = set(shape.get("required", []))
        return [(m, spec, m in required) for m, spec in shape.get("members", {}).items()]

    def enum_cases(self, name):
        """(Swift case, raw value) of a model enum, in model order."""
        cases = [(enum_case_name(raw), raw) for raw in self.shapes[name]["enum"]]
        swift = [c for c, _ in cases]
        if len(set(swift)) != len(swift):
            raise SystemExit(f"two values of enum {name} get the same Swift case: {swift}")
        return cases

    def swift_type(self, name):
        shape = self.shapes[name]
        t = self.kind(name)
        if t == "string":
            return "String"
        if t in ("integer", "long"):
            return "Int"
        if t == "boolean":
            return "Bool"
        if t == "timestamp":
            return "Date"
        if t in ("double", "float"):
            return "Double"
        if t == "list":
            return f"[{self.swift_type(shape['member']['shape'])}]"
        if t == "map":
            if self.kind(shape["key"]["shape"]) != "string":
                raise SystemExit(f"map {name} has keys of shape {shape['key']['shape']}: only plain string keys are supported")
            return f"[String: {self.swift_type(shape['value']['shape'])}]"
        if t in ("structure", "enum"):
            return name
        raise SystemExit(f"unsupported shape type {t} ({name})")

    def _collect(self, name, seen, into):
        shape = self.shapes[name]
        t = self.kind(name)
        if t in ("structure", "enum"):
            if name in seen:
                return
            seen.add(name)
            into.append(name)
        if t == "structure":
            for _, spec, _ in self.members(name):
                self._collect(spec["shape"], seen, into)
        elif t == "list":
            self._collect(shape["member"]["shape"], seen, into)
        elif t == "map":
            self._collect(shape["key"]["shape"], seen, into)
            self._collect(shape["value"]["shape"], seen, into)
        elif t == "string" and "pattern" in shape and shape["pattern"] not in self.patterns:
            raise SystemExit(f"pattern {shape['pattern']!r} of {name} has no ModelPattern case: add one")

    def reachable(self, roots):
        """Every structure and enum reachable from `roots`, in first-use order."""
        seen, into = set(), []
        for root in roots:
            self._collect(root, seen, into)
        return into
