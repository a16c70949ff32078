"""What a policy rule is about: the entries ``given`` selects, their fields, and the
conditions of a ``where``, compiled once when the policy is read and asked of each node.

Nothing here runs what the policy says as code: a condition is one of a few tests on a
value, and a regular expression runs on the linear-time engine of pydantic-core (Rust's
``regex``), the one extra schemas use, so no pattern can hang a run.
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaError, SchemaValidator, core_schema

from stratlint.custom.model import DURATION, Condition, Given, Test, as_list, node_type_of
from stratlint.graph import Node
from stratlint.model import KINDS, NodeType, all_models, types_in
from stratlint.model.common import period_end
from stratlint.model.horizon import months_before


class PolicyProblem(ValueError):
    """What is wrong with a rule that its model cannot tell alone (a field no selected entry
    has, a pattern that cannot run), with the key it is about, for a file:line message."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


MISSING: Any = object()
"""A field the entry does not have, or that is not set."""


# -- the models behind each type of entry ---------------------------------------------------------


@functools.cache
def models_by_type() -> dict[NodeType, tuple[type[BaseModel], ...]]:
    """The model (or models, for a file) of each type of entry."""
    found: dict[NodeType, list[type[BaseModel]]] = {NodeType.ARTIFACT: list(KINDS.values())}
    for model in all_models():
        node_type = getattr(model, "node_type", None)
        if isinstance(node_type, NodeType):
            found.setdefault(node_type, []).append(model)
    return {node_type: tuple(models) for node_type, models in found.items()}


@functools.cache
def kinds_by_type() -> dict[NodeType, frozenset[str]]:
    """The kinds of file each type of entry can be in."""

    def holds(model: type[BaseModel], seen: frozenset[type[BaseModel]]) -> set[NodeType]:
        found: set[NodeType] = set()
        for info in model.model_fields.values():
            for held in types_in(info.annotation):
                if isinstance(held, type) and issubclass(held, BaseModel) and held not in seen:
                    node_type = getattr(held, "node_type", None)
                    if isinstance(node_type, NodeType):
                        found.add(node_type)
                    found |= holds(held, seen | {held})
        return found

    by_type: dict[NodeType, set[str]] = {NodeType.ARTIFACT: set(KINDS)}
    for kind, model in KINDS.items():
        for node_type in holds(model, frozenset({model})):
            by_type.setdefault(node_type, set()).add(kind)
    return {node_type: frozenset(kinds) for node_type, kinds in by_type.items()}


ENTRY_TYPES = frozenset(node_type for node_type in NodeType if node_type is not NodeType.ARTIFACT)


def selected_types(types: Iterable[str], kinds: Iterable[str]) -> frozenset[NodeType]:
    """The types of entry a selection can match: those named, else those the kinds hold,
    else every type of entry (the files themselves only when 'artifact' is named)."""
    named = frozenset(node_type for text in types if (node_type := node_type_of(text)) is not None)
    if named:
        return named
    wanted = set(kinds)
    if wanted:
        return frozenset(t for t, held in kinds_by_type().items() if held & wanted and t is not NodeType.ARTIFACT)
    return ENTRY_TYPES


def _field_models(annotation: Any) -> list[type[BaseModel]]:
    return [held for held in types_in(annotation) if isinstance(held, type) and issubclass(held, BaseModel)]


def has_field(model: type[BaseModel], path: str) -> bool:
    """Whether ``path`` ('headline', 'rationale.value') names a field of ``model``."""
    models = [model]
    for part in path.split("."):
        found = [m.model_fields[part] for m in models if part in m.model_fields]
        if not found:
            return False
        models = [held for info in found for held in _field_models(info.annotation)]
    return True


def check_field(types: frozenset[NodeType], path: str, loc: tuple[str | int, ...]) -> None:
    """Raise a PolicyProblem when no selected type of entry has the field ``path``."""
    models = [model for node_type in sorted(types) for model in models_by_type().get(node_type, ())]
    if any(has_field(model, path) for model in models):
        return
    names = sorted({name for model in models for name in model.model_fields})
    what = " or ".join(sorted(node_type.value for node_type in types)) if len(types) <= 3 else "the selected entries"
    raise PolicyProblem(loc, f"'{path}' is not a field of {what}; the fields are {', '.join(names)}")


