"""The built-in checks of a policy rule, compiled from their models (stratlint.custom.model).

Each check is a small object: an *entry* check looks at one selected entry (and what it
references), so a rule made only of them is a file rule; a *strategy* check (``cited_by``,
``count`` of entries, ``unique_within: strategy``) looks at every selected entry at once, so
its rule is strategy-wide. A check yields ``Finding`` values: where, what about, and the
values its message template is filled with; the rule (stratlint.custom.rules) turns them
into diagnostics.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from stratlint.custom.model import (
    CelCheck,
    CitedByCheck,
    CitesCheck,
    CountCheck,
    ForbidWordsCheck,
    LengthCheck,
    PatternCheck,
    RequiredWordsCheck,
    Then,
    UniqueCheck,
    as_list,
)
from stratlint.custom.select import (
    MISSING,
    PolicyProblem,
    Selection,
    Where,
    field_value,
    is_empty,
    linear_regex,
    reader,
    regex_problem,
    selected_types,
    shown_value,
)
from stratlint.diagnostics import Edit, Fix, RelatedLocation, Span
from stratlint.graph import Graph, Node

WORD = re.compile(r"[\w'\u2019-]+")
"""What counts as a word: a run of letters, digits, apostrophes and hyphens."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found, before it is a diagnostic."""

    node: Node | None
    """The entry it is about; None for the strategy as a whole."""
    pointer: str = ""
    """Where in the entry's file: a JSON pointer ('' with a node: at its id)."""
    key: bool = False
    """Point at the key that names the value rather than at the value."""
    span: Span | None = None
    """A more precise place than the pointer's (a word inside a text)."""
    about: str = ""
    """What the finding is about beyond the entry, for its fingerprint: the field, the word."""
    values: Mapping[str, str] = field(default_factory=dict)
    """The check's own placeholders for the message template."""
    default: str = ""
    """The check's message, a template, when the rule has none."""
    related: tuple[RelatedLocation, ...] = ()
    fix: Fix | None = None
    """How ``check --fix`` can set it right (a forbidden word's swap)."""


class Env(Protocol):
    """What a check may ask besides the entry: the day of the run, the entry's field values
    (kept for the next rule that asks: many rules read one headline), and where a word
    stands in a file's text."""

    today: datetime.date

    def value(self, node: Node, path: str) -> Any:
        """``field_value(node, path)``."""
        ...

    def texts(self, node: Node, path: str) -> list[tuple[str, str]]:
        """``texts(node, path)``."""
        ...

    def locate(self, node: Node, span: Span, pattern: re.Pattern[str], nth: int) -> Span | None: ...

    def written(self, node: Node, span: Span) -> str | None:
        """The characters of the entry's file at ``span``, when it is on one line."""
        ...


