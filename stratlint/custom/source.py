"""Reading the organisation's policy: ``[[policy.rules]]`` in the configuration file, and the
YAML policy file it names. Every problem is one line that names the file, the line and the
key, as the configuration's own errors do.

A policy file is the repository's, and on a pull request its proposer's: it is read within
bounds, only from a regular file inside the repository, as YAML 1.2 data (no tags, no
objects), and it can only name built-in checks. Nothing in it runs, reads a file or reaches
the network.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from stratlint import StratlintError
from stratlint.custom.model import CODE_PATTERN, DURATION, NAME_PATTERN, PolicyFile, PolicyRule, PolicyTable
from stratlint.custom.rules import CompiledRule, NodesByType, compile_rule, one_pass, rule_class
from stratlint.custom.select import PolicyProblem
from stratlint.load.explain import explain
from stratlint.load.read import read_bounded, unread_reason
from stratlint.load.yaml import parse_yaml
from stratlint.model import DEFAULT_FUNCTIONS, Functions, types_in
from stratlint.paths import leads_outside
from stratlint.pointers import join_pointer
from stratlint.problems import LoadProblem
from stratlint.rules import BY_NAME, RuleSet

POLICY_MAX_BYTES = 4 * 1024 * 1024
"""The size limit of a policy file."""

Loc = tuple[str | int, ...]


class PolicyError(StratlintError):
    """A problem with the policy: exit status 2, one line naming the file, the line and the key."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where some of the rules are written, and how to find the line of a key in it."""

    display: str
    """The file as shown to the user."""
    prefix: str
    """How a key's path starts in a message: '[tool.stratlint] policy.' or ''."""
    line_of: Callable[[Loc, bool], tuple[int, int | None]]
    """(key path, at the key rather than the value) -> line and column (None when unknown)."""

    def error(self, loc: Loc, message: str, *, key: bool = False) -> PolicyError:
        line, column = self.line_of(loc, key)
        where = f"{self.display}:{line}" + (f":{column}" if column else "")
        path = key_path(loc)
        return PolicyError(f"{where}: {self.prefix}{path}: {message}" if path else f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Policy:
    """The organisation's rules, compiled: what a run adds to the registry's."""

    compiled: tuple[CompiledRule, ...]
    rule_set: RuleSet
    file: Path | None
    """The YAML policy file, when the configuration names one."""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.spec.id for item in self.compiled)


# -- the entry point -----------------------------------------------------------------------------------


def read_policy(
    table: Any,
    *,
    config_path: Path,
    config_display: str,
    config_text: str,
    toml_table: str,
    boundary: Path,
    functions: Functions = DEFAULT_FUNCTIONS,
) -> Policy:
    """The policy of the ``[policy]`` table ``table`` (as parsed) of the configuration file at
    ``config_path``; ``toml_table`` is '[tool.stratlint] ' in a pyproject.toml, '' otherwise.
    ``functions`` are the organisation's, which a rule's ``function`` filter may name."""
    in_config = Place(config_display, f"{toml_table}policy.", _toml_locator(config_text, bool(toml_table)))
    context = {"functions": functions}
    parsed = _validate(PolicyTable, table, in_config, context)
    assert isinstance(parsed, PolicyTable)
    written: list[tuple[PolicyRule, Place, Loc]] = [
        (rule, in_config, ("rules", i)) for i, rule in enumerate(parsed.rules)
    ]
    file = None
    if parsed.file is not None:
        file, document, place = _read_file(parsed.file, config_path, boundary, in_config, context)
        written += [(rule, place, ("rules", i)) for i, rule in enumerate(document.rules)]
    return _compile(written, file)