# -- values -----------------------------------------------------------------------------------------


def field_value(node: Node, path: str) -> Any:
    """The value of the field ``path`` of the node's entry; MISSING when it has none. 'owner'
    is who answers for the entry (its own owner, else the enclosing entry's, else the file's)."""
    if path == "owner":
        owner = node.effective_owner
        return owner if owner else MISSING
    value: Any = node.entry
    for part in path.split(".") if "." in path else (path,):
        # The class's own table of fields (not the model_fields property, which is slow to ask).
        if not isinstance(value, BaseModel) or part not in type(value).__pydantic_fields__:
            return MISSING
        value = getattr(value, part)
    if value is None:
        return MISSING
    return value.value if isinstance(value, enum.Enum) else value


def _owner(node: Node) -> Any:
    """Who answers for the entry (Node.effective_owner, read straight from the values)."""
    probe: Node | None = node
    while probe is not None:
        owner = probe.entry.__dict__.get("owner")
        if owner:
            return owner
        probe = probe.parent
    return node.artifact.model.__dict__.get("owner") or MISSING


def reader(path: str) -> Callable[[Node], Any]:
    """``field_value`` for one path, made once: for a plain field name, one lookup in the
    entry's own values (a check asks it of every entry of a large strategy)."""
    if path == "owner":
        return _owner
    if "." in path:
        first, *rest = path.split(".")

        def read_nested(node: Node) -> Any:
            value: Any = node.entry.__dict__.get(first)
            for part in rest:
                if value is None:
                    return MISSING
                value = value.__dict__.get(part) if isinstance(value, BaseModel) else None
            if value is None:
                return MISSING
            return value.value if isinstance(value, enum.Enum) else value

        return read_nested

    def read(node: Node) -> Any:
        value = node.entry.__dict__.get(path)
        if value is None:
            return MISSING
        return value.value if isinstance(value, enum.Enum) else value

    return read


def is_empty(value: Any) -> bool:
    return value is MISSING or value is None or value == "" or value == [] or value == {}


def shown_value(value: Any, limit: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cutoff(today: datetime.date, duration: str) -> datetime.date:
    """The day ``duration`` ('12 months') before ``today``."""
    found = DURATION.match(duration)
    assert found is not None, duration
    amount, unit = int(found.group(1)), found.group(2)
    if unit == "day":
        return today - datetime.timedelta(days=amount)
    if unit == "week":
        return today - datetime.timedelta(weeks=amount)
    return months_before(today, amount * (12 if unit == "year" else 1))


def as_date(value: Any) -> datetime.date | None:
    """A date field's value as a date; a month or a year ('2020-06', '2020') as its last day."""
    return period_end(value) if isinstance(value, str) else None


# -- regular expressions in linear time -------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def linear_regex(pattern: str, ignore_case: bool = False) -> Callable[[str], bool]:
    """A search for ``pattern`` on Rust's regex engine (through pydantic-core, as extra
    schemas' patterns): linear in the text, whatever the pattern. ValueError, with the
    engine's reason, for a pattern it cannot run (look-around, back-references)."""
    try:
        validator = SchemaValidator(
            core_schema.str_schema(pattern=("(?i)" if ignore_case else "") + pattern, regex_engine="rust-regex")
        )
    except SchemaError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "")
        reason = reason.removeprefix("error:").removeprefix("SchemaError:").strip().rstrip(".")
        raise ValueError(reason or "it does not compile") from None
    return validator.isinstance_python


def regex_problem(pattern: str, loc: tuple[str | int, ...]) -> None:
    try:
        linear_regex(pattern)
    except ValueError as error:
        raise PolicyProblem(
            loc,
            f"the pattern {pattern!r} cannot run: {error}. stratlint matches patterns with an engine that always "
            "finishes quickly, which has no look-around and no back-references",
        ) from None


