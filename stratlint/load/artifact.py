"""One strategy file, read and validated: its model, source map and problems."""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from stratlint.load.explain import describe_owner, explain, type_name
from stratlint.load.extra_schema import ExtraSchema, check_extra_schema
from stratlint.load.read import DEFAULT_MAX_BYTES, read_bounded
from stratlint.load.source_map import SourceMap
from stratlint.load.suppressions import ANY_COMMENT, SuppressionComment, find_comments
from stratlint.load.yaml import parse_simple, parse_yaml, shown
from stratlint.model import KINDS, ArtifactBase, owner_model
from stratlint.pointers import join_pointer
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
    """Ids declared in what did not load (the whole file, or the entries left out of it):
    references to them are not reported as dangling, since the file's own errors are the cause."""
    partial: bool = False
    """The file loaded without some of its entries, which did not fit the model (their
    problems are reported, their ids are in ``declared_ids``)."""
    renumbered: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """For each list that lost items so (by its JSON pointer in the file), the index in the
    file of each item left: positions come from the file, the model holds fewer items."""
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
    text = decode_text(data, artifact.problems)
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
        else:
            # Unreadable, but what it seems to be and declare can be read off its lines: its
            # kind, so rules know what is missing, and its ids, so references to them are not
            # reported as dangling; the file's own problem is the one to fix.
            artifact.kind, artifact.declared_ids = recovered(text)
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
        # A misspelt kind (say 'narative') loads nothing: the ids it declares are kept, so
        # what cites them is held back rather than reported as dangling, one finding in all.
        artifact.declared_ids = _declared_ids(value)
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
    """Validate the artifact's plain data into its kind's model. When it does not fit,
    record why (ahead of the organisation's own schema's findings), and load what does fit:
    an unknown or invalid optional field is left out and its entry still loads; an entry
    that cannot be repaired so is left out, and the rest of the file loads. Only a file
    whose header does not fit loads nothing; then the ids it seems to declare are kept."""
    assert artifact.kind is not None
    model = KINDS[artifact.kind]
    value = artifact.data
    try:
        artifact.model = model.model_validate(value)
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
        repaired = _repair(model, value, error)
        if repaired is None:
            artifact.declared_ids = _declared_ids(value)
            artifact.data = None
            return
        artifact.model, artifact.data, dropped, artifact.renumbered = repaired
        artifact.declared_ids = frozenset().union(*(_declared_ids(entry) for entry in dropped))
        artifact.partial = bool(dropped)


_REPAIR_ROUNDS = 8
"""Each round fixes every error pydantic reports; a file that still does not fit after
this many is left out whole (only adversarial files nest errors this deep)."""


Repaired = tuple[ArtifactBase, Any, list[Any], dict[str, tuple[int, ...]]]


def _repair(model: type[ArtifactBase], data: Any, error: ValidationError) -> Repaired | None:
    """The model of ``data`` with what does not fit left out, the data it was validated
    from, the entries left out, and how the lists that lost items are renumbered (see
    ``LoadedArtifact.renumbered``); None when the file's header itself does not fit."""
    current = copy.deepcopy(data)
    dropped: list[Any] = []
    removed_keys: set[tuple[str | int, ...]] = set()
    renumbered: dict[str, list[int]] = {}

    def in_file(tokens: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """Tokens of the data as repaired so far, as they are in the file."""
        found: list[str | int] = []
        for token in tokens:
            indices = renumbered.get(join_pointer(*found))
            found.append(indices[token] if isinstance(token, int) and indices is not None else token)
        return tuple(found)

    for _ in range(_REPAIR_ROUNDS):
        errors = [(tuple(_walk(current, item["loc"])[0]), item["type"]) for item in error.errors(include_url=False)]
        renamed = _rename_misspelled(current, errors)
        repairs: set[tuple[str | int, ...]] = set()
        for tokens, error_type in errors:
            if tokens in renamed:
                continue
            target = _repair_target(current, tokens, error_type, removed_keys)
            if target is None:
                return None
            repairs.add(target)
        # Deepest and last first, so removing one leaves the others' positions as they are.
        for target in sorted(repairs, key=_deepest_last, reverse=True):
            parent = _at_path(current, target[:-1])
            key = target[-1]
            if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
                indices = renumbered.setdefault(join_pointer(*in_file(target[:-1])), list(range(len(parent))))
                del indices[key]
                if isinstance(parent[key], dict):
                    dropped.append(parent[key])
                del parent[key]
            elif isinstance(parent, dict) and key in parent:
                removed_keys.add(target)
                del parent[key]
        try:
            built = model.model_validate(current)
        except ValidationError as again:
            error = again
            continue
        return built, current, dropped, {pointer: tuple(indices) for pointer, indices in renumbered.items()}
    return None


def _rename_misspelled(data: Any, errors: list[tuple[tuple[str | int, ...], str]]) -> set[tuple[str | int, ...]]:
    """Give an unknown key the name of the required field its mapping lacks, when it is that
    name misspelled ('ownr' for a missing 'owner'), so the entry loads as its author meant.
    Returns the locations of the errors that fixes (the unknown key and the missing field)."""
    missing: dict[tuple[str | int, ...], list[str]] = {}
    for tokens, error_type in errors:
        if error_type == "missing" and tokens and isinstance(tokens[-1], str):
            missing.setdefault(tokens[:-1], []).append(tokens[-1])
    fixed: set[tuple[str | int, ...]] = set()
    for tokens, error_type in errors:
        if error_type != "extra_forbidden" or not tokens or not isinstance(tokens[-1], str):
            continue
        owner, key = tokens[:-1], tokens[-1]
        guess = difflib.get_close_matches(key, missing.get(owner, []), n=1, cutoff=0.75)
        mapping = _at_path(data, owner)
        if guess and isinstance(mapping, dict) and guess[0] not in mapping:
            mapping[guess[0]] = mapping.pop(key)
            missing[owner].remove(guess[0])
            fixed |= {tokens, (*owner, guess[0])}
    return fixed


def _repair_target(
    data: Any, tokens: tuple[str | int, ...], error_type: str, removed: set[tuple[str | int, ...]]
) -> tuple[str | int, ...] | None:
    """What to remove to get past one error: the failing field itself, when it is not the
    entry's own (required) field; else the innermost entry of a list that holds it. None
    when the error is in the file's header and cannot be removed."""
    if error_type != "missing" and tokens and tokens not in removed and len(tokens) > 1:
        return tokens  # an unknown, invalid or misplaced field of an entry: leave the field out
    if error_type != "missing" and len(tokens) == 1 and tokens not in removed and tokens[0] not in _HEADER:
        return tokens  # an optional field of the file
    for depth in range(len(tokens) - 1, 0, -1):
        if isinstance(tokens[depth], int) and isinstance(_at_path(data, tokens[: depth + 1]), dict):
            return tokens[: depth + 1]
    return None


def _deepest_last(tokens: tuple[str | int, ...]) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    return len(tokens), tuple((0, token) if isinstance(token, int) else (1, token) for token in tokens)


_HEADER = frozenset({"stratlint", "kind", "id"})
"""The fields every file must have right: without them the file is not an artifact."""


def _at_path(data: Any, tokens: tuple[str | int, ...]) -> Any:
    for token in tokens:
        data = data[token]
    return data


_KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([a-z]+)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)
_ID_LINE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?id:[ \t]*['\"]?([a-z0-9]+(?:[.-][a-z0-9]+)*)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE
)


