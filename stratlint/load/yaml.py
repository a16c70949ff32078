"""YAML 1.2 with positions, on libyaml's composer.

libyaml's compose step is the fastest way Python has to get a node tree with line and
column marks. Its resolver follows YAML 1.1, so we ask it for no resolution at all and
apply the YAML 1.2 core schema ourselves: ``no`` stays a string and dates stay strings.
Nothing is ever constructed from a tag outside the core schema.

One builder turns nodes into data, with a switch. ``parse_yaml`` records every value's
position and reports every problem. ``parse_simple``, the quick path nearly every file
takes, builds the data alone and gives the file a source map that ``parse_yaml`` builds
from the same bytes the first time a position is asked for; wherever the builder would
report a problem, it declines and the file takes the full path. So a check added to the
builder holds on both paths, and a test compares them on every fixture and corpus file.

The construction is bounded: nesting depth and alias expansion are checked before any
later stage walks the data, and libyaml's recursive composer is never handed a document
deep enough to overflow the C stack.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stratlint.diagnostics import CONTROL_ESCAPES
from stratlint.load.source_map import SourceMap
from stratlint.load.yaml12 import CORE, CORE_SCALARS, MAP, MAYBE_NOT_STR, PLAIN, QUOTED, SEQ, resolve_plain
from stratlint.load.yaml_advice import ParserError, advise, quoted
from stratlint.pointers import escape_token
from stratlint.problems import LoadProblem, ProblemKind

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

MAX_VALUES = 200_000
"""Most values one file may hold. A typical strategy file spends about 24 bytes a value, so
the size limit comes first; this bounds the memory of files packed with tiny values
(a 1 MiB flow list of one-letter items holds half a million)."""

MAX_PATH_CHARS = 20_000_000
"""Most characters the paths of all values in one file may add up to (a value's path is
its keys from the top, as in '/items/3/title'). Typical files use a few dozen a value."""

MAX_ALIAS_EXPANSION = 100_000
"""How many values aliases may add once expanded, beyond the values written out."""

MAX_ALIAS_CHARS = 4 * 1024 * 1024
"""How many characters of text aliases may add once expanded: a long text repeated by
aliases would otherwise be copied into every finding about it."""

# Above this many nesting indicators a file could nest deep enough to overflow libyaml's
# recursive composer, so its depth is measured on the (iterative) event stream first.
_DEPTH_SCAN_THRESHOLD = 4_000

_DIRECTIVE = re.compile(rb"%YAML[ \t]+([^\s#]+)")
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*(?:[ \t]+#.*|[ \t]*)\Z")
_TOKENS_WITH_TEXT = (yaml.ScalarToken, yaml.TagToken, yaml.AnchorToken, yaml.AliasToken, yaml.DirectiveToken)


@dataclass(slots=True)
class ParsedYaml:
    """The document's plain data (or None), its source map, and what went wrong."""

    data: Any
    source_map: SourceMap
    problems: list[LoadProblem] = field(default_factory=list)


class CoreComposer(_Parser):
    """libyaml's composer, told to resolve nothing: we resolve scalars the YAML 1.2 way."""

    # libyaml's composer calls these two hooks for every node, and they need do nothing.
    # C functions that take the same arguments do nothing without a Python call per node.
    descend_resolver = operator.is_
    ascend_resolver = int

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return PLAIN if implicit[0] else QUOTED
        return SEQ if kind is SequenceNode else MAP


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _Budget(Exception):
    pass


