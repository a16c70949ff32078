"""Editor support in the user's repository: the schemas shipped in the package, written out,
and the editor settings that apply them (``stratlint schemas``).

The settings are VS Code's ``.vscode/settings.json``: its ``yaml.schemas`` tells the Red Hat
YAML extension (the YAML language server) which schema applies to which files. Strategy
files are known by their ``kind:``, not their names, so one schema, ``strategy.schema.json``,
goes to every YAML file under the strategy root, and it applies the schema of the kind the
file names. The file may hold comments and trailing commas (VS Code allows both): it is
edited in place, where ``yaml.schemas`` is or goes, and every other byte is kept.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from stratlint.fileio import atomic_write, linked_outside
from stratlint.load.discover import YAML_SUFFIXES
from stratlint.model.schema import ANY_KIND, schema_filename, schema_names
from stratlint.paths import leads_outside

SETTINGS_FILE = Path(".vscode") / "settings.json"
SCHEMAS_SETTING = "yaml.schemas"


class EditorSetupError(Exception):
    """Why the schemas or the settings were not written: one line, for the user."""


# -- the schemas -----------------------------------------------------------------------------


def shipped_schemas() -> dict[str, bytes]:
    """Every schema shipped in the package (``stratlint/schemas/``), by file name."""
    folder = resources.files("stratlint").joinpath("schemas")
    found = {}
    for name in schema_names():
        try:
            found[schema_filename(name)] = folder.joinpath(schema_filename(name)).read_bytes()
        except OSError:
            raise EditorSetupError(
                f"this installation of stratlint has no {schema_filename(name)} (stratlint/schemas); reinstall it"
            ) from None
    return found


def write_schemas(folder: Path, repo_root: Path) -> list[Path]:
    """Write every shipped schema into ``folder`` (created when missing), each file whole.
    A folder reached through a link inside the repository that leads outside it is refused."""
    outside = linked_outside(folder, repo_root)
    if outside is not None:
        raise EditorSetupError(
            f"{folder.as_posix()} leads through a link to {outside.as_posix()}, outside the repository; "
            "name a folder that is not a link"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EditorSetupError(f"cannot create the folder {folder.as_posix()}: {error.strerror or error}") from None
    written = []
    for name, content in shipped_schemas().items():
        target = folder / name
        try:
            atomic_write(target, content)
        except OSError as error:
            raise EditorSetupError(f"{target.as_posix()} was not written: {error.strerror or error}") from None
        written.append(target)
    return written


# -- the settings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchemaSetting:
    """What ``yaml.schemas`` gets: the schema (a path from the repository root) and the
    file patterns it applies to."""

    schema: str
    patterns: tuple[str, ...]


_RELATIVE_PATH = re.compile(r"(?:(?:\.\.?|[\w\-@. ]+)/)*[\w\-. ]*\.[\w\-]+", re.ASCII)
"""The paths the YAML language server reads as relative to the workspace (its isRelativePath);
anything else it takes for a URI."""

_GLOB_SPECIAL = re.compile(r"([\\*?\[\]{}()!+@|])")


def schema_setting(repo_root: Path, schemas_folder: Path, strategy_root: Path) -> SchemaSetting:
    """The ``yaml.schemas`` entry for a strategy root: the schema for any kind, in
    ``schemas_folder``, for every YAML file under the root. Both must lie in the repository,
    since the settings name them from its root."""
    folder = _inside(schemas_folder, repo_root, "the schemas folder")
    root = _inside(strategy_root, repo_root, "the strategy root")
    schema = f"./{folder}/{schema_filename(ANY_KIND)}" if folder else f"./{schema_filename(ANY_KIND)}"
    if _RELATIVE_PATH.fullmatch(schema) is None:
        raise EditorSetupError(
            f"the YAML extension would not read {schema[2:]!r} as a path in the repository: name a schemas folder "
            "whose path has only letters, digits, spaces and '-', '_', '.', '@'"
        )
    prefix = "".join(_GLOB_SPECIAL.sub(r"\\\1", part) + "/" for part in root.split("/")) if root else ""
    return SchemaSetting(schema, tuple(f"{prefix}**/*{suffix}" for suffix in YAML_SUFFIXES))


def _inside(path: Path, repo_root: Path, what: str) -> str:
    """``path`` relative to the repository root, with forward slashes ('' for the root)."""
    absolute, top = Path(os.path.realpath(path)), Path(os.path.realpath(repo_root))
    if absolute != top and top not in absolute.parents:
        raise EditorSetupError(
            f"{what} {path.as_posix()} is outside the repository {top.as_posix()}; "
            "the editor settings can name only what is inside it"
        )
    return absolute.relative_to(top).as_posix() if absolute != top else ""


@dataclass(frozen=True, slots=True)
class PendingSettings:
    """The settings file's new text, merged and checked, not yet written."""

    path: Path
    text: str


