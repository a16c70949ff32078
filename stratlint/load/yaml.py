"""YAML 1.2 with positions, on libyaml's composer.

libyaml's compose step is the fastest way Python has to get a node tree with line and
column marks. Its resolver follows YAML 1.1, so we ask it for no resolution at all and
apply the YAML 1.2 core schema ourselves: ``no`` stays a string and dates stay strings.
Nothing is ever constructed from a tag outside the core schema.

The construction is bounded: nesting depth and alias expansion are checked before any
later stage walks the data, and libyaml's recursive composer is never handed a document
deep enough to overflow the C stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stratlint.load.source_map import SourceMap, escape_token

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml._yaml import CParser as _Parser

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    HAVE_LIBYAML = False

MAX_DEPTH = 64
"""Deepest nesting accepted. Strategy files nest a handful of levels."""

MAX_ALIAS_EXPANSION = 100_000
"""How many values aliases may add once expanded, beyond the values written out."""

# Above this many nesting indicators a file could nest deep enough to overflow libyaml's
# recursive composer, so its depth is measured on the (iterative) event stream first.
_DEPTH_SCAN_THRESHOLD = 4_000

_PLAIN = "?plain"
_QUOTED = "?quoted"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_STR = "tag:yaml.org,2002:str"
_CORE = "tag:yaml.org,2002:"
_CORE_SCALARS = {"str", "int", "float", "bool", "null"}

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_MAYBE_NOT_STR = frozenset("0123456789-+.~nNtTfF")
_DIRECTIVE = re.compile(rb"%YAML[ \t]+([^\s#]+)")
# YAML 1.2 reads these as ordinary characters; libyaml breaks lines at them (YAML 1.1). They
# are swapped for private-use stand-ins while parsing and restored in every scalar, so text
# survives and line numbers stay right.
_NON_BREAKS = {"\u2028": "\U000f2028", "\u2029": "\U000f2029", "\u0085": "\U000f0085"}
_RESTORE = str.maketrans({stand_in: original for original, stand_in in _NON_BREAKS.items()})


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Something wrong in the YAML itself. ``kind`` names the rule that reports it."""

    kind: str
    message: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0


@dataclass(slots=True)
class ParsedYaml:
    """The document's plain data (or None), its source map, and what went wrong."""

    data: Any
    source_map: SourceMap
    problems: list[LoadProblem] = field(default_factory=list)