class _KeysTooLong(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


_NOT_A_KEY = object()


def shown(value: object, limit: int = 80) -> str:
    """``value`` as text for a message: control characters and line breaks escaped (a
    finding is one line, and never drives the reader's terminal), cut to ``limit``
    characters (a finding names a value, it does not reprint a page of it)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(CONTROL_ESCAPES)


def _problem_at(kind: ProblemKind, message: str, node: Node) -> LoadProblem:
    start, end = node.start_mark, node.end_mark
    return LoadProblem(kind, message, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _version_directive(data: bytes) -> re.Match[bytes] | None:
    """The %YAML directive, looked for only where directives may stand: before the document
    (a line of text inside a value may start with '%YAML' too)."""
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


def _prescan(data: bytes) -> LoadProblem | None:
    """Walk libyaml's event stream (which is not recursive, and holds one event at a time)
    and find where nesting passes MAX_DEPTH or the values pass MAX_VALUES, before the
    composer could overflow the C stack or fill memory. Syntax errors are left for the
    composer to report."""
    depth = 0
    values = 0
    try:
        for event in yaml.parse(data, Loader=_EventLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                values += 1
                if depth > MAX_DEPTH + 1:  # the events count the top-level collection as 1, the builder as 0
                    return _too_deep(*_start(event))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                values += 1
            if values > MAX_VALUES:
                line, column = _start(event)
                return LoadProblem(
                    ProblemKind.FILE_TOO_LARGE,
                    f"The file holds more than {MAX_VALUES:,} values, the limit for one file; it is not "
                    "read. Split it into several files.",
                    line,
                    column,
                )
    except yaml.MarkedYAMLError as error:
        return _libyaml_depth_limit(data, error)
    except yaml.YAMLError:
        return None
    return None


def _start(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


_EventLoader = yaml.CLoader if HAVE_LIBYAML else yaml.Loader


class _Decline(Exception):
    """The quick build met something it leaves to the full one (see ``parse_simple``)."""


_DECLINE = _Decline()

_TEXT_KEYS: set[str] = set()
"""Plain keys YAML reads as that very text (not null, a number or a bool). Keys repeat
across files, so this stays small; it is bounded all the same."""
_TEXT_KEYS_LIMIT = 4096


class _Builder:
    """Turns composed nodes into plain data: the one builder, with a switch.

    With ``record_positions`` it fills the source map and reports every problem. Without,
    it builds the data alone, as the quick path does for ordinary files, and declines
    (raises ``_Decline``) wherever it would report a problem, or meets an alias, a tag or a
    key that does not read as its own text: the full build then takes the file, so the
    result is the same either way. A check added here is therefore taken by both."""

    __slots__ = (
        "_lines",
        "block_indent",
        "data",
        "extra",
        "extra_chars",
        "keys",
        "path_chars",
        "problems",
        "record",
        "seen",
        "values",
    )

    def __init__(self, data: bytes, source_map: SourceMap | None, problems: list[LoadProblem]) -> None:
        self.record = source_map is not None
        self.values = source_map.values if source_map is not None else None
        self.keys = source_map.keys if source_map is not None else None
        self.problems = problems
        # Aliases are possible only in a document with a '*'; the quick build declines those.
        self.seen: dict[int, Any] | None = {} if self.record and b"*" in data else None
        self.extra = 0
        self.extra_chars = 0
        self.path_chars = 0
        self.data = data
        self._lines: list[str] | None = None
        self.block_indent: int | None = None
        """The column of the block collection the value being built sits in, if any: lines
        of its quoted text or [...] must be indented past it."""

    def report(self, problem: LoadProblem) -> None:
        if not self.record:
            raise _DECLINE
        self.problems.append(problem)

    def build(self, node: Node, pointer: str, depth: int) -> Any:
        values = self.values
        if values is not None:
            start, end = node.start_mark, node.end_mark
            values[pointer] = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        seen = self.seen
        if seen is not None and id(node) in seen:
            # An alias: the value is shared, but every later stage walks it again, as deep
            # as it now stands (aliases can stack shallow anchors into deep data).
            size, height, chars = _expanded_size(node)
            self.extra += size
            self.extra_chars += chars
            if self.extra > MAX_ALIAS_EXPANSION or self.extra_chars > MAX_ALIAS_CHARS:
                raise _Budget
            if depth + height - 1 > MAX_DEPTH:
                raise _TooDeep(node)
            return seen[id(node)]
        tag = node.tag
        if tag is PLAIN:
            text = node.value
            if text and text[0] not in MAYBE_NOT_STR:
                value: Any = text  # most plain scalars are text at first sight
            else:
                value = resolve_plain(text)
                if text == "-":
                    # libyaml reads a lone '-' inside [...] as text; YAML 1.2 does not allow it.
                    self.report(
                        _problem_at(
                            ProblemKind.INVALID_YAML,
                            "This file is not valid YAML: a lone '-' inside [...] or {...} is not a value. "
                            "Quote it ('-') or remove it.",
                            node,
                        )
                    )
        elif tag is QUOTED:
            value = node.value
            if self.block_indent is not None and node.start_mark.line != node.end_mark.line:
                self._check_continuation(node, self.block_indent)
        elif depth > MAX_DEPTH:  # only collections nest
            if not isinstance(node, ScalarNode):
                raise _TooDeep(node)
            value = self._tagged(node, pointer, depth)
        elif tag is MAP and isinstance(node, MappingNode):
            value = self._mapping(node, pointer, depth)
        elif tag is SEQ and isinstance(node, SequenceNode):
            value = self._sequence(node, pointer, depth)
        else:
            value = self._tagged(node, pointer, depth)
        if seen is not None:
            seen[id(node)] = value
        return value

    def _enter(self, node: MappingNode | SequenceNode, pointer: str) -> int | None:
        """Checks on a collection before its values are built; returns the indentation to
        restore afterwards."""
        # The values' paths repeat this one: a long key is stored once for each value
        # beneath it, so bound the total, or a small file could fill memory. (Counted per
        # collection; the values' own keys are in the file.)
        self.path_chars += len(pointer) * len(node.value)
        if self.path_chars > MAX_PATH_CHARS:
            raise _KeysTooLong(node)
        outer = self.block_indent
        if node.flow_style:
            if outer is not None and node.start_mark.line != node.end_mark.line:
                self._check_continuation(node, outer)
            self.block_indent = None
        else:
            self.block_indent = node.start_mark.column
        return outer

    def _sequence(self, node: SequenceNode, pointer: str, depth: int) -> list[Any]:
        outer = self._enter(node, pointer)
        depth += 1
        value = [self.build(item, f"{pointer}/{i}", depth) for i, item in enumerate(node.value)]
        self.block_indent = outer
        return value

    def _mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        outer = self._enter(node, pointer)
        depth += 1
        result: dict[str, Any] = {}
        seen_keys: dict[Any, Node] = {}
        read_as_other: dict[str, Node] | None = None
        keys = self.keys
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            text = key_node.value
            if key_tag is PLAIN:
                if text in _TEXT_KEYS:
                    identity = text
                else:
                    identity = self._plain_key(key_node, text)
                    if identity is _NOT_A_KEY:
                        continue
            elif key_tag is QUOTED:
                identity = text
            else:
                if not self.record:
                    raise _DECLINE  # a tagged key, or a list or mapping as a key
                if not isinstance(key_node, ScalarNode):
                    self.report(
                        _problem_at(
                            ProblemKind.NON_SCALAR_KEY,
                            "A key here is a list or mapping; keys must be plain text.",
                            key_node,
                        )
                    )
                    continue
                identity = text
            # Two keys collide when they read as the same value (1 and 0x1; 1 and true once
            # loaded into most programs) or are the same text ('1' quoted and 1 plain).
            first = seen_keys.get(identity)
            if first is None and identity is not text:
                first = seen_keys.get(text)  # an earlier quoted key with the same text
            elif first is None and read_as_other:
                first = read_as_other.get(text)  # an earlier plain key with this text, read as a number
            if first is not None:
                self._duplicate(key_node, first)
                continue
            seen_keys[identity] = key_node
            if identity is not text:
                if read_as_other is None:
                    read_as_other = {}
                read_as_other[text] = key_node
            child = f"{pointer}/{escape_token(text)}"
            if keys is not None:
                ks, ke = key_node.start_mark, key_node.end_mark
                keys[child] = (ks.line + 1, ks.column + 1, ke.line + 1, ke.column + 1)
            result[text] = self.build(value_node, child, depth)
        self.block_indent = outer
        return result

    def _plain_key(self, key_node: Node, text: str) -> Any:
        """What a plain key reads as (its identity among its siblings), or _NOT_A_KEY for a
        merge key, which is reported and skipped."""
        if text == "<<":
            self.report(
                _problem_at(
                    ProblemKind.MERGE_KEY,
                    "Merge keys ('<<') belong to YAML 1.1 and are not read here; write the keys out in full.",
                    key_node,
                )
            )
            return _NOT_A_KEY
        identity = resolve_plain(text)
        if identity is text:
            if len(_TEXT_KEYS) < _TEXT_KEYS_LIMIT:
                _TEXT_KEYS.add(text)
        elif not self.record:
            raise _DECLINE  # a key that reads as null, a number or a bool
        return identity

    def _duplicate(self, key_node: Node, first: Node) -> None:
        text = key_node.value
        same = (
            ""
            if first.value == text
            else f" (YAML tools read '{shown(first.value)}' and '{shown(text)}' as the same key)"
        )
        self.report(
            _problem_at(
                ProblemKind.DUPLICATE_KEY,
                f"Key '{shown(text)}' appears twice in this mapping; it is already set on line "
                f"{first.start_mark.line + 1}{same}. Only one value can count: remove or rename one.",
                key_node,
            )
        )

    def _check_continuation(self, node: Node, indent: int) -> None:
        """Report a quoted text or a [...]/{...} value whose later lines are not indented
        more than the block it belongs to (``indent``, 0-based). libyaml accepts these;
        YAML 1.2 does not, and stricter tools reject the file."""
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">"):
                if not node.value or node.value[0] == "\n":  # only leading empty lines matter
                    self._check_block_scalar(node, indent)
                return
            if node.style not in ('"', "'"):
                return
        elif not isinstance(node, (MappingNode, SequenceNode)) or not node.flow_style:
            return
        found = underindented_line(self._text_lines(), node, indent)
        if found is not None:
            index, spaces = found
            what = "quoted text" if isinstance(node, ScalarNode) else "list or mapping in brackets"
            self.report(
                LoadProblem(
                    ProblemKind.INVALID_YAML,
                    f"This file is not valid YAML: line {index + 1} continues the {what} that starts "
                    f"on line {node.start_mark.line + 1}, but is not indented more than its key "
                    f"(indent it with at least {indent + 1} space{'s' if indent else ''}, not tabs).",
                    index + 1,
                    spaces + 1,
                )
            )

    def _check_block_scalar(self, node: ScalarNode, indent: int) -> None:
        """Report a '|' or '>' text whose leading empty lines hold more spaces than its first
        line of text: YAML 1.2 forbids it, and libyaml would read that first line as the
        end of the text instead."""
        lines = self._text_lines()
        start = node.start_mark
        header = lines[start.line][start.column :].split("#", 1)[0] if start.line < len(lines) else ""
        if any(character.isdigit() for character in header):
            return  # the indentation is given, not guessed
        widest, widest_line = 0, 0
        for index in range(start.line + 1, len(lines)):
            line = lines[index].rstrip("\r")
            if not line.strip(" \t"):
                spaces = len(line) - len(line.lstrip(" "))
                if spaces > widest:
                    widest, widest_line = spaces, index
                continue
            first = len(line) - len(line.lstrip(" "))
            if indent < first < widest:
                self.report(
                    LoadProblem(
                        ProblemKind.INVALID_YAML,
                        f"This file is not valid YAML: an empty line of the text that starts on line "
                        f"{start.line + 1} holds more spaces than the text's first line ({index + 1}). "
                        "Remove the spaces from the empty lines.",
                        widest_line + 1,
                        first + 1,
                    )
                )
            return

    def _text_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = text_lines(self.data)
        return self._lines

    def _tagged(self, node: Node, pointer: str, depth: int) -> Any:
        if not self.record:
            raise _DECLINE  # every tag is left to the full build
        tag = node.tag
        short = tag[len(CORE) :] if tag.startswith(CORE) else None
        if (short == "map" and isinstance(node, MappingNode)) or (short == "seq" and isinstance(node, SequenceNode)):
            return self._collection(node, pointer, depth)
        if isinstance(node, ScalarNode) and (short in CORE_SCALARS or tag == "!"):
            if short in (None, "str"):
                return node.value
            value = resolve_plain(node.value)
            expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[short]
            if short == "float" and type(value) is int:
                return float(value)
            if type(value) is expected:
                return value
            self.report(
                _problem_at(ProblemKind.UNSUPPORTED_TAG, f"'{shown(node.value)}' is not a valid !!{short} value.", node)
            )
            return node.value
        name = f"!!{short}" if short is not None else tag
        self.report(
            _problem_at(
                ProblemKind.UNSUPPORTED_TAG,
                f"The tag '{shown(name)}' is not part of YAML's core schema and is never interpreted; "
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
        return self._sequence(node, pointer, depth)


def underindented_line(lines: list[str], node: Node, indent: int) -> tuple[int, int] | None:
    """The first later line of a multi-line value that is not indented more than ``indent``
    (0-based), as (0-based line, its leading spaces); None when every line is."""
    for index in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(lines))):
        line = lines[index]
        spaces = len(line) - len(line.lstrip(" "))
        if spaces <= indent and line.strip():
            return index, spaces
    return None


def needs_prescan(data: bytes) -> bool:
    """Whether the document may nest or hold values past what the composer can take safely,
    so the depth and size scan (``_prescan``) must look before libyaml does."""
    # Every value but the first needs one of these characters (two values for ':').
    indicators = data.count(b"[") + data.count(b"{") + data.count(b"-") + data.count(b":") + data.count(b"?")
    return indicators > _DEPTH_SCAN_THRESHOLD or 2 * (indicators + data.count(b",")) >= MAX_VALUES


def text_lines(data: bytes) -> list[str]:
    """The file's lines as the checks count them."""
    return data.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")


def _expanded_size(root: Node) -> tuple[int, int, int]:
    """How many values ``root`` stands for once aliases are expanded, how many levels deep
    it nests (1 for a scalar), and how many characters of text it holds, memoized per node.

    Iterative, and shared subtrees are counted once per node object, so a 'billion
    laughs' document costs as many steps as it has distinct nodes.
    """
    sizes: dict[int, tuple[int, int, int]] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[id(node)] = (1, 1, len(node.value))
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else list(node.value)
        if children_done:
            measured = [sizes[id(child)] for child in children]
            sizes[id(node)] = (
                1 + sum(size for size, _, _ in measured),
                1 + max((height for _, height, _ in measured), default=0),
                sum(chars for _, _, chars in measured),
            )
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
                ProblemKind.UNSUPPORTED_YAML_VERSION,
                f"The file declares YAML {version}; stratlint reads YAML 1.2 only, where 'no' and "
                "'off' stay text. Remove the %YAML line.",
                line,
                1,
                line,
                len(directive.group(0)) + 1,
            )
        )
        data = data[: directive.start()] + b"#" + data[directive.start() + 1 :]

    try:
        if needs_prescan(data):
            found = _prescan(data)
            if found is not None:
                problems.append(found)
                return result
        root = CoreComposer(data).get_single_node()
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(error, data))
        return result
    except yaml.reader.ReaderError as error:
        line, column = _position_at(data, error.position)
        message = f"This file is not valid YAML: {error.reason}."
        problems.append(LoadProblem(ProblemKind.INVALID_YAML, message, line, column))
        return result
    except yaml.YAMLError as error:
        problems.append(LoadProblem(ProblemKind.INVALID_YAML, f"This file is not valid YAML: {error}", 1, 1))
        return result
    except (RecursionError, MemoryError):
        problems.append(_too_deep(1, 1))
        return result
    except Exception as error:
        problems.append(_parser_failed(error))
        return result
    if root is None:
        return result

    builder = _Builder(data, source_map, problems)
    kept = len(problems)  # problems found before building; a rejected file reports only why
    try:
        if has_glued_hash(data):
            problems.extend(_glued_comments(data))
        if has_cutting_hash(data):
            problems.extend(_cut_texts(data))
        result.data = builder.build(root, "", 0)
        return result
    except _TooDeep as deep:
        mark = deep.node.start_mark
        rejected = _too_deep(mark.line + 1, mark.column + 1)
    except _KeysTooLong as long_keys:
        mark = long_keys.node.start_mark
        rejected = LoadProblem(
            ProblemKind.FILE_TOO_LARGE,
            "Keys in this file are too long for the number of values under them; the file is not "
            "read. Keys name fields and should be a few words at most.",
            mark.line + 1,
            mark.column + 1,
        )
    except _Budget:
        rejected = LoadProblem(
            ProblemKind.ALIAS_BOMB,
            f"Aliases in this file expand to more than {MAX_ALIAS_EXPANSION:,} values or "
            f"{MAX_ALIAS_CHARS:,} characters (an 'alias bomb'); the file is not read. Write the "
            "values out instead of using aliases.",
            root.start_mark.line + 1,
            root.start_mark.column + 1,
        )
    except Exception as error:
        rejected = _parser_failed(error)
    # A rejected file reports only why, and has neither data nor positions.
    del problems[kept:]
    problems.append(rejected)
    source_map.values.clear()
    source_map.keys.clear()
    return result