def _compile(written: Sequence[tuple[PolicyRule, Place, Loc]], file: Path | None) -> Policy:
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    compiled: list[CompiledRule] = []
    for rule, place, loc in written:
        line, _ = place.line_of(loc, True)
        origin = f"{place.display}:{line}"
        if rule.id in seen_codes:
            raise place.error((*loc, "id"), f"'{rule.id}' is already the code of the rule at {seen_codes[rule.id]}")
        if rule.rule_name in BY_NAME:
            raise place.error(
                (*loc, "name"),
                f"'{rule.rule_name}' is the name of stratlint's rule {BY_NAME[rule.rule_name].code}; "
                "name yours otherwise",
            )
        if rule.rule_name in seen_names:
            raise place.error(
                (*loc, "name"), f"'{rule.rule_name}' is already the name of the rule at {seen_names[rule.rule_name]}"
            )
        seen_codes[rule.id] = seen_names[rule.rule_name] = origin
        try:
            compiled.append(compile_rule(rule, origin, ()))
        except PolicyProblem as problem:
            raise place.error((*loc, *problem.loc), str(problem)) from None
    shared = NodesByType()
    classes = tuple(rule_class(item, shared) for item in compiled)
    rule_set = RuleSet(classes, fingerprint(item.spec for item in compiled), batched=(one_pass(classes),))
    return Policy(tuple(compiled), rule_set, file)


