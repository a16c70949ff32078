"""SL804-SL806: one name per thing -- the names the strategy declares, against the names its
texts use.

A segment, a differentiator, a pillar, a persona, a tier: each has one name (``name``), and
may declare a ``short_name`` and ``aliases``, each alias for every function or for one
(``{name: Large, function: sales}``). Every text of every entry (headlines, bodies, talk
tracks, answers, entry criteria, descriptions, rationales) is read against them, word by
word and in any case, for three breaks that no reference check sees: a near-variant of a
name, the name of a retired node, and one function's label written in another's plan.
Guards against fragmented interpretation: each function filling the gaps its own way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from stratlint.diagnostics import Diagnostic, Severity, Span, Stage
from stratlint.graph import FileView, Lookup, Node
from stratlint.model import NodeType
from stratlint.rules.base import FileRule, capitalized
from stratlint.rules.messaging import STOP_WORDS, stem, text_span
from stratlint.rules.options import RuleOptions

NAMED_TYPES = frozenset(
    {
        NodeType.SEGMENT,
        NodeType.DIFFERENTIATOR,
        NodeType.PILLAR,
        NodeType.PRIORITY,
        NodeType.PERSONA,
        NodeType.USE_CASE,
        NodeType.TIER,
        NodeType.COMPETITOR,
        NodeType.METRIC,
    }
)
"""The nodes whose names texts use: the vocabulary of the value definition, the narrative,
the priorities, the market and the shared metrics."""

TEXT_FIELDS = frozenset(
    {
        "headline",
        "body",
        "summary",
        "title",
        "trigger",
        "objection",
        "answer",
        "statement",
        "description",
        "thesis",
        "pains",
        "entry_criteria",
        "exception_rule",
        "definition",
        "tie_break",
        "rationale",
    }
)
"""The fields that hold prose (a rationale's answers included): names and ids are not read."""

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
"""A word: letters and digits, with an apostrophe inside ('customer's'); hyphens and spaces
separate words, so 'End-to-End' is three."""


def folded(text: str) -> tuple[str, ...]:
    """The words of a name, in lower case: what a text must say to name it."""
    return tuple(match.group(0).casefold() for match in WORD.finditer(text))


@dataclass(frozen=True, slots=True)
class Name:
    """One name a node goes by."""

    node: Node
    text: str
    words: tuple[str, ...]
    function: str | None = None
    """The function whose label it is (an alias declared for one function), or None."""

    @property
    def called(self) -> str:
        """Whose name it is, for a message: "Tier 'tier-x' is called 'Enterprise plan'"."""
        return f"{capitalized(self.node.label)} is called '{self.text}'"


def names_of(node: Node) -> list[Name]:
    """The names ``node`` declares: its name, short name and aliases."""
    entry = node.entry.__dict__
    found: list[Name] = []
    for key in ("name", "short_name"):
        value = entry.get(key)
        if isinstance(value, str) and folded(value):
            found.append(Name(node, value, folded(value)))
    for alias in entry.get("aliases") or ():
        text = alias if isinstance(alias, str) else getattr(alias, "name", "")
        function = None if isinstance(alias, str) else getattr(alias, "function", None)
        if text and folded(text):
            found.append(Name(node, text, folded(text), function))
    return found


class NamedNodes:
    """Which node a name or an alias written where an id goes means, by the node types the
    place takes: the one node of those types that goes by that name, or None. Built once
    per set of types (and lookup) it is asked about."""

    def __init__(self) -> None:
        self._held: dict[frozenset[NodeType], tuple[Lookup, dict[str, list[Name]]]] = {}

    def meant(self, lookup: Lookup, types: frozenset[NodeType], written: str) -> Name | None:
        held = self._held.get(types)
        if held is None or held[0] is not lookup:
            held = self._held[types] = (lookup, _by_words(lookup, types))
        found = held[1].get(" ".join(folded(written)), [])
        return found[0] if len(found) == 1 else None


def _by_words(lookup: Lookup, types: frozenset[NodeType]) -> dict[str, list[Name]]:
    """The names and aliases of the nodes of ``types``, by their words, each node once."""
    names: dict[str, list[Name]] = {}
    for node_id in lookup.ids_of_types(types):
        node = lookup.node(node_id)
        for name in names_of(node) if node is not None else ():
            found = names.setdefault(" ".join(name.words), [])
            if all(other.node is not node for other in found):
                found.append(name)
    return names


class Vocabulary:
    """Every name of the named nodes, indexed by first word, for one run."""

    def __init__(self, lookup: Lookup) -> None:
        self.names: list[Name] = []
        for node_id in lookup.ids_of_types(NAMED_TYPES):
            node = lookup.node(node_id)
            if node is not None:
                self.names += names_of(node)
        self.by_first: dict[str, list[Name]] = {}
        self.by_second: dict[str, list[tuple[Name, tuple[str, ...]]]] = {}
        self._stemmed_first: dict[str, list[tuple[Name, tuple[str, ...]]]] = {}
        for name in self.names:
            stems = tuple(stem(word) for word in name.words)
            self.by_first.setdefault(name.words[0], []).append(name)
            self._stemmed_first.setdefault(name.words[0], []).append((name, stems))
            if len(name.words) > 1:
                self.by_second.setdefault(name.words[1], []).append((name, stems))
        self.spelled = {name.words for name in self.names}
        """Every name, as words: a text that says one says a name, not a variant of another."""
        self.live = {name.words for name in self.names if not name.node.retired}
        """The names of nodes that are not retired: a retired node's name that one of them
        also goes by is not a mention of the retired node."""

    def exact(self, said: tuple[str, ...], start: int) -> list[tuple[Name, int]]:
        """The names that ``said`` (a text's words) spells from word ``start``, with where they end."""
        candidates = self.by_first.get(said[start])
        if not candidates:
            return []
        found = [(name, start + len(name.words)) for name in candidates]
        return [(name, end) for name, end in found if said[start:end] == name.words]

    def near(self, text: Said, start: int, min_words: int = 1) -> list[tuple[Name, int]]:
        """The names of ``min_words`` or more words that the text's words from ``start`` spell
        with exactly one word changed (a word in another form, 'leaders' for 'leader', is the
        same word)."""
        said, stems = text.words, text.stems
        first = self._stemmed_first.get(said[start], ())
        second = self.by_second.get(said[start + 1], ()) if start + 1 < len(said) else ()
        if not first and not second:
            return []
        found: list[tuple[Name, int]] = []
        seen: set[int] = set()
        for name, name_stems in (*first, *second):
            end = start + len(name_stems)
            if len(name_stems) < min_words or end > len(said) or id(name) in seen:
                continue
            seen.add(id(name))
            changed = 0
            for index, name_stem in enumerate(name_stems, start):
                if stems[index] != name_stem:
                    changed += 1
                    if changed > 1:
                        break
            if changed == 1:
                found.append((name, end))
        return found


class NameRule(FileRule):
    """A rule that reads texts against the strategy's names: the vocabulary is built once a
    run, from what the file's lookup knows of the strategy."""

    opt_in = True  # a text of a strategy written before names were checked may say a variant

    _held: tuple[Lookup, Vocabulary] | None = None

    def vocabulary(self, view: FileView) -> Vocabulary:
        if self._held is None or self._held[0] is not view.lookup:
            self._held = (view.lookup, Vocabulary(view.lookup))
        return self._held[1]

    def at_words(
        self, view: FileView, node: Node, pointer: str, field: str, span: Span, piece: str, rest: str, about: str
    ) -> Diagnostic:
        """A finding on words of a text: "The body of message 'm' says '<piece>', <rest>"."""
        return self.at(
            view.path,
            span,
            f"{capitalized(_where(node, field))} says '{piece}', {rest}",
            pointer=pointer,
            subject=f"{node.id}:{field}:{about}",
        )


def _texts(pointer: str, field: str, value: Any) -> Iterator[tuple[str, str, str]]:
    """(pointer, field, text) of the prose in one field's value: a text, a list of texts, or
    a rationale's answers."""
    if isinstance(value, str):
        yield pointer, field, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield f"{pointer}/{index}", field, item
    elif isinstance(value, BaseModel):
        for key, item in value.__dict__.items():
            if isinstance(item, str):
                yield f"{pointer}/{key}", f"{field} ({key})", item


def prose(view: FileView) -> Iterator[tuple[Node, str, str, str]]:
    """(entry, pointer, field, text) of every text the file's live entries hold."""
    for node in view.nodes:
        if node.record:
            continue
        for field in TEXT_FIELDS & node.entry.__dict__.keys():
            value = node.entry.__dict__[field]
            if value:
                yield from ((node, *item) for item in _texts(f"{node.pointer}/{field}", field, value))


@dataclass(frozen=True)
class Said:
    """What a text says, word by word: each word as found, as compared (in lower case) and
    as a stem (for variants)."""

    matches: tuple[re.Match[str], ...]
    words: tuple[str, ...]

    @functools.cached_property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(word) for word in self.words)