# -- conditions -----------------------------------------------------------------------------------


Predicate = Callable[[Any, datetime.date], bool]


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is MISSING else [value]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def compile_condition(condition: Condition, loc: tuple[str | int, ...]) -> tuple[Predicate, str]:
    """A predicate on a field's value (and the day of the run), and the condition in words."""
    if isinstance(condition, str) and condition in ("set", "unset"):
        condition = Test(set=condition == "set")
    if isinstance(condition, list):
        condition = Test(one_of=condition)
    elif not isinstance(condition, Test):
        condition = Test(equals=condition)
    test = condition
    if test.equals is not None:
        wanted = test.equals
        return (lambda value, today: any(_same(item, wanted) for item in _scalars(value))), f"{wanted}"
    if test.one_of is not None:
        options = list(test.one_of)
        words = ", ".join(str(option) for option in options)
        return (
            lambda value, today: any(_same(item, o) for item in _scalars(value) for o in options)
        ), f"one of {words}"
    if test.none_of is not None:
        barred = list(test.none_of)
        words = ", ".join(str(option) for option in barred)
        return (
            lambda value, today: not any(_same(item, o) for item in _scalars(value) for o in barred)
        ), f"none of {words}"
    if test.set is not None:
        wanted_set = test.set
        return (lambda value, today: (not is_empty(value)) is wanted_set), ("set" if wanted_set else "not set")
    if test.matches is not None:
        regex_problem(test.matches, (*loc, "matches"))
        search = linear_regex(test.matches)
        return (
            lambda value, today: any(isinstance(item, str) and search(item) for item in _scalars(value))
        ), f"matching {test.matches!r}"
    if test.within is not None:
        span = test.within
        return (lambda value, today: _dated(value, today, span, newer=True)), f"within {' '.join(span.split())}"
    assert test.older_than is not None
    span = test.older_than
    return (lambda value, today: _dated(value, today, span, newer=False)), f"older than {' '.join(span.split())}"


def _dated(value: Any, today: datetime.date, span: str, *, newer: bool) -> bool:
    day = as_date(value)
    if day is None:
        return False
    return (day >= cutoff(today, span)) if newer else (day < cutoff(today, span))


@dataclass(frozen=True, slots=True)
class Where:
    """Conditions on fields of an entry, all of which must hold."""

    conditions: tuple[tuple[str, Predicate, str], ...] = ()
    readers: tuple[Callable[[Node], Any], ...] = ()
    """How each condition's field is read (see ``reader``)."""

    @classmethod
    def compile(
        cls, where: Mapping[str, Condition] | None, types: frozenset[NodeType], loc: tuple[str | int, ...]
    ) -> Where:
        found = []
        for path, condition in (where or {}).items():
            check_field(types, path, (*loc, path))
            predicate, words = compile_condition(condition, (*loc, path))
            found.append((path, predicate, words))
        return cls(tuple(found), tuple(reader(path) for path, _, _ in found))

    def holds(self, node: Node, today: datetime.date) -> bool:
        for (_, predicate, _), read in zip(self.conditions, self.readers, strict=True):
            if not predicate(read(node), today):
                return False
        return True

    def failing(self, node: Node, today: datetime.date) -> list[str]:
        """The conditions ``node`` does not meet, in words ('its as_of is 2025-01-31, not within 12 months')."""
        found = []
        for path, predicate, words in self.conditions:
            value = field_value(node, path)
            if predicate(value, today):
                continue
            found.append(f"has no {path}" if is_empty(value) else f"has {path} {shown_value(value)}, not {words}")
        return found

    def words(self) -> str:
        return " and ".join(f"{path} {words}" for path, _, words in self.conditions)

    def __bool__(self) -> bool:
        return bool(self.conditions)


# -- selections -----------------------------------------------------------------------------------


def _status(node: Node) -> str | None:
    status = getattr(node.entry, "status", None)
    if status is None:
        return None
    return str(getattr(status, "value", status))