def parse_simple(data: bytes, text: str = "") -> ParsedYaml | None:
    """The quick path through an ordinary file: its data with a deferred source map (built
    by ``parse_yaml`` the first time a position is asked for), or None when the file needs
    the full path: a %YAML directive, a document deep or large enough for the prescan, a
    comment glued to or cutting text, a syntax error, an empty document, or anything the
    builder declines without positions (an alias, a tag, a key that is not text, and every
    problem). ``text``, when given, is ``data`` decoded, for the source map to keep instead
    of the bytes. Never raises."""
    if b"%YAML" in data or b"*" in data or has_glued_hash(data) or has_cutting_hash(data) or needs_prescan(data):
        return None
    try:
        root = CoreComposer(data).get_single_node()
        if root is None:
            return None
        value = _Builder(data, None, []).build(root, "", 0)
    except Exception:
        return None
    return ParsedYaml(value, SourceMap.deferred(data, text), [])


def _parser_failed(error: BaseException) -> LoadProblem:
    message = f"The YAML parser failed on this file ({type(error).__name__}: {error})."
    return LoadProblem(ProblemKind.INVALID_YAML, message, 1, 1)


def _position_at(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset."""
    offset = max(0, min(offset, len(data)))
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace").removeprefix("\ufeff")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def has_glued_hash(data: bytes) -> bool:
    """Whether a '#' follows a character other than a space or line break. (A loop over
    ``find`` is many times faster than a regular expression that starts with a class.)"""
    index = data.find(b"#", 1)
    while index != -1:
        if data[index - 1] not in b" \t\r\n":
            return True
        index = data.find(b"#", index + 1)
    return False


def has_cutting_hash(data: bytes) -> bool:
    """Whether a ' #' is followed by a character a comment seldom starts with (a letter or
    digit, as in ' #1' or ' #hashtag'): text that YAML may have cut short there."""
    index = data.find(b" #")
    while index != -1:
        following = data[index + 2 : index + 3]
        if following.isalnum():
            return True
        index = data.find(b" #", index + 2)
    return False


def _cut_texts(data: bytes) -> list[LoadProblem]:
    """Plain text values that a ' #' cuts short: ``answer: Ranked #1 in close`` reads as
    'Ranked', with '#1 in close' a comment. Valid YAML, but almost never what the writer
    meant; a comment meant as one starts '# ' (with a space). Only runs when the bytes hold
    such a ' #', so ordinary files pay nothing."""
    found: list[LoadProblem] = []
    try:
        tokens = list(yaml.scan(data, Loader=_EventLoader))
    except Exception:  # a second look only: the composer has already read the file
        return []
    lines = text_lines(data)
    for before, key, value, scalar in zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False):
        if not (
            isinstance(before, yaml.KeyToken)
            and isinstance(key, yaml.ScalarToken)
            and isinstance(value, yaml.ValueToken)
            and isinstance(scalar, yaml.ScalarToken)
            and scalar.plain
            and scalar.end_mark.line < len(lines)
        ):
            continue
        line, end = scalar.end_mark.line, scalar.end_mark.column
        text = lines[line].rstrip("\r")
        rest = text[end:]
        if not (rest.startswith(" #") and rest[2:3].isalnum()):
            continue
        start = scalar.start_mark
        head = lines[start.line][: start.column] if start.line == line else None
        if head is None:
            continue  # a value over several lines: too rare to advise on
        # What the writer meant as text runs to a real comment ('  # note'), if one follows.
        cut = rest[1:]
        comment = re.search(r"\s#(\s|$)", cut)
        if comment is not None:
            cut = cut[: comment.start()]
        cut = cut.rstrip()
        whole = f"{text[start.column : end]} {cut}"
        found.append(
            LoadProblem(
                ProblemKind.TEXT_CUT_BY_COMMENT,
                f"The text of '{shown(key.value, 40)}:' stops before ' #': YAML reads '{shown(cut, 40)}' "
                f"as a comment, so it is not part of the text. If it belongs to the text, put the whole text in "
                f"quotes: '{shown(head.lstrip() + quoted(whole), 120)}'; if it is a comment, write '# ' with a space.",
                line + 1,
                end + 2,
                subject=shown(key.value, 40),
            )
        )
    return found


def _glued_comments(data: bytes) -> list[LoadProblem]:
    """Comments that touch the text before them (``"value"#note``, ``]#note``, ``>#note``).

    libyaml reads them as comments; YAML 1.2 requires a space before '#', and stricter
    tools reject the file. Only runs when the bytes hold a '#' right after a character,
    which is rare, so ordinary files pay nothing. A '#' inside a value, tag or anchor is
    part of it and is left alone."""
    inside: dict[int, list[tuple[int, int]]] = {}
    headers: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(data, Loader=_EventLoader):
            if isinstance(token, _TOKENS_WITH_TEXT):
                start, end = token.start_mark, token.end_mark
                for line in range(start.line, end.line + 1):
                    first = start.column if line == start.line else 0
                    last = end.column if line == end.line else 1 << 30
                    inside.setdefault(line, []).append((first, last))
                if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
                    headers.append((start.line, start.column))
    except Exception:  # a second look only: the composer has already read the file
        return []
    lines = text_lines(data)
    for header_line, header_column in headers:
        header = lines[header_line][header_column:].rstrip("\r") if header_line < len(lines) else ""
        if not _BLOCK_HEADER.match(header) and "#" in header:
            return [_glued_comment(header_line, header_column + header.index("#"))]
    for number, text in enumerate(lines):
        if "#" not in text:
            continue
        spans = sorted(inside.get(number, ()))
        firsts = [first for first, _ in spans]
        column = text.find("#")
        while column != -1:
            index = bisect.bisect_right(firsts, column) - 1
            if index < 0 or not spans[index][0] <= column < spans[index][1]:
                # A '#' outside any value starts a comment; the rest of the line is comment text.
                if column > 0 and text[column - 1] not in " \t\r":
                    return [_glued_comment(number, column)]
                break
            column = text.find("#", column + 1)
    return []


def _glued_comment(line: int, column: int) -> LoadProblem:
    return LoadProblem(
        ProblemKind.INVALID_YAML,
        "This file is not valid YAML: a comment ('#') must have a space before it. Add a space "
        "before '#', or quote the value if the '#' belongs to it.",
        line + 1,
        column + 1,
    )


def _too_deep(line: int, column: int) -> LoadProblem:
    return LoadProblem(
        ProblemKind.NESTING_TOO_DEEP,
        f"Values here are nested more than {MAX_DEPTH} levels deep; the file is not read. "
        "Strategy files need only a few levels.",
        line,
        column,
    )


def _libyaml_depth_limit(data: bytes, error: yaml.MarkedYAMLError) -> LoadProblem | None:
    """libyaml from 0.2.6 stops [...] and {...} nested 1,000 deep in its scanner, before any
    event comes out, so the depth scan never sees the levels. That is nesting too deep all the
    same: find the first level past MAX_DEPTH in the text before libyaml's stop, so the
    finding stands where it does with every libyaml."""
    if "maximum nesting depth" not in (error.problem or ""):
        return None
    mark = error.problem_mark
    if mark is not None and 0 < mark.index < len(data):
        found = _prescan(data[: mark.index])
        if found is not None and found.kind == ProblemKind.NESTING_TOO_DEEP:
            return found
    return _too_deep(*((mark.line + 1, mark.column + 1) if mark is not None else (1, 1)))


def _syntax_problem(error: yaml.MarkedYAMLError, data: bytes = b"") -> LoadProblem:
    too_deep = _libyaml_depth_limit(data, error)
    if too_deep is not None:
        return too_deep
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if isinstance(error, yaml.composer.ComposerError) and "single document" in (error.context or ""):
        return LoadProblem(
            ProblemKind.MULTIPLE_DOCUMENTS,
            "This file holds more than one YAML document ('---'); stratlint reads one artifact per "
            "file. Split it into separate files.",
            line,
            column,
        )
    problem = error.problem or "unexpected content"
    context = f" {error.context}" if error.context else ""
    marks = error.context_mark
    advice = advise(
        data.decode("utf-8", "replace").splitlines(),
        ParserError(
            problem,
            line,
            column,
            error.context,
            marks.line + 1 if marks is not None else None,
            marks.column + 1 if marks is not None else None,
        ),
    )
    if advice is not None:
        # The plain words first; the parser's own after them, for whoever knows YAML.
        return LoadProblem(
            ProblemKind.INVALID_YAML,
            f"{advice.message} The YAML parser says:{context} {problem} (line {line}).",
            advice.line,
            advice.column,
        )
    return LoadProblem(
        ProblemKind.INVALID_YAML,
        f"This file is not valid YAML:{context} {problem}. Check the indentation and quoting on this line.",
        line,
        column,
    )