@functools.lru_cache(maxsize=1024)
def said_in(value: str) -> Said:
    """The words of a text. Cached: the name rules read the same texts of a file in turn."""
    matches = tuple(WORD.finditer(value))
    return Said(matches, tuple(match.group(0).casefold() for match in matches))


def _piece(
    view: FileView, pointer: str, value: str, matches: tuple[re.Match[str], ...], start: int, stop: int
) -> tuple[str, Span]:
    """What words ``start`` to ``stop`` of a text say (spaces folded), and where they are."""
    begin, end = matches[start].start(), matches[stop - 1].end()
    return " ".join(value[begin:end].split()), text_span(view, pointer, value, begin, end)


def _where(node: Node, field: str) -> str:
    """'the body of message 'msg.x'' -- where a text is, for a message."""
    return f"the {field.replace('_', ' ')} of {node.label}"


def _called(name: Name) -> str:
    """ "differentiator 'diff.insight' ('End-to-End Insight')"."""
    return f"{name.node.label} ('{name.node.entry.__dict__.get('name') or name.text}')"


class NameVariant(NameRule):
    code = "SL804"
    name = "name-variant"
    summary = "A text names a segment, differentiator, pillar or other node by a near-variant of its name."
    default_severity = Severity.WARNING
    stage = Stage.FRAGMENTED_INTERPRETATION
    explanation = """
        A node has one name, and the aliases and short name it declares. A text that says a
        name with one word changed ('End-to-End Visibility' where the differentiator is
        'End-to-End Insight') tells a reader there are two things, or that the name is still
        open: each function fills the gap its own way. Only names of four or more words
        (min-words; 'End-to-End' is three) are read for variants, since a shorter name
        changed by a word is most often another phrase ('Chief Accounting Officer' is not
        'Chief Financial Officer'); a word in another form ('leaders') is the same word; and
        the changed word must carry meaning (not 'the' or 'of', not a number). Stage of the
        Misalignment Cascade: fragmented interpretation.

        Bad (differentiator name: End-to-End Insight):
            body: End-to-End Visibility across every entity.

        Fix: say the name as declared; or, where the other name is right too, add it to the
        node's 'aliases'.
        """

    class Options(RuleOptions):
        min_words: Annotated[int, Field(ge=2, le=20)] = Field(
            default=4,
            description="How many words a name must have before a text that changes one of them counts as a "
            "variant ('End-to-End Insight' has four).",
        )

    options: Options

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        known = self.vocabulary(view)
        if not known.names:
            return
        for node, pointer, field, value in prose(view):
            text = said_in(value)
            matches, said = text.matches, text.words
            taken = _covered(known, said)
            for start in range(len(said)):
                for name, end in known.near(text, start, self.options.min_words):
                    if not _variant(name, said[start:end]):
                        continue
                    if any(index in taken for index in range(start, end)):
                        continue
                    if said[start:end] in known.spelled or name.node is node:
                        continue
                    piece, span = _piece(view, pointer, value, matches, start, end)
                    yield self.at_words(
                        view,
                        node,
                        pointer,
                        field,
                        span,
                        piece,
                        f"which reads like {_called(name)} under another name. Say '{name.text}', or add "
                        f"'{piece}' to its aliases if both names are right.",
                        " ".join(said[start:end]),
                    )
                    break