def fingerprint(rules: Any) -> str:
    """A digest of what the rules say (not where they are written): what a cached conclusion
    is keyed on, so a changed policy is never answered from an old run."""
    digest = hashlib.blake2b(digest_size=16)
    for rule in rules:
        digest.update(rule.model_dump_json(by_alias=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


# -- the YAML policy file -----------------------------------------------------------------------------


def _read_file(
    location: str, config_path: Path, boundary: Path, config: Place, context: dict[str, Any]
) -> tuple[Path, PolicyFile, Place]:
    if Path(location).is_absolute():
        raise config.error(("file",), f"the policy file {location!r} should be a path relative to this file")
    path = config_path.parent / location
    escape = leads_outside(path, boundary)
    if escape is not None:
        how = f"leads through a link to {escape.resolved.as_posix()}, " if escape.through_link else "is "
        raise config.error(
            ("file",),
            f"the policy file {location!r} {how}outside the repository; stratlint reads policies only from inside it",
        )
    raw = read_bounded(str(path), POLICY_MAX_BYTES)
    if isinstance(raw, LoadProblem):
        reason = "does not exist" if not path.exists() else "cannot be read: " + unread_reason(raw, POLICY_MAX_BYTES)
        raise config.error(("file",), f"the policy file {location!r} {reason}")
    display = _shown(path)
    parsed = parse_yaml(raw)
    if parsed.problems:
        problem = parsed.problems[0]
        raise PolicyError(f"{display}:{problem.line}:{problem.column}: {problem.message}")
    source_map = parsed.source_map

    def line_of(loc: Loc, key: bool) -> tuple[int, int | None]:
        span = source_map.span(join_pointer(*loc), key=key)
        return span.line, span.column

    place = Place(display, "", line_of)
    if not isinstance(parsed.data, dict):
        raise PolicyError(f"{display}:1: a policy file is a mapping with 'rules:', a list of rules")
    document = _validate(PolicyFile, parsed.data, place, context)
    assert isinstance(document, PolicyFile)
    return Path(path), document, place


def _shown(path: Path) -> str:
    import os

    try:
        relative = os.path.relpath(os.path.abspath(path), Path.cwd())
    except ValueError:
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith(os.pardir * 3) else path.as_posix()


# -- validation errors in words ------------------------------------------------------------------------


_MEANINGS = {
    CODE_PATTERN: "a code of the organisation's own: capital letters, then three digits, e.g. ACME001",
    NAME_PATTERN: "a kebab-case name, e.g. 'headline-too-long'",
    DURATION.pattern: "a span of time such as '12 months', '90 days' or '2 years'",
}
_TYPE_TAG = re.compile(
    r"^(?:[A-Z]\w*|str|int|float|bool|list\[.*|dict\[.*|literal\[.*|function-\w+\[.*|constrained-.*)$"
)


def _validate(model: type[BaseModel], data: Any, place: Place, context: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        items = error.errors(include_url=False)
        best = max(items, key=lambda item: (_rank(item), len(_clean(item["loc"])), -items.index(item)))
        loc = _clean(best["loc"])
        at_key = best["type"] in ("extra_forbidden", "missing")
        raise place.error(loc, _why(best, model, best["loc"]), key=at_key) from None


def _rank(item: Any) -> int:
    """Which of several errors to tell: an unknown key (most likely the typo of a missing
    one) before any other, and a missing key last; a shorthand's type error before the
    long form's 'not a mapping'."""
    return {"extra_forbidden": 3, "missing": 0, "model_type": 1, "dict_type": 1}.get(item["type"], 2)


def _clean(loc: Sequence[Any]) -> Loc:
    """A pydantic error's location without the names of union members it tried."""
    return tuple(part for part in loc if isinstance(part, int) or not _TYPE_TAG.match(str(part)))


def _why(item: Any, model: type[BaseModel], raw_loc: Sequence[Any]) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        keys = _keys_at(model, raw_loc[:-1])
        guess = difflib.get_close_matches(str(raw_loc[-1]), keys, n=1)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        return f"unknown key; {hint}the keys here are {', '.join(keys)}"
    if kind == "missing":
        return "is missing; every rule needs it" if len(raw_loc) == 3 else "is missing"
    if kind == "string_pattern_mismatch":
        meaning = _MEANINGS.get(str((item.get("ctx") or {}).get("pattern", "")))
        if meaning:
            return f"is {item.get('input')!r}, which is not {meaning}"
    if kind == "value_error":
        return str((item.get("ctx") or {}).get("error", item.get("msg", "")))
    return explain(item, words={"dict_type": "a mapping (a table)", "list_type": "a list"}).rstrip(".")


def _keys_at(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the model at ``loc`` takes, for 'did you mean'."""
    current: list[Any] = [model]
    for part in loc:
        if isinstance(part, str) and _TYPE_TAG.match(part):
            named = [m for m in current if isinstance(m, type) and m.__name__ == part]
            current = named or current
            continue
        following: list[Any] = []
        for candidate in current:
            if isinstance(part, int):
                following += [arg for arg in get_args(candidate) or [candidate]]
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel) and part in candidate.model_fields:
                following += list(types_in(candidate.model_fields[part].annotation))
            elif get_args(candidate):
                following += [
                    arg for arg in types_in(candidate) if isinstance(arg, type) and issubclass(arg, BaseModel)
                ]
        current = following
    keys: list[str] = []
    for candidate in current:
        for held in types_in(candidate):
            if isinstance(held, type) and issubclass(held, BaseModel):
                keys += [
                    info.alias or name for name, info in held.model_fields.items() if (info.alias or name) not in keys
                ]
    return keys


def key_path(loc: Loc) -> str:
    parts: list[str] = []
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif not parts:
            parts.append(step)
        else:
            parts.append("." + (step if re.fullmatch(r"[A-Za-z0-9_-]+", step) else json.dumps(step)))
    return "".join(parts)


# -- lines in a TOML file -------------------------------------------------------------------------------


def _toml_locator(text: str, in_pyproject: bool) -> Callable[[Loc, bool], tuple[int, int | None]]:
    """The line of a key of the ``[policy]`` table in TOML text. tomllib keeps no positions, so
    this reads the lines: the n-th ``[[policy.rules]]`` header, then each key of the path in
    turn after it. Good enough to put a cursor on the right line; the key path says the rest."""
    lines = text.split("\n")
    prefix = r"tool\s*\.\s*stratlint\s*\.\s*" if in_pyproject else ""
    rules_header = re.compile(rf"^\s*\[\[\s*{prefix}policy\s*\.\s*rules\s*\]\]")
    policy_header = re.compile(rf"^\s*\[\s*{prefix}policy\s*\]")
    headers = [number for number, line in enumerate(lines) if rules_header.match(line)]
    table = next((number for number, line in enumerate(lines) if policy_header.match(line)), None)
    if table is None:
        table = next((number for number, line in enumerate(lines) if re.match(r"^\s*policy\s*=", line)), 0)

    def line_of(loc: Loc, key: bool) -> tuple[int, int | None]:
        start, end = table, len(lines)
        rest: Loc = loc
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            if loc[1] < len(headers):
                start = headers[loc[1]]
                end = headers[loc[1] + 1] if loc[1] + 1 < len(headers) else len(lines)
            rest = loc[2:]
        at = start
        for part in rest:
            if not isinstance(part, str):
                continue
            pattern = re.compile(rf"(?:^|[\s{{,.\[\"']){re.escape(part)}[\"']?\s*(?:=|\]|\.)")
            found = next((n for n in range(at, end) if pattern.search(lines[n])), None)
            if found is not None:
                at = found
        return at + 1, None

    return line_of
