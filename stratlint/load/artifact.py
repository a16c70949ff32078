"""One strategy file, read and validated: its model, source map and problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from stratlint.load.explain import describe_owner, explain, field_names, type_name
from stratlint.load.extra_schema import ExtraSchema, check_extra_schema
from stratlint.load.fastpath import parse_simple
from stratlint.load.read import DEFAULT_MAX_BYTES, read_bounded
from stratlint.load.source_map import SourceMap, join_pointer
from stratlint.load.suppressions import ANY_COMMENT, SuppressionComment, find_comments
from stratlint.load.yaml import parse_yaml, shown
from stratlint.model import KINDS, ArtifactBase
from stratlint.problems import LoadProblem, ProblemKind


@dataclass(slots=True)
class LoadedArtifact:
    """What the loader learned from one file. ``model`` is None when the file is unusable."""

    path: str
    """Relative to the repository root, with forward slashes."""
    kind: str | None = None
    model: ArtifactBase | None = None
    source_map: SourceMap = field(default_factory=SourceMap)
    problems: list[LoadProblem] = field(default_factory=list)
    text: str = ""
    """The decoded text, for comment-level features such as suppressions."""
    declared_ids: frozenset[str] = frozenset()
    """Ids the file declares although it failed validation: references to them are not
    reported as dangling, since the file's own errors are the cause."""
    data: Any = None
    """The plain data ``model`` was validated from, while the loader needs it (the cache
    stores it); None otherwise."""

    @property
    def comments(self) -> list[SuppressionComment]:
        """The file's '# stratlint:' comments: the index the suppression step applies. Most
        files hold none and are passed over at once; finding them in one that does takes
        its positions (to tell a comment from text inside a value)."""
        if ANY_COMMENT.search(self.text) is None:
            return []
        return find_comments(self.text, self.source_map.values)


def load_artifact(
    path: str,
    relpath: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    extra_schemas: Mapping[str, ExtraSchema] | None = None,
) -> LoadedArtifact:
    """Read, parse and validate one file. Never raises."""
    raw = read_bounded(path, max_bytes)
    if isinstance(raw, LoadProblem):
        return LoadedArtifact(relpath, problems=[raw])
    return load_bytes(raw, relpath, extra_schemas=extra_schemas)


def load_bytes(
    data: bytes,
    relpath: str,
    *,
    extra_schemas: Mapping[str, ExtraSchema] | None = None,
    validate: bool = True,
) -> LoadedArtifact:
    """Parse and validate one file's bytes, and against the organisation's extra schema for
    its kind when there is one. Never raises.

    Without ``validate``, a file of a known kind keeps its plain data in ``data`` and has no
    model yet: ``validate_model`` finishes it (a loading worker leaves that to the process
    that receives its results, which validates them into models anyway)."""
    artifact = LoadedArtifact(relpath)
    text = _decode(data, artifact.problems)
    if text is None:
        return artifact
    artifact.text = text
    parsed = parse_simple(data, text) or parse_yaml(data)
    artifact.source_map = parsed.source_map
    artifact.problems.extend(parsed.problems)
    # Syntax that libyaml reads but YAML 1.2 forbids is reported with the data kept; a
    # document that could not be read at all has no data, and its problems say why.
    value = parsed.data
    if value is None:
        if not parsed.problems:
            artifact.problems.append(
                LoadProblem(
                    ProblemKind.NOT_AN_ARTIFACT,
                    "The file is empty or holds only comments. A strategy file starts with "
                    "'stratlint: 1', 'kind:' and 'id:'.",
                    1,
                    1,
                )
            )
        return artifact
    if not isinstance(value, dict):
        line, column, *_ = parsed.source_map.values.get("", (1, 1))
        artifact.problems.append(
            LoadProblem(
                ProblemKind.NOT_AN_ARTIFACT,
                f"The file holds {type_name(value)}, not a mapping. A strategy file starts with "
                "'stratlint: 1', 'kind:' and 'id:'.",
                line,
                column,
            )
        )
        return artifact
    kind = value.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        artifact.problems.append(_unknown_kind(kind, parsed.source_map))
        return artifact
    artifact.kind = str(kind)
    artifact.data = value
    if validate:
        validate_model(artifact)
    extra = extra_schemas.get(str(kind)) if extra_schemas else None
    if extra is not None:
        artifact.problems.extend(check_extra_schema(value, extra, parsed.source_map))
    return artifact


def validate_model(artifact: LoadedArtifact) -> None:
    """Validate the artifact's plain data into its kind's model; when it does not fit,
    record why (ahead of the organisation's own schema's findings) and the ids the file
    seems to declare, and keep no data."""
    assert artifact.kind is not None
    value = artifact.data
    try:
        artifact.model = KINDS[artifact.kind].model_validate(value)
        return
    except ValidationError as error:
        # A value under an unsupported tag is already reported where it stands; its shape is
        # not a second finding.
        problems = artifact.problems
        tagged = {(p.line, p.column) for p in problems if p.kind == ProblemKind.UNSUPPORTED_TAG}
        found = [
            problem
            for problem in _schema_problems(error, value, artifact.source_map, artifact.kind)
            if (problem.line, problem.column) not in tagged
        ]
        extra = ProblemKind.EXTRA_SCHEMA_VIOLATION
        at = next((index for index, p in enumerate(problems) if p.kind == extra), len(problems))
        problems[at:at] = found
        artifact.declared_ids = _declared_ids(value)
        artifact.data = None