def _covered(known: Vocabulary, said: tuple[str, ...]) -> set[int]:
    """The word positions of ``said`` that spell a name exactly: no variant overlaps them."""
    taken: set[int] = set()
    for start in range(len(said)):
        for _, end in known.exact(said, start):
            taken |= set(range(start, end))
    return taken


def _variant(name: Name, window: tuple[str, ...]) -> bool:
    """Whether ``window`` (a name's words, one changed) is a variant: the changed word, in the
    name and in the text, carries meaning, and so does one word it keeps."""
    changed = next(index for index, word in enumerate(window) if stem(word) != stem(name.words[index]))
    old, new = name.words[changed], window[changed]
    kept = [word for index, word in enumerate(window) if index != changed and word not in STOP_WORDS]
    return bool(kept) and all(word not in STOP_WORDS and not word.isdigit() for word in (old, new))


class RetiredNameMention(NameRule):
    code = "SL805"
    name = "retired-name-mention"
    summary = "A text names a node that has been retired: a retired tier, segment, pillar or other."
    default_severity = Severity.WARNING
    stage = Stage.DRIFT
    explanation = """
        Retiring a node (status: retired) stops references to it: retired-reference reports
        those. But the name lives on in the texts: a handoff rule that still routes 'Starter'
        accounts after the Starter tier was retired, a talk track that still sells it. A text
        of a live entry that says the name, short name or an alias of a retired node (and
        not of a live one) is reported, with the replacement when the node names one. Stage
        of the Misalignment Cascade: drift.

        Bad (tier.starter, name: Starter, status: retired):
            entry_criteria:
              - Starter accounts with more than 50 seats

        Fix: say what replaced it, or drop the words.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        known = self.vocabulary(view)
        for node, pointer, field, value in prose(view):
            text = said_in(value)
            matches, said = text.matches, text.words
            start = 0
            while start < len(said):
                end = start + 1
                for name, stop in known.exact(said, start):
                    if not name.node.retired or name.words in known.live or name.node is node:
                        continue
                    end = stop
                    replaced = _replacement(view.lookup, name.node)
                    instead = f"'{replaced}'" if replaced else "what replaced it"
                    piece, span = _piece(view, pointer, value, matches, start, stop)
                    rest = f"the name of {name.node.label}, which is retired. Say {instead} instead, or drop it."
                    yield self.at_words(view, node, pointer, field, span, piece, rest, name.node.id)
                    break
                start = end


def _replacement(lookup: Lookup, node: Node) -> str | None:
    """The name of the node that replaces ``node`` (its 'replaced_by'), when it has one."""
    successor_id = node.entry.__dict__.get("replaced_by")
    successor = lookup.node(successor_id) if isinstance(successor_id, str) else None
    name = successor.entry.__dict__.get("name") if successor is not None else None
    return name if isinstance(name, str) and name else None


class OtherFunctionLabel(NameRule):
    code = "SL806"
    name = "other-function-label"
    summary = "A plan says a segment, persona or other node by the label another function uses for it."
    default_severity = Severity.WARNING
    stage = Stage.FRAGMENTED_INTERPRETATION
    opt_in = False  # it reads only labels declared for one function, which older strategies have none of
    explanation = """
        Functions keep their own labels for one thing: sales says 'Large' where marketing
        says 'Enterprise'. An alias may be declared for one function ({name: Large,
        function: sales}); a plan of another function (a roadmap, messaging, a playbook)
        that uses it speaks a label its readers do not share. The finding names the node
        and the name the plan's function should use. Stage of the Misalignment Cascade:
        fragmented interpretation.

        Bad (seg.enterprise, name: Enterprise, aliases: [{name: Large, function: sales}]):
            headline: Built for Large finance teams        # in marketing's messaging

        Fix: say the name the plan's own function uses (its name, or that function's alias).
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        artifact = view.artifact
        function = artifact.plan_owner if artifact is not None else None
        if function is None:
            return
        known = self.vocabulary(view)
        scoped = [name for name in known.names if name.function is not None]
        if not scoped:
            return
        for node, pointer, field, value in prose(view):
            text = said_in(value)
            matches, said = text.matches, text.words
            for start in range(len(said)):
                for name, stop in known.exact(said, start):
                    if name.function is None or name.function == function:
                        continue
                    if any(other.words == name.words and other.function in (None, function) for other in known.names):
                        continue  # the words are a name this function shares too
                    own = _label_for(name.node, function)
                    piece, span = _piece(view, pointer, value, matches, start, stop)
                    rest = f"{name.function}'s label for {name.node.label}; {function} calls it '{own}'."
                    about = f"{name.node.id}:{name.function}"
                    yield self.at_words(view, node, pointer, field, span, piece, rest, about)


def _label_for(node: Node, function: str) -> str:
    """What ``function`` calls ``node``: its own alias for it, else the node's name."""
    for name in names_of(node):
        if name.function == function:
            return name.text
    return str(node.entry.__dict__.get("name") or node.id)