class _Composer(_Parser):
    """libyaml's composer, told to resolve nothing: we resolve scalars the YAML 1.2 way."""

    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self, *args: Any) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _SEQ if kind is SequenceNode else _MAP


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _Budget(Exception):
    pass


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema."""
    if text and text[0] not in _MAYBE_NOT_STR:
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.match(text):
        return int(text, 10)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _problem_at(kind: str, message: str, node: Node) -> LoadProblem:
    start, end = node.start_mark, node.end_mark
    return LoadProblem(kind, message, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _nesting_depth_exceeds(data: bytes, limit: int) -> tuple[int, int] | None:
    """Walk libyaml's event stream (which is not recursive) and find where nesting passes
    ``limit``. Returns that 1-based (line, column), or None. Syntax errors are left for
    the composer to report."""
    depth = 0
    try:
        for event in yaml.parse(data, Loader=_EventLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


_EventLoader = yaml.CLoader if HAVE_LIBYAML else yaml.Loader


class _Builder:
    """Turns composed nodes into plain data while filling the source map."""

    __slots__ = ("extra", "keys", "problems", "restore", "seen", "values")

    def __init__(self, source_map: SourceMap, problems: list[LoadProblem], *, restore: bool = False) -> None:
        self.restore = restore
        self.values = source_map.values
        self.keys = source_map.keys
        self.problems = problems
        self.seen: dict[int, Any] = {}
        self.extra = 0

    def build(self, node: Node, pointer: str, depth: int) -> Any:
        start, end = node.start_mark, node.end_mark
        self.values[pointer] = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        node_id = id(node)
        if node_id in self.seen:
            # An alias: the value is shared, but every later stage walks it again.
            self.extra += _expanded_size(node)
            if self.extra > MAX_ALIAS_EXPANSION:
                raise _Budget
            return self.seen[node_id]
        if depth > MAX_DEPTH and not isinstance(node, ScalarNode):
            raise _TooDeep(node)
        if self.restore and isinstance(node, ScalarNode):
            node.value = node.value.translate(_RESTORE)
        tag = node.tag
        if tag is _PLAIN:
            value: Any = resolve_plain(node.value)
        elif tag is _QUOTED:
            value = node.value
        elif tag is _MAP and isinstance(node, MappingNode):
            value = self._mapping(node, pointer, depth)
        elif tag is _SEQ:
            value = [self.build(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]
        else:
            value = self._tagged(node, pointer, depth)
        self.seen[node_id] = value
        return value

    def _mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen_keys: dict[tuple[str, Any], Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    _problem_at(
                        "non-scalar-key",
                        "A key here is a list or mapping; keys must be plain text.",
                        key_node,
                    )
                )
                continue
            if self.restore:
                key_node.value = key_node.value.translate(_RESTORE)
            text = key_node.value
            if key_node.tag is _PLAIN and text == "<<":
                self.problems.append(
                    _problem_at(
                        "merge-key",
                        "Merge keys ('<<') belong to YAML 1.1 and are not read here; write the keys out in full.",
                        key_node,
                    )
                )
                continue
            # Keys collide when YAML reads them as one value (1 and true) or when they are the same
            # text (1 and '1'): the data keeps keys as text, so either would lose a value.
            identity = resolve_plain(text) if key_node.tag is _PLAIN else text
            first = seen_keys.get(("value", identity)) or seen_keys.get(("text", text))
            if first is not None:
                same = "" if first.value == text else f" (YAML reads '{text}' and '{first.value}' as the same key)"
                self.problems.append(
                    _problem_at(
                        "duplicate-key",
                        f"Key '{text}' appears twice in this mapping; it is already set on line "
                        f"{first.start_mark.line + 1}{same}. Only one value can count: remove or rename one.",
                        key_node,
                    )
                )
                continue
            seen_keys[("value", identity)] = seen_keys[("text", text)] = key_node
            child = f"{pointer}/{escape_token(text)}"
            ks, ke = key_node.start_mark, key_node.end_mark
            self.keys[child] = (ks.line + 1, ks.column + 1, ke.line + 1, ke.column + 1)
            result[text] = self.build(value_node, child, depth + 1)
        return result

    def _tagged(self, node: Node, pointer: str, depth: int) -> Any:
        tag = node.tag
        short = tag[len(_CORE) :] if tag.startswith(_CORE) else None
        if (short == "map" and isinstance(node, MappingNode)) or (short == "seq" and isinstance(node, SequenceNode)):
            return self._collection(node, pointer, depth)
        if isinstance(node, ScalarNode) and (short in _CORE_SCALARS or tag == "!"):
            if short in (None, "str"):
                return node.value
            value = resolve_plain(node.value)
            expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[short]
            if short == "float" and type(value) is int:
                return float(value)
            if type(value) is expected:
                return value
            self.problems.append(
                _problem_at("unsupported-tag", f"'{node.value}' is not a valid !!{short} value.", node)
            )
            return node.value
        shown = f"!!{short}" if short is not None else tag
        self.problems.append(
            _problem_at(
                "unsupported-tag",
                f"The tag '{shown}' is not part of YAML's core schema and is never interpreted; "
                "remove it and write the value as plain text, a list or a mapping.",
                node,
            )
        )
        if isinstance(node, (MappingNode, SequenceNode)):
            return self._collection(node, pointer, depth)
        return node.value

    def _collection(self, node: MappingNode | SequenceNode, pointer: str, depth: int) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node, pointer, depth)
        return [self.build(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]


def _expanded_size(root: Node) -> int:
    """How many values ``root`` stands for once aliases are expanded, memoized per node.

    Iterative, and shared subtrees are counted once per node object, so a 'billion
    laughs' document costs as many steps as it has distinct nodes.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[id(node)] = 1
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else list(node.value)
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def parse_yaml(data: bytes) -> ParsedYaml:
    """Parse one YAML document. Never raises; every failure becomes a LoadProblem."""
    source_map = SourceMap()
    problems: list[LoadProblem] = []
    result = ParsedYaml(None, source_map, problems)

    directive = _version_directive(data)
    if directive is not None and directive.group(1) != b"1.2":
        line = data.count(b"\n", 0, directive.start()) + 1
        version = directive.group(1).decode("ascii", "replace")
        problems.append(
            LoadProblem(
                "unsupported-yaml-version",
                f"The file declares YAML {version}; stratlint reads YAML 1.2 only, where 'no' and "
                "'off' stay text. Remove the %YAML line.",
                line,
                1,
                line,
                len(directive.group(0)) + 1,
            )
        )
        data = data[: directive.start()] + b"#" + data[directive.start() + 1 :]

    restore = any(char.encode() in data for char in _NON_BREAKS)
    if restore:
        for original, stand_in in _NON_BREAKS.items():
            data = data.replace(original.encode(), stand_in.encode())

    indicators = data.count(b"[") + data.count(b"{") + data.count(b"-") + data.count(b":") + data.count(b"?")
    if indicators > _DEPTH_SCAN_THRESHOLD:
        where = _nesting_depth_exceeds(data, MAX_DEPTH + 1)  # the event scan counts the root as 1
        if where is not None:
            problems.append(_too_deep(*where))
            return result

    try:
        root = _Composer(data).get_single_node()
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(error))
        return result
    except yaml.YAMLError as error:
        # ReaderError and friends carry a position but no mark.
        problems.append(LoadProblem("invalid-yaml", f"This file is not valid YAML: {error}", 1, 1))
        return result
    except (RecursionError, MemoryError):
        problems.append(_too_deep(1, 1))
        return result
    except Exception as error:
        problems.append(
            LoadProblem("invalid-yaml", f"The YAML parser failed on this file ({type(error).__name__}: {error}).", 1, 1)
        )
        return result
    if root is None:
        return result

    builder = _Builder(source_map, problems, restore=restore)
    try:
        result.data = builder.build(root, "", 0)
    except _TooDeep as deep:
        mark = deep.node.start_mark
        problems.append(_too_deep(mark.line + 1, mark.column + 1))
        source_map.values.clear()
        source_map.keys.clear()
    except _Budget:
        problems.append(
            LoadProblem(
                "alias-bomb",
                f"Aliases in this file expand to more than {MAX_ALIAS_EXPANSION:,} values "
                "(an 'alias bomb'); the file is not read. Write the values out instead of using aliases.",
                root.start_mark.line + 1,
                root.start_mark.column + 1,
            )
        )
        source_map.values.clear()
        source_map.keys.clear()
    return result