def vscode_settings(repo_root: Path, setting: SchemaSetting) -> PendingSettings:
    """The repository's ``.vscode/settings.json`` with ``setting`` in it: a new file when
    there is none, else the file as it is with ``yaml.schemas`` merged in (the other
    settings, and the other schemas in ``yaml.schemas``, kept as written, comments included)."""
    path = repo_root / SETTINGS_FILE
    if leads_outside(path.parent, repo_root) is not None:
        raise EditorSetupError(f"{SETTINGS_FILE.parent.as_posix()} leads outside the repository; it is not written")
    try:
        current = path.read_bytes() if path.exists() else None
    except OSError as error:
        raise EditorSetupError(f"{SETTINGS_FILE.as_posix()} cannot be read: {error.strerror or error}") from None
    try:
        text = current.decode("utf-8") if current is not None else None
    except UnicodeDecodeError:
        raise EditorSetupError(f"{SETTINGS_FILE.as_posix()} is not UTF-8 text; it was left as it is") from None
    try:
        return PendingSettings(path, merge_settings(text, setting))
    except SettingsError as error:
        raise EditorSetupError(f"{SETTINGS_FILE.as_posix()} was left as it is: {error}") from None


def write_settings(pending: PendingSettings) -> None:
    """Write the settings file whole (``atomic_write``: a link is never replaced)."""
    try:
        pending.path.parent.mkdir(exist_ok=True)
        atomic_write(pending.path, pending.text)
    except OSError as error:
        raise EditorSetupError(f"{SETTINGS_FILE.as_posix()} was not written: {error.strerror or error}") from None


# -- merging into JSON with comments ---------------------------------------------------------


class SettingsError(Exception):
    """The settings file cannot be merged into safely; the message says why."""