class EntryCheck(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def placeholders(self) -> frozenset[str]: ...

    def passes(self, node: Node) -> bool:
        """True when the entry surely has no finding: a quick test, so that ``check``, which
        says what is wrong, runs only where something may be (fifty rules ask it of every
        entry of a large strategy). False when unsure."""
        ...

    def check(self, node: Node, env: Env) -> list[Finding]:
        """The findings about one entry (a list, most often empty)."""
        ...


class StrategyCheck(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def placeholders(self) -> frozenset[str]: ...

    def check_all(self, nodes: Sequence[Node], graph: Graph, env: Env) -> Iterator[Finding]: ...


# -- the field values a check looks at ---------------------------------------------------------------


def pointer_of(node: Node, path: str) -> str:
    return node.pointer + "/" + path.replace(".", "/")


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def texts(node: Node, path: str) -> list[tuple[str, str]]:
    """(pointer, text) of the field's value, or of each item of a list field. A list, not a
    generator: fifty rules ask it of every entry, and most fields hold one text."""
    value = field_value(node, path)
    if value.__class__ is str:
        return [(pointer_of(node, path), value)]
    if value is MISSING or isinstance(value, BaseModel):
        return []
    if isinstance(value, list):
        base = pointer_of(node, path)
        return [(f"{base}/{index}", str(item)) for index, item in enumerate(value) if _is_text(item)]
    return [(pointer_of(node, path), str(value))] if _is_text(value) else []


def scalars(node: Node, path: str) -> list[tuple[str, Any]]:
    value = field_value(node, path)
    if value is MISSING or isinstance(value, BaseModel):
        return []
    if isinstance(value, list):
        base = pointer_of(node, path)
        return [(f"{base}/{index}", item) for index, item in enumerate(value) if not isinstance(item, BaseModel)]
    return [(pointer_of(node, path), value)]


def _quoted(items: Iterable[object]) -> str:
    return ", ".join(f"'{item}'" for item in items)


COMMON = frozenset({"Label", "label", "id", "name", "type", "kind", "file", "owner", "field", "value"})
"""The placeholders every message template may use."""


# -- field checks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FieldCheck:
    """A check on the values of some fields of each entry. Each reads its fields with readers
    made once, and ``passes`` is a quick test built from ``accepts`` (True: surely no finding),
    so the full ``check`` runs only on the few entries that may fail it."""

    fields: tuple[str, ...]
    readers: tuple[Callable[[Node], Any], ...] = field(init=False, repr=False, compare=False)
    quick: Callable[[Node], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        readers = tuple(reader(path) for path in self.fields)
        object.__setattr__(self, "readers", readers)
        object.__setattr__(self, "quick", _quick(self.fields, readers, self.accepts()))

    def passes(self, node: Node) -> bool:
        return self.quick(node)

    def accepts(self) -> Callable[[Any], bool]:
        """A test on one value: True when it surely has no finding."""
        raise NotImplementedError


def _on_text(test: Callable[[str], bool]) -> Callable[[Any], bool]:
    """``accepts`` for a check on text: a field left out surely has no finding, a value that
    is not text may have one (``check`` says), and a text has none when ``test`` holds."""

    def ok(value: Any) -> bool:
        if value is MISSING:
            return True
        return value.__class__ is str and test(value)

    return ok


def _key_pointer(node: Node, path: str) -> str:
    """Where a finding about the field ``path`` as a whole points: at its key when the entry
    writes one, else at the entry's id ('')."""
    pointer = pointer_of(node, path)
    return pointer if node.artifact.source_map.keys.get(pointer) is not None else ""


@dataclass(frozen=True, slots=True)
class _Presence(_FieldCheck):
    """Whether each field is written at all: ``required`` asks that it is, ``forbidden`` that
    it is not. A finding is about the field as a whole, with no placeholder of its own."""

    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Required(_Presence):
    name: str = "required"
    says: ClassVar[str] = "{Label} has no {field}; the organisation's policy asks for one."

    def accepts(self) -> Callable[[Any], bool]:
        return lambda value: not is_empty(value)

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            if is_empty(env.value(node, path)):
                pointer = "" if path == "owner" else _key_pointer(node, path)  # an owner may be inherited
                values = {"field": path}
                found.append(
                    Finding(node, pointer, key=True, about=f"{path}:required", values=values, default=self.says)
                )
        return found


@dataclass(frozen=True, slots=True)
class Forbidden(_Presence):
    name: str = "forbidden"
    says: ClassVar[str] = "{Label} sets {field}, which the organisation's policy leaves out; remove it."

    def accepts(self) -> Callable[[Any], bool]:
        return is_empty

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            value = env.value(node, path)
            if is_empty(value) or (path == "owner" and not node.owner):
                continue
            values = {"field": path, "value": shown_value(value)}
            found.append(
                Finding(
                    node, pointer_of(node, path), key=True, about=f"{path}:forbidden", values=values, default=self.says
                )
            )
        return found


@dataclass(frozen=True, slots=True)
class Pattern(_FieldCheck):
    match: Callable[[str], bool] | None
    not_match: Callable[[str], bool] | None
    match_text: str
    not_match_text: str
    name: str = "pattern"
    placeholders: frozenset[str] = frozenset({"pattern"})
    says_no_match: ClassVar[str] = "The {field} of {label}, '{value}', does not match the pattern '{pattern}'."
    says_match: ClassVar[str] = (
        "The {field} of {label}, '{value}', matches the pattern '{pattern}', which the organisation's policy rules out."
    )

    def accepts(self) -> Callable[[Any], bool]:
        match, not_match = self.match, self.not_match
        return _on_text(lambda text: (match is None or match(text)) and (not_match is None or not not_match(text)))

    @classmethod
    def compile(cls, fields: tuple[str, ...], check: str | PatternCheck, loc: tuple[str | int, ...]) -> Pattern:
        spec = PatternCheck(match=check) if isinstance(check, str) else check
        where = loc if isinstance(check, str) else (*loc, "match")
        for text, at in ((spec.match, where), (spec.not_match, (*loc, "not_match"))):
            if text is not None:
                regex_problem(text, at)
        return cls(
            fields,
            linear_regex(spec.match, spec.ignore_case) if spec.match else None,
            linear_regex(spec.not_match, spec.ignore_case) if spec.not_match else None,
            spec.match or "",
            spec.not_match or "",
        )

    def check(self, node: Node, env: Env) -> list[Finding]:
        # Each pattern: its test, whether a text that matches it is the one that fails, what
        # the finding is about, and what it says.
        tests = (
            (self.match, False, "pattern", self.match_text, self.says_no_match),
            (self.not_match, True, "not-pattern", self.not_match_text, self.says_match),
        )
        found: list[Finding] = []
        for path in self.fields:
            for pointer, text in env.texts(node, path):
                for test, failing, what, pattern, says in tests:
                    if test is not None and bool(test(text)) is failing:
                        values = {"field": path, "value": shown_value(text), "pattern": pattern}
                        found.append(Finding(node, pointer, about=f"{path}:{what}", values=values, default=says))
        return found


@dataclass(frozen=True, slots=True)
class Enum(_FieldCheck):
    allowed: tuple[Any, ...]
    name: str = "enum"
    placeholders: frozenset[str] = frozenset({"allowed"})

    def accepts(self) -> Callable[[Any], bool]:
        allowed = frozenset((type(option), option) for option in self.allowed)

        def ok(value: Any) -> bool:
            if value is MISSING:
                return True
            items = value if value.__class__ is list else (value,)
            try:
                return all((type(item), item) in allowed for item in items)
            except TypeError:  # a value that cannot be hashed: let the check say what it is
                return False

        return ok

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            for pointer, value in scalars(node, path):
                if any(value == option and type(value) is type(option) for option in self.allowed):
                    continue
                verb = "include" if pointer != pointer_of(node, path) else "is"
                found.append(
                    Finding(
                        node,
                        pointer,
                        about=f"{path}:enum:{value}",
                        values={"field": path, "value": shown_value(value), "allowed": _quoted(self.allowed)},
                        default="The {field} of {label} " + verb + " '{value}', which is not one of {allowed}.",
                    )
                )
        return found


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def has_words(text: str, least: int) -> bool:
    """Whether ``text`` holds at least ``least`` words (counting no further)."""
    if least <= 1:
        return least <= 0 or WORD.search(text) is not None
    return next(itertools.islice(WORD.finditer(text), least - 1, None), None) is not None


@dataclass(frozen=True, slots=True)
class Length(_FieldCheck):
    chars: int | None
    words: int | None
    longest: bool
    """True for max_length, False for min_length."""
    name: str = "max_length"
    placeholders: frozenset[str] = frozenset({"length", "limit", "unit"})

    def accepts(self) -> Callable[[Any], bool]:
        chars, words, longest = self.chars, self.words, self.longest

        def fits(text: str) -> bool:
            size = len(text)
            if longest:
                # A text of n characters holds at most (n + 1) // 2 words: count them only past that.
                return (chars is None or size <= chars) and (
                    words is None or size < 2 * words or word_count(text) <= words
                )
            return (chars is None or size >= chars) and (words is None or has_words(text, words))

        return _on_text(fits)

    @classmethod
    def compile(cls, fields: tuple[str, ...], check: int | LengthCheck, *, longest: bool) -> Length:
        spec = LengthCheck(chars=check) if isinstance(check, int) else check
        return cls(fields, spec.chars, spec.words, longest, "max_length" if longest else "min_length")

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            for pointer, text in env.texts(node, path):
                for unit, limit, length in (
                    ("characters", self.chars, len(text)),
                    ("words", self.words, word_count(text) if self.words is not None else 0),
                ):
                    if limit is None or (length <= limit if self.longest else length >= limit):
                        continue
                    values = {
                        "field": path,
                        "value": shown_value(text),
                        "length": str(length),
                        "limit": str(limit),
                        "unit": unit,
                    }
                    bound = "allows at most" if self.longest else "asks for at least"
                    says = (
                        "The {field} of {label} is {length} {unit} long; the organisation's policy "
                        + bound
                        + " {limit}."
                    )
                    found.append(
                        Finding(node, pointer, about=f"{path}:{self.name}:{unit}", values=values, default=says)
                    )
        return found


def phrase_pattern(words: Iterable[str], *, case_sensitive: bool) -> re.Pattern[str]:
    """One regular expression for whole words or phrases (spaces in a phrase match any run of
    white space). The words are literal: nothing the policy writes is read as a pattern."""
    parts = sorted({" ".join(word.split()) for word in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(piece) for piece in part.split(" ")) for part in parts)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", 0 if case_sensitive else re.IGNORECASE)


def _folded(word: str, case_sensitive: bool) -> str:
    spaced = " ".join(word.split())
    return spaced if case_sensitive else spaced.lower()


@dataclass(frozen=True, slots=True)
class ForbidWords(_FieldCheck):
    pattern: re.Pattern[str]
    swaps: Mapping[str, str]
    """Lowercased (unless case-sensitive) word -> what to write instead."""
    case_sensitive: bool
    words: tuple[str, ...] = ()
    """Every forbidden word or phrase."""
    name: str = "forbid_words"
    placeholders: frozenset[str] = frozenset({"word", "use_instead", "fix"})

    def accepts(self) -> Callable[[Any], bool]:
        search = self.pattern.search
        # Before the pattern, a plain search for the first word of each phrase: most texts
        # hold none of them, and finding a substring costs far less than the pattern's test.
        probes = tuple({word.split()[0] if self.case_sensitive else word.split()[0].lower() for word in self.words})
        fold = (lambda text: text) if self.case_sensitive else str.lower

        def clean(text: str) -> bool:
            folded = fold(text)
            for probe in probes:
                if probe in folded:
                    return not search(text)
            return True

        return _on_text(clean)

    @classmethod
    def compile(cls, fields: tuple[str, ...], check: list[str] | ForbidWordsCheck) -> ForbidWords:
        spec = ForbidWordsCheck(words=check) if isinstance(check, list) else check
        words = [*spec.words, *spec.use_instead]
        swaps = {_folded(word, spec.case_sensitive): instead for word, instead in spec.use_instead.items()}
        pattern = phrase_pattern(words, case_sensitive=spec.case_sensitive)
        return cls(fields, pattern, swaps, spec.case_sensitive, tuple(words))

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            for pointer, text in env.texts(node, path):
                for nth, match in enumerate(self.pattern.finditer(text)):
                    word = " ".join(match.group(0).split())
                    instead = self.swaps.get(_folded(word, self.case_sensitive))
                    span = node.artifact.source_map.span(pointer)
                    at = env.locate(node, span, self.pattern, nth)
                    found.append(
                        Finding(
                            node,
                            pointer,
                            span=at,
                            fix=swap(node, pointer, text, match, instead, span, at, env) if instead and at else None,
                            about=f"{path}:word:{word.lower()}",
                            values={
                                "field": path,
                                "value": shown_value(text),
                                "word": word,
                                "use_instead": instead or "",
                                "fix": f"write '{instead}' instead" if instead else "say it another way",
                            },
                            default="The {field} of {label} says '{word}', which the organisation's policy rules "
                            "out; {fix}.",
                        )
                    )
        return found


def _reads_plain(text: str) -> bool:
    """Whether ``text``, written plain on one line, reads back as that very text: the
    formatter's own test (YAML's syntax allows it, and the resolver reads it as text)."""
    from stratlint.format.scalars import reads_as_text  # only a forbidden word with a swap pays for ruamel
    from stratlint.format.yamlfmt import plain_allowed

    return bool(text) and text == text.strip() and plain_allowed(text, flow=False) and reads_as_text(text)


def swap(
    node: Node, pointer: str, text: str, match: re.Match[str], instead: str, value: Span, at: Span, env: Env
) -> Fix | None:
    """The fix that writes ``instead`` over the forbidden word ``match`` of ``text`` (the
    value at ``pointer``, written at ``value``; the word found at ``at``), when the file
    holds the text as it reads: on one line, plain or in quotes with no escape, so the
    word's place in the text is its place in the file. Otherwise None (a folded or block
    text, an escape, a word over two lines): no fix is better than a guess. Unsafe: a
    swap changes the wording, and the words around it may need to change too ('a cheap'
    becomes 'a affordable')."""
    written = env.written(node, value)
    if written is None or at.line != value.line:
        return None
    word = match.group(0)
    replacement = instead
    if word[:1].isupper() and replacement[:1].islower() and word != word.upper():
        replacement = replacement[0].upper() + replacement[1:]  # the word began a sentence
    new_text = text[: match.start()] + replacement + text[match.end() :]
    if written == text:
        start = 0
        fits = _reads_plain(new_text)
    elif written in (f"'{text}'", f'"{text}"') and "\\" not in written:
        start = 1
        fits = written[0] not in replacement and "\\" not in replacement and "\n" not in replacement
    else:
        return None
    if not fits or at.column - value.column - start != match.start() or at.end_line != at.line:
        return None
    edit = Edit(node.artifact.path, at, replacement, pointer=pointer, replaces=word, offset=match.start())
    return Fix(f"replace '{word}' with '{replacement}'", safe=False, edits=(edit,))


@dataclass(frozen=True, slots=True)
class RequiredWords(_FieldCheck):
    words: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    every: bool
    name: str = "required_words"
    placeholders: frozenset[str] = frozenset({"words", "missing"})

    def accepts(self) -> Callable[[Any], bool]:
        patterns, every = self.patterns, self.every

        def says(text: str) -> bool:
            said = [pattern.search(text) is not None for pattern in patterns]
            return all(said) if every else any(said)

        return _on_text(says)

    @classmethod
    def compile(cls, fields: tuple[str, ...], check: list[str] | RequiredWordsCheck) -> RequiredWords:
        spec = RequiredWordsCheck(words=check) if isinstance(check, list) else check
        patterns = tuple(phrase_pattern([word], case_sensitive=spec.case_sensitive) for word in spec.words)
        return cls(fields, tuple(spec.words), patterns, spec.match == "all")

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            for pointer, text in env.texts(node, path):
                missing = [
                    word for word, pattern in zip(self.words, self.patterns, strict=True) if not pattern.search(text)
                ]
                if not missing or (not self.every and len(missing) < len(self.words)):
                    continue
                joiner = " and " if self.every else " or "
                values = {
                    "field": path,
                    "value": shown_value(text),
                    "words": joiner.join(f"'{word}'" for word in self.words),
                    "missing": joiner.join(f"'{word}'" for word in missing),
                }
                says = "The {field} of {label} does not say {missing}; the organisation's policy asks for " + (
                    "each of {words}." if self.every else "{words}."
                )
                found.append(Finding(node, pointer, about=f"{path}:required-words", values=values, default=says))
        return found


@dataclass(frozen=True, slots=True)
class CountItems(_FieldCheck):
    """``count`` on a field: how many items each entry's list holds."""

    low: int | None
    high: int | None
    name: str = "count"
    placeholders: frozenset[str] = frozenset({"count", "min", "max"})
    says_too_many: ClassVar[str] = (
        "{Label} has {count} items in {field}; the organisation's policy allows at most {max}."
    )
    says_too_few: ClassVar[str] = (
        "{Label} has {count} items in {field}; the organisation's policy asks for at least {min}."
    )

    def accepts(self) -> Callable[[Any], bool]:
        low, high = self.low, self.high

        def ok(value: Any) -> bool:
            count = len(value) if value.__class__ is list else (0 if is_empty(value) else 1)
            return (high is None or count <= high) and (low is None or count >= low)

        return ok

    def check(self, node: Node, env: Env) -> list[Finding]:
        found: list[Finding] = []
        for path in self.fields:
            value = env.value(node, path)
            count = len(value) if isinstance(value, list) else (0 if is_empty(value) else 1)
            values = {"field": path, "count": str(count), "min": str(self.low or 0), "max": str(self.high or "")}
            if self.high is not None and count > self.high:
                pointer, says = pointer_of(node, path), self.says_too_many
            elif self.low is not None and count < self.low:
                pointer, says = _key_pointer(node, path), self.says_too_few
            else:
                continue
            found.append(Finding(node, pointer, key=True, about=f"{path}:count", values=values, default=says))
        return found


# -- what an entry references ------------------------------------------------------------------------------


def _selection(
    types: str | list[str] | None,
    kinds: str | list[str] | None,
    where: Mapping[str, Any] | None,
    loc: tuple[str | int, ...],
    *,
    functions: str | list[str] | None = None,
) -> Selection:
    kind_list = as_list(kinds)
    node_types = selected_types(as_list(types), kind_list)
    return Selection(
        types=node_types,
        kinds=frozenset(kind_list),
        functions=frozenset(as_list(functions)),
        where=Where.compile(where, node_types, (*loc, "where")),
    )


def _count_words(count: int) -> str:
    return "no" if count == 0 else f"only {count}"


@dataclass(frozen=True, slots=True)
class Cites:
    target: Selection
    fields: frozenset[str]
    low: int
    high: int | None
    name: str = "cites"
    placeholders: frozenset[str] = frozenset({"count", "min", "max", "cited", "missing", "cited_note"})

    quick: Callable[[Node], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields, types, kinds, low, high = self.fields, self.target.types, self.target.kinds, self.low, self.high
        if self.target.where.conditions:
            object.__setattr__(self, "quick", lambda node: False)  # the conditions are the check itself
            return

        (only,) = fields if len(fields) == 1 else ("",)

        def quick(node: Node) -> bool:
            seen: set[str] = set()
            for edge in node.refs:
                if only:
                    if edge.field != only:
                        continue
                elif fields and edge.field not in fields:
                    continue
                target = edge.target
                if target is None:
                    if edge.accepts & types:
                        return False  # unsure: check holds back, or says what is missing
                    continue
                if target.type in types and (not kinds or target.artifact.kind in kinds):
                    seen.add(target.id)
            return len(seen) >= low and (high is None or len(seen) <= high)

        object.__setattr__(self, "quick", quick)

    def passes(self, node: Node) -> bool:
        """Counts what it cites; unsure (False) when a condition must be tested, or a
        reference that may count does not resolve."""
        return self.quick(node)

    @classmethod
    def compile(cls, check: CitesCheck, loc: tuple[str | int, ...]) -> Cites:
        target = _selection(check.type, check.kind, check.where, loc)
        if check.max is not None and check.max < check.min:
            raise PolicyProblem((*loc, "max"), f"'max' ({check.max}) is less than 'min' ({check.min})")
        return cls(target, frozenset(as_list(check.field)), check.min, check.max)

    def check(self, node: Node, env: Env) -> list[Finding]:
        today = env.today
        fields, types, kinds, where = self.fields, self.target.types, self.target.kinds, self.target.where
        candidates: dict[str, Node] = {}
        for edge in node.refs:
            if fields and edge.field not in fields:
                continue
            target = edge.target
            if target is None:
                if edge.accepts & types:
                    return []  # it may name what counts: its own finding (dangling-reference) comes first
                continue
            if target.type in types and (not kinds or target.artifact.kind in kinds):
                candidates.setdefault(target.id, target)
        qualifying = (
            [target for target in candidates.values() if where.holds(target, today)]
            if where
            else list(candidates.values())
        )
        count = len(qualifying)
        if count >= self.low and (self.high is None or count <= self.high):
            return []
        failing = [target for target in candidates.values() if target not in qualifying]
        cited = "; ".join(
            f"'{target.id}' {' and '.join(self.target.where.failing(target, today))}" for target in failing
        )
        one = self.target.words()
        values = {
            "count": str(count),
            "min": str(self.low),
            "max": str(self.high) if self.high is not None else "",
            "cited": cited,
            "missing": one,
            "cited_note": f" ({cited})" if cited else "",
        }
        field_name = next(iter(self.fields)) if len(self.fields) == 1 else ""
        pointer = _key_pointer(node, field_name) if field_name else ""
        if count < self.low:
            default = (
                "{Label} cites " + _count_words(count) + " {missing}{cited_note}; the organisation's policy asks for "
            )
            default += "one." if self.low == 1 else "at least {min}."
        else:
            default = "{Label} cites {count} of {missing}; the organisation's policy allows at most {max}."
        return [Finding(node, pointer, key=True, about="cites", values=values, default=default)]


@dataclass(frozen=True, slots=True)
class CitedBy:
    source: Selection
    fields: frozenset[str]
    low: int
    high: int | None
    name: str = "cited_by"
    placeholders: frozenset[str] = frozenset({"count", "min", "max", "citers", "referrers"})

    @classmethod
    def compile(cls, check: CitedByCheck, loc: tuple[str | int, ...]) -> CitedBy:
        source = _selection(check.type, check.kind, check.where, loc, functions=check.function)
        if check.max is not None and check.max < check.min:
            raise PolicyProblem((*loc, "max"), f"'max' ({check.max}) is less than 'min' ({check.min})")
        return cls(source, frozenset(as_list(check.field)), check.min, check.max)

    def check_all(self, nodes: Sequence[Node], graph: Graph, env: Env) -> Iterator[Finding]:
        if not graph.complete(*self.source.reads()):
            return  # a file that could not be read may hold the references; its errors come first
        for node in nodes:
            if graph.nodes.get(node.id) is not node:
                continue  # a second definition (duplicate-id reports it) is nobody's target
            sources = {
                edge.source.id: edge.source
                for edge in graph.referrers(node)
                if (not self.fields or edge.field in self.fields) and self.source.matches(edge.source, env.today)
            }
            count = len(sources)
            if count >= self.low and (self.high is None or count <= self.high):
                continue
            values = {
                "count": str(count),
                "min": str(self.low),
                "max": str(self.high) if self.high is not None else "",
                "citers": self.source.words(),
                "referrers": _quoted(sorted(sources)),
            }
            if count < self.low:
                default = (
                    "{Label} is cited by " + _count_words(count) + " {citers}; the organisation's policy asks for "
                )
                default += "one." if self.low == 1 else "at least {min}."
            else:
                default = (
                    "{Label} is cited by {count} of {citers} ({referrers}); the organisation's policy allows "
                    "at most {max}."
                )
            yield Finding(node, about="cited-by", values=values, default=default)


# -- an expression ------------------------------------------------------------------------------------------


def plain_data(value: Any) -> Any:
    """A field's value as JSON-like data, for an expression (None when it is not set)."""
    return None if value is MISSING else to_jsonable_python(value, by_alias=True, exclude_none=True)


CEL_INSTALL = "CEL expressions need the cel extra, which is not installed: pip install 'stratlint[cel]'"


@dataclass(frozen=True, slots=True)
class Cel:
    """``cel``: a CEL expression that must give true for each selected entry (stratlint.custom.cel)."""

    fields: tuple[str, ...]
    expression: Any
    """The compiled stratlint.custom.cel.Expression."""
    says: str
    written_at: str
    """Where the rule is written ('stratlint.toml:12'): a finding that the expression fails says so."""
    name: str = "cel"
    placeholders: frozenset[str] = frozenset({"expression", "says", "error", "written_at"})

    @classmethod
    def compile(
        cls, fields: tuple[str, ...], check: str | CelCheck, loc: tuple[str | int, ...], written_at: str
    ) -> Cel:
        try:
            from stratlint.custom import cel
        except ImportError:
            raise PolicyProblem(loc, CEL_INSTALL) from None

        spec = CelCheck(expression=check) if isinstance(check, str) else check
        at = loc if isinstance(check, str) else (*loc, "expression")
        try:
            expression = cel.compile_expression(spec.expression)
        except cel.CelProblem as problem:
            raise PolicyProblem(at, str(problem)) from None
        return cls(fields, expression, spec.says or f"'{spec.expression}' should be true", written_at)

    def passes(self, node: Node) -> bool:
        return False  # the expression is the test

    def check(self, node: Node, env: Env) -> list[Finding]:
        from stratlint.custom.cel import CelProblem, variables

        entry = plain_data(node.entry)
        found: list[Finding] = []
        for path in self.fields or ("",):
            value = plain_data(env.value(node, path)) if path else None
            try:
                holds = self.expression.evaluate(
                    variables(entry, value, node.artifact.path, node.artifact.kind, env.today)
                )
                error = ""
            except CelProblem as problem:
                holds, error = False, str(problem)
            if holds:
                continue
            values = {
                "expression": self.expression.text,
                "says": self.says,
                "error": error,
                "written_at": self.written_at,
            }
            if path:
                values["field"] = path
            found.append(
                Finding(
                    node,
                    _key_pointer(node, path) if path else "",
                    key=True,
                    about=f"{path}:cel" if path else "cel",
                    values=values,
                    default="The organisation's expression '{expression}' cannot be evaluated on {label}: {error}; "
                    "fix the rule at {written_at}."
                    if error
                    else "{Label} does not meet the organisation's policy: {says}.",
                )
            )
        return found


# -- strategy-wide ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountEntries:
    """``count`` without a field: how many entries the selection holds, strategy-wide."""

    what: str
    low: int | None
    high: int | None
    kinds: tuple[str, ...]
    """The kinds the entries can be in: a minimum holds back while one of them could not be read."""
    name: str = "count"
    placeholders: frozenset[str] = frozenset({"count", "min", "max", "what"})

    def check_all(self, nodes: Sequence[Node], graph: Graph, env: Env) -> Iterator[Finding]:
        distinct = list({node.id: node for node in nodes}.values())
        count = len(distinct)
        values = {"count": str(count), "min": str(self.low or 0), "max": str(self.high or ""), "what": self.what}
        if self.high is not None and count > self.high:
            first_extra = distinct[self.high]
            yield Finding(
                first_extra,
                about="count",
                values=values,
                default="The strategy has {count} {what}, and {label} is one too many: the organisation's policy "
                "allows at most {max}.",
            )
        elif self.low is not None and count < self.low and graph.complete(*self.kinds):
            yield Finding(
                None,
                about="count",
                values=values,
                default="The strategy has {count} {what}; the organisation's policy asks for at least {min}.",
            )


def normalized(text: str, *, case_sensitive: bool) -> str:
    folded = " ".join(text.split()).rstrip(".!?;:,")
    return folded if case_sensitive else folded.casefold()


@dataclass(frozen=True, slots=True)
class Unique:
    fields: tuple[str, ...]
    per_file: bool
    case_sensitive: bool
    name: str = "unique_within"
    placeholders: frozenset[str] = frozenset({"first", "first_file", "first_line"})

    @classmethod
    def compile(cls, fields: tuple[str, ...], check: str | UniqueCheck) -> Unique:
        spec = UniqueCheck(within=check) if isinstance(check, str) else check  # type: ignore[arg-type]
        return cls(fields, spec.within == "file", spec.case_sensitive)

    def check_all(self, nodes: Sequence[Node], graph: Graph | None, env: Env) -> Iterator[Finding]:
        for path in self.fields:
            seen: dict[tuple[str, str], tuple[Node, str]] = {}
            for node in nodes:
                for pointer, text in env.texts(node, path):
                    key = (
                        node.artifact.path if self.per_file else "",
                        normalized(text, case_sensitive=self.case_sensitive),
                    )
                    if not key[1]:
                        continue
                    first = seen.get(key)
                    if first is None:
                        seen[key] = (node, pointer)
                        continue
                    first_node, first_pointer = first
                    span = first_node.artifact.source_map.span(first_pointer)
                    yield Finding(
                        node,
                        pointer,
                        about=f"{path}:unique",
                        values={
                            "field": path,
                            "value": shown_value(text),
                            "first": first_node.label,
                            "first_file": first_node.artifact.path,
                            "first_line": str(span.line),
                        },
                        default="The {field} of {label}, '{value}', is the same as that of {first} "
                        "({first_file}:{first_line}); "
                        "the organisation's policy asks for a {field} of its own.",
                        related=(
                            RelatedLocation(first_node.artifact.path, span, f"the same {path} as {first_node.label}"),
                        ),
                    )


def _quick(
    fields: tuple[str, ...], readers: tuple[Callable[[Node], Any], ...], ok: Callable[[Any], bool]
) -> Callable[[Node], bool]:
    """``passes`` as one closure: the value of each field, tested. A plain field of one is
    read straight from the entry's values (an enum's value is left to ``check``)."""
    if len(readers) == 1:
        (path,), (read,) = fields, readers
        if path != "owner" and "." not in path:

            def plain(node: Node) -> bool:
                value = node.entry.__dict__.get(path)
                return ok(MISSING if value is None else value)

            return plain
        return lambda node: ok(read(node))
    return lambda node: all(ok(read(node)) for read in readers)


def _placeholders(*classes: type) -> frozenset[str]:
    """The placeholders a check's message fills: the common ones and its own."""
    own: set[str] = set(COMMON)
    for cls in classes:
        default = next(item.default for item in dataclasses.fields(cls) if item.name == "placeholders")
        assert isinstance(default, frozenset)
        own |= default
    return frozenset(own)


CHECK_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "required": _placeholders(Required),
    "forbidden": _placeholders(Forbidden),
    "pattern": _placeholders(Pattern),
    "enum": _placeholders(Enum),
    "max_length": _placeholders(Length),
    "min_length": _placeholders(Length),
    "forbid_words": _placeholders(ForbidWords),
    "required_words": _placeholders(RequiredWords),
    "cites": _placeholders(Cites),
    "cited_by": _placeholders(CitedBy),
    "count": _placeholders(CountItems, CountEntries),
    "unique_within": _placeholders(Unique),
    "cel": _placeholders(Cel),
}
"""What each check's message fills, for the reference (stratlint_dev.policy_docs)."""


# -- compiling a rule's checks ---------------------------------------------------------------------------


NEEDS_FIELD = (
    "required",
    "forbidden",
    "pattern",
    "enum",
    "max_length",
    "min_length",
    "forbid_words",
    "required_words",
    "unique_within",
)


@dataclass(frozen=True, slots=True)
class Checks:
    entry: tuple[EntryCheck, ...]
    strategy: tuple[StrategyCheck, ...]
    file_unique: tuple[Unique, ...]
    """``unique_within: file``: checked file by file, by a file rule."""
    reads: frozenset[str]
    """Kinds of file whose content the strategy checks read, beyond the selection's."""

    @property
    def placeholders(self) -> frozenset[str]:
        found: set[str] = set(COMMON)
        for entry in self.entry:
            found |= entry.placeholders
        for whole in (*self.strategy, *self.file_unique):
            found |= whole.placeholders
        return frozenset(found)


def compile_checks(then: Then, selection: Selection, loc: tuple[str | int, ...], origin: str = "") -> Checks:
    """The checks of ``then``, for entries of ``selection`` (of the rule written at
    ``origin``); PolicyProblem when one cannot apply (a text check without a field, a
    pattern the engine cannot run, an expression without the cel extra)."""
    fields = selection.fields
    entry: list[EntryCheck] = []
    strategy: list[StrategyCheck] = []
    file_unique: list[Unique] = []
    reads: set[str] = set()
    here = (*loc, "then")
    for name in then.written():
        value = getattr(then, name)
        at = (*here, name)
        if name in NEEDS_FIELD and not fields:
            raise PolicyProblem(at, f"'{name}' checks a field: name it in given.field (e.g. field: headline)")
        if name == "required":
            entry.append(Required(fields))
        elif name == "forbidden":
            entry.append(Forbidden(fields))
        elif name == "pattern":
            entry.append(Pattern.compile(fields, value, at))
        elif name == "enum":
            entry.append(Enum(fields, tuple(value)))
        elif name in ("max_length", "min_length"):
            entry.append(Length.compile(fields, value, longest=name == "max_length"))
        elif name == "forbid_words":
            entry.append(ForbidWords.compile(fields, value))
        elif name == "required_words":
            entry.append(RequiredWords.compile(fields, value))
        elif name == "cites":
            cites = Cites.compile(value, at)
            entry.append(cites)
            reads |= cites.target.reads()
        elif name == "cited_by":
            cited_by = CitedBy.compile(value, at)
            strategy.append(cited_by)
            reads |= cited_by.source.reads()
        elif name == "count":
            assert isinstance(value, CountCheck)
            if fields:
                entry.append(CountItems(fields, value.min, value.max))
            else:
                kinds = tuple(sorted(selection.reads()))
                strategy.append(CountEntries(selection.words(plural=True), value.min, value.max, kinds))
        elif name == "cel":
            entry.append(Cel.compile(fields, value, at, origin))
        elif name == "unique_within":
            unique = Unique.compile(fields, value)
            if unique.per_file:
                file_unique.append(unique)
            else:
                strategy.append(unique)
    return Checks(tuple(entry), tuple(strategy), tuple(file_unique), frozenset(reads))