@dataclass(frozen=True, slots=True)
class Selection:
    """Which nodes a ``given`` (or a ``cites``/``cited_by``) is about, as sets to test against."""

    types: frozenset[NodeType]
    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    where: Where = Where()
    fields: tuple[str, ...] = ()
    records: bool = False
    """Whether retired and cancelled entries are included (only when a status names them)."""

    only_where: bool = field(init=False, repr=False, compare=False)
    """Selects by type and ``where`` alone (settled when made: ``matches`` asks it of every entry)."""

    def __post_init__(self) -> None:
        others = self.statuses or self.functions or self.segments or self.tags or self.owners or self.kinds
        object.__setattr__(self, "only_where", not others)

    @property
    def plain(self) -> bool:
        """Selects by type and kind alone (records left out): a file's nodes of those types are
        the selection, with no test on each."""
        return not (
            self.statuses or self.functions or self.segments or self.tags or self.owners or self.where or self.records
        )

    @classmethod
    def of_given(cls, given: Given, loc: tuple[str | int, ...]) -> Selection:
        kinds = as_list(given.kind)
        types = selected_types(as_list(given.type), kinds)
        fields = as_list(given.field)
        for index, path in enumerate(fields):
            check_field(types, path, (*loc, "field") if isinstance(given.field, str) else (*loc, "field", index))
        statuses = frozenset(as_list(given.status))
        return cls(
            types=types,
            kinds=frozenset(kinds),
            statuses=statuses,
            functions=frozenset(as_list(given.function)),
            segments=frozenset(as_list(given.segment)),
            tags=frozenset(as_list(given.tag)),
            owners=frozenset(as_list(given.owner)),
            where=Where.compile(given.where, types, (*loc, "where")),
            fields=fields,
            records=bool(statuses & {"retired", "cancelled"}),
        )

    def matches(self, node: Node, today: datetime.date) -> bool:
        if node.type not in self.types:
            return False
        if self.only_where:  # the most common shape, asked of every entry: a where alone
            return (self.records or not node.record) and self.where.holds(node, today)
        if self.kinds and node.artifact.kind not in self.kinds:
            return False
        if node.record and not self.records:
            return False
        if self.statuses and _status(node) not in self.statuses:
            return False
        if self.functions and node.plan_owner not in self.functions:
            return False
        if self.segments and not any(edge.target_id in self.segments for edge in node.refs):
            return False
        if self.tags and self.tags.isdisjoint(getattr(node.entry, "tags", ()) or ()):
            return False
        if self.owners and node.effective_owner not in self.owners:
            return False
        return not self.where.conditions or self.where.holds(node, today)

    def reads(self) -> frozenset[str]:
        """The kinds of file the selected entries can be in."""
        by_type = kinds_by_type()
        held = frozenset().union(*(by_type.get(node_type, frozenset()) for node_type in self.types))
        return held & self.kinds if self.kinds else held

    def words(self, *, plural: bool = False) -> str:
        """The selection in words: 'proof point with as_of within 12 months'."""
        names = sorted(node_type.value for node_type in self.types) if self.types != ENTRY_TYPES else ["entry"]
        noun = " or ".join(names[:3]) + (" (or another type)" if len(names) > 3 else "")
        if plural:
            noun = " or ".join(_plural(name) for name in names[:3]) + (" (or more types)" if len(names) > 3 else "")
        details = []
        if self.kinds:
            details.append(f"in {' or '.join(sorted(self.kinds))}")
        if self.statuses:
            details.append(f"{' or '.join(sorted(self.statuses))}")
        if self.functions:
            details.append(f"of {' or '.join(sorted(self.functions))}")
        if self.where:
            details.append(f"with {self.where.words()}")
        return " ".join([noun, *details])


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith(("s", "x")) else "s") if not noun.endswith("y") else noun[:-1] + "ies"


def nodes_of(nodes: Sequence[Node], selection: Selection, today: datetime.date) -> Iterator[Node]:
    return (node for node in nodes if selection.matches(node, today))