_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>//[^\n]*|/\*.*?\*/)
    |(?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<punct>[{}\[\]:,])
    |(?P<word>[^\s{}\[\]:,"/]+)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Member:
    key: str
    key_start: int
    value: int
    """The index of the value's first token."""
    value_start: int
    value_end: int


@dataclass(frozen=True, slots=True)
class _Object:
    open_index: int
    close_index: int
    members: tuple[_Member, ...]
    comma_after_last: int | None
    """The index of a comma after the last member (a trailing comma), if there is one."""


def merge_settings(text: str | None, setting: SchemaSetting) -> str:
    """The settings ``text`` (None or blank: no file yet) with ``yaml.schemas`` mapping
    ``setting.schema`` to its patterns, and nothing else changed. JSON with comments and
    trailing commas is edited in place; the result is read back and compared with what was
    meant before it is returned. Raise SettingsError when that cannot be done safely."""
    patterns = list(setting.patterns)
    bom = "\ufeff" if text and text.startswith("\ufeff") else ""
    body = (text or "")[len(bom) :]
    tokens = _tokens(body)
    significant = [token for token in tokens if token.kind not in ("space", "comment")]
    if not significant:
        fresh = json.dumps({SCHEMAS_SETTING: {setting.schema: patterns}}, indent=4) + "\n"
        return bom + (body + ("\n" if body and not body.endswith("\n") else "") + fresh if body.strip() else fresh)
    before = _strict(significant)
    if not isinstance(before, dict):
        raise SettingsError("it does not hold a JSON object")
    top, after_top = _object(significant, 0)
    if after_top != len(significant):
        raise SettingsError("it holds more than one JSON value")
    schemas = [member for member in top.members if member.key == SCHEMAS_SETTING]
    if len(schemas) > 1:
        raise SettingsError(f"it names '{SCHEMAS_SETTING}' more than once")
    edits: list[tuple[int, int, str]] = []
    if not schemas:
        member = json.dumps({SCHEMAS_SETTING: {setting.schema: patterns}}, indent=4)[1:-1].strip("\n")
        edits = _insert_member(body, significant, top, member)
    else:
        if significant[schemas[0].value].text != "{":
            raise SettingsError(f"its '{SCHEMAS_SETTING}' is not an object")
        inner, _ = _object(significant, schemas[0].value)
        ours = [member for member in inner.members if member.key == setting.schema]
        if len(ours) > 1:
            raise SettingsError(f"its '{SCHEMAS_SETTING}' names {setting.schema!r} more than once")
        if ours:
            edits = [(ours[0].value_start, ours[0].value_end, json.dumps(patterns))]
        else:
            edits = _insert_member(body, significant, inner, f"{json.dumps(setting.schema)}: {json.dumps(patterns)}")
    merged = body
    for start, end, replacement in sorted(edits, reverse=True):
        merged = merged[:start] + replacement + merged[end:]
    expected = dict(before)
    current = expected.get(SCHEMAS_SETTING)
    expected[SCHEMAS_SETTING] = {**(current if isinstance(current, dict) else {}), setting.schema: patterns}
    check = [token for token in _tokens(merged) if token.kind not in ("space", "comment")]
    if _strict(check) != expected:
        raise SettingsError(f"it could not be merged safely; add {SCHEMAS_SETTING} by hand")
    return bom + merged


def _tokens(text: str) -> list[_Token]:
    found, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.lastgroup is None:
            line = text.count("\n", 0, at) + 1
            raise SettingsError(f"it cannot be read as JSON with comments (line {line})")
        found.append(_Token(match.lastgroup, match.group(), at, match.end()))
        at = match.end()
    return found


def _strict(tokens: list[_Token]) -> Any:
    """The value the tokens hold, read as JSON once trailing commas are left out."""
    kept = [
        token.text
        for index, token in enumerate(tokens)
        if not (token.text == "," and index + 1 < len(tokens) and tokens[index + 1].text in ("}", "]"))
    ]
    try:
        return json.loads(" ".join(kept))
    except (json.JSONDecodeError, RecursionError):
        raise SettingsError("it is not valid JSON, even allowing comments and trailing commas") from None


def _value_end(tokens: list[_Token], index: int) -> int:
    """The index just past the value that starts at ``index``."""
    if tokens[index].text not in ("{", "["):
        return index + 1
    depth = 0
    for at in range(index, len(tokens)):
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(tokens[at].text, 0)
        if depth == 0:
            return at + 1
    raise SettingsError("it ends before its brackets close")


def _object(tokens: list[_Token], index: int) -> tuple[_Object, int]:
    """The object whose '{' is at ``index``, and the index just past it. The tokens are
    known to be valid JSON (``_strict`` read them)."""
    if tokens[index].text != "{":
        raise SettingsError("it does not hold a JSON object")
    members, at, comma = [], index + 1, None
    while tokens[at].text != "}":
        key = tokens[at]
        end = _value_end(tokens, at + 2)
        members.append(_Member(json.loads(key.text), key.start, at + 2, tokens[at + 2].start, tokens[end - 1].end))
        at, comma = end, None
        if tokens[at].text == ",":
            comma, at = at, at + 1
    return _Object(index, at, tuple(members), comma), at + 1


def _insert_member(text: str, tokens: list[_Token], target: _Object, member: str) -> list[tuple[int, int, str]]:
    """The edits that add ``member`` (its text, on lines of its own) as the last member of
    ``target``, indented as the members before it are; a comment after the last member
    stays on its line."""
    opening = tokens[target.open_index]
    outer = _indent_of(text, opening.start)
    if target.members:
        first = target.members[0]
        indent = _indent_of(text, first.key_start) if _starts_line(text, first.key_start) else outer + "    "
        last = target.members[-1]
        anchor = tokens[target.comma_after_last].end if target.comma_after_last is not None else last.value_end
        comma = "" if target.comma_after_last is not None else ","
        at = _end_of_trailing_comment(text, anchor)
        added = "\n" + _indented(member, indent)
        if at == last.value_end:
            return [(at, at, comma + added)]
        return [(at, at, added), *([(last.value_end, last.value_end, comma)] if comma else [])]
    indent = outer + "    "
    closing = tokens[target.close_index]
    return [
        (
            opening.end,
            closing.start,
            text[opening.end : closing.start].rstrip() + "\n" + _indented(member, indent) + "\n" + outer,
        )
    ]


def _indented(member: str, indent: str) -> str:
    lines = member.strip("\n").splitlines()
    base = len(lines[0]) - len(lines[0].lstrip())
    return "\n".join(indent + line[base:] for line in lines)


def _indent_of(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    line = text[start:at]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _starts_line(text: str, at: int) -> bool:
    start = text.rfind("\n", 0, at) + 1
    return not text[start:at].strip()


def _end_of_trailing_comment(text: str, at: int) -> int:
    """Past the spaces and comments that follow ``at`` on its line (a '// why' after the
    last member), so that what is added goes on the next line and the comment stays put."""
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.lastgroup not in ("space", "comment") or "\n" in match.group():
            return at
        at = match.end()
    return at