def _version_directive(data: bytes) -> re.Match[bytes] | None:
    """The %YAML directive, looked for only where directives may stand: before the document."""
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end + 1
        start = position + 3 if position == 0 and data.startswith(b"\xef\xbb\xbf") else position
        line = data[start:end].strip()
        if line.startswith(b"%YAML"):
            return _DIRECTIVE.match(data, start)
        if line and not line.startswith((b"#", b"%")):
            return None
        position = end
    return None


def _too_deep(line: int, column: int) -> LoadProblem:
    return LoadProblem(
        "nesting-too-deep",
        f"Values here are nested more than {MAX_DEPTH} levels deep; the file is not read. "
        "Strategy files need only a few levels.",
        line,
        column,
    )


def _syntax_problem(error: yaml.MarkedYAMLError) -> LoadProblem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if isinstance(error, yaml.composer.ComposerError) and "single document" in (error.context or ""):
        return LoadProblem(
            "multiple-documents",
            "This file holds more than one YAML document ('---'); stratlint reads one artifact per "
            "file. Split it into separate files.",
            line,
            column,
        )
    problem = error.problem or "unexpected content"
    context = f" {error.context}" if error.context else ""
    return LoadProblem(
        "invalid-yaml",
        f"This file is not valid YAML:{context} {problem}. Check the indentation and quoting on this line.",
        line,
        column,
    )