def recovered(text: str) -> tuple[str | None, frozenset[str]]:
    """The kind and the ids a file that cannot be parsed seems to declare, line by line."""
    kind = _KIND_LINE.search(text)
    return (kind.group(1) if kind and kind.group(1) in KINDS else None), frozenset(_ID_LINE.findall(text))


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


def decode_text(data: bytes, problems: list[LoadProblem]) -> str | None:
    """``data`` as text, or None with the reason added to ``problems``: not UTF-8, or holding
    a control character or a line break YAML tools disagree about."""
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
    items = error.errors(include_url=False)
    # A misspelled required field is one mistake, not two: the unknown key names the field.
    missing = {(tuple(item["loc"][:-1]), str(item["loc"][-1])) for item in items if item["type"] == "missing"}
    misspelled = {
        (tuple(item["loc"][:-1]), guess)
        for item in items
        if item["type"] == "extra_forbidden" and (guess := _field_guess(kind, item["loc"])) is not None
    }
    for item in items:
        if item["type"] == "missing" and (tuple(item["loc"][:-1]), str(item["loc"][-1])) in misspelled:
            continue
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
            guess = _field_guess(kind, item["loc"])
            elsewhere = _kind_of_field(kind, item["loc"]) if guess is None else None
            if guess is not None and (tuple(item["loc"][:-1]), guess) in missing:
                hint = f" Did you mean '{guess}', which is required here?"
            elif guess is not None:
                hint = f" Did you mean '{guess}'?"
            elif elsewhere is not None:
                hint = f" '{shown(field_name)}' belongs in {_kind_phrase(elsewhere)} (kind: {elsewhere}), not here."
            else:
                hint = ""
            message = f"{where} has an unknown field '{shown(field_name)}'.{hint}"
            span = source_map.span(pointer, key=True)
        else:
            message = f"{where}: '{shown(field_name)}' {explain(item)}" if field_name else f"{where}: {explain(item)}"
            span = source_map.span(pointer)
        subject = f"{pointer}:{error_type}"
        problem = LoadProblem.spanning(ProblemKind.SCHEMA_VIOLATION, message, span, pointer, subject)
        if error_type == "string_pattern_mismatch" and isinstance(item.get("input"), str):
            problem = replace(problem, written=item["input"])
        problems.append(problem)
    return problems


def _field_guess(kind: str, loc: tuple[int | str, ...]) -> str | None:
    """The field of the owning entry's own model that an unknown key is a close misspelling
    of, or None: a guess from other models' fields only misleads."""
    model = owner_model(kind, loc)
    if model is None or not loc:
        return None
    guess = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.75)
    return guess[0] if guess else None


def _kind_of_field(kind: str, loc: tuple[int | str, ...]) -> str | None:
    """For an unknown top-level key, the other kind whose files have that field, if any."""
    if len(loc) != 1:
        return None
    name = str(loc[0])
    shared = set(ArtifactBase.model_fields)
    return next(
        (other for other, model in KINDS.items() if other != kind and name in set(model.model_fields) - shared), None
    )


def _kind_phrase(kind: str) -> str:
    return {"value": "the value definition", "narrative": "the narrative", "priorities": "the priorities"}.get(
        kind, f"a {kind} file"
    )


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