def _declared_ids(data: Any) -> frozenset[str]:
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ident = item.get("id")
            if isinstance(ident, str):
                found.add(ident)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return frozenset(found)


_UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _decode(data: bytes, problems: list[LoadProblem]) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            problems.append(
                LoadProblem(ProblemKind.INVALID_ENCODING, f"The file is encoded as {name}; save it as UTF-8.", 1, 1)
            )
            return None
    if len(data) >= 2 and (data[0] == 0 or data[1] == 0):
        problems.append(
            LoadProblem(ProblemKind.INVALID_ENCODING, "The file looks like UTF-16 or UTF-32; save it as UTF-8.", 1, 1)
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        # A UTF-8 byte order mark is not a character of the first line.
        line_start = max(data.rfind(b"\n", 0, error.start) + 1, len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0)
        column = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
        problems.append(
            LoadProblem(
                ProblemKind.INVALID_ENCODING,
                f"The file is not valid UTF-8: byte 0x{data[error.start]:02x} cannot start or continue "
                "a character here. Save the file as UTF-8.",
                line,
                column,
            )
        )
        return None
    bad = _CONTROL.search(text)
    if "\r" in text:  # rare: checked apart, since the look-ahead would slow every file down
        lone = _LONE_CARRIAGE_RETURN.search(text)
        if lone is not None and (bad is None or lone.start() < bad.start()):
            bad = lone
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        line_start = max(text.rfind("\n", 0, bad.start()) + 1, 1 if text.startswith("\ufeff") else 0)
        column = bad.start() - line_start + 1
        character = bad.group()
        if character in _LINE_SEPARATORS:
            message = (
                f"The file contains the line separator U+{ord(character):04X}, which YAML tools disagree "
                "about (a line break to some, text to others, and invisible in most editors). Replace it "
                "with an ordinary line break, or remove it."
            )
        else:
            message = (
                f"The file contains the control character U+{ord(character):04X}, which YAML does not "
                "allow. Remove it (it is often pasted in by accident)."
            )
        problems.append(
            LoadProblem(ProblemKind.INVALID_ENCODING, message, line, column, subject=f"U+{ord(character):04X}")
        )
        return None
    return text


_LINE_SEPARATORS = "\r\x85\u2028\u2029"
"""Line breaks to YAML 1.1 and libyaml, but not to YAML 1.2 or to editors (a lone carriage
return too): positions would disagree, so they are reported instead of guessed at."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]")
_LONE_CARRIAGE_RETURN = re.compile("\r(?!\n)")


def _unknown_kind(kind: Any, source_map: SourceMap) -> LoadProblem:
    known = ", ".join(KINDS)
    if kind is None:
        span = source_map.span("")
        message = f"The file has no 'kind:'. Add one of: {known}."
    else:
        span = source_map.span("/kind")
        guess = difflib.get_close_matches(str(kind), list(KINDS), n=1)
        hint = f" Did you mean '{guess[0]}'?" if guess else ""
        message = f"Unknown kind '{shown(kind)}'.{hint} The kinds are: {known}."
    return LoadProblem.spanning(ProblemKind.UNKNOWN_KIND, message, span, "/kind", str(kind))


def _schema_problems(error: ValidationError, data: Any, source_map: SourceMap, kind: str) -> list[LoadProblem]:
    problems = []
    for item in error.errors(include_url=False):
        tokens, owner, container = _walk(data, item["loc"])
        pointer = join_pointer(*tokens)
        error_type = item["type"]
        field_name = str(item["loc"][-1]) if item["loc"] else ""
        where = describe_owner(owner, container, kind)
        if error_type == "missing":
            if not tokens and field_name == "stratlint":
                message = "The file has no format version. Add 'stratlint: 1' at the top."
            else:
                message = f"{where} is missing the required field '{shown(field_name)}'."
            span = source_map.span(pointer)
        elif error_type == "extra_forbidden":
            guess = difflib.get_close_matches(field_name, field_names(), n=1)
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            message = f"{where} has an unknown field '{shown(field_name)}'.{hint}"
            span = source_map.span(pointer, key=True)
        else:
            message = f"{where}: '{shown(field_name)}' {explain(item)}" if field_name else f"{where}: {explain(item)}"
            span = source_map.span(pointer)
        subject = f"{pointer}:{error_type}"
        problems.append(LoadProblem.spanning(ProblemKind.SCHEMA_VIOLATION, message, span, pointer, subject))
    return problems


def _walk(data: Any, loc: tuple[int | str, ...]) -> tuple[list[str | int], Any, str | None]:
    """Follow a pydantic error location through the data, skipping pydantic's own tags.

    Returns the JSON pointer tokens, the innermost mapping that owns the failing field, and
    the list field that mapping is an entry of ('items', 'messages', ...), if any."""
    tokens: list[str | int] = []
    current, owner, owner_depth = data, data, 0
    for step in loc:
        if isinstance(current, dict) and isinstance(step, str):
            owner, owner_depth = current, len(tokens)
            tokens.append(step)
            if step not in current:
                break  # a missing or unknown key: the pointer names it, the owner is this mapping
            current = current[step]
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            tokens.append(step)
            current = current[step]
    if isinstance(current, dict) and tokens and loc and tokens[-1] != loc[-1]:
        owner, owner_depth = current, len(tokens)
    owner_path = tokens[:owner_depth]
    container = owner_path[-2] if len(owner_path) >= 2 and isinstance(owner_path[-1], int) else None
    return tokens, owner, container if isinstance(container, str) else None
