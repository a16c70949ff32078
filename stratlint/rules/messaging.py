"""SL8xx: messaging -- what marketing and sales say, against what the strategy lets them say.

Checks no writing linter can make, because they read the copy against the graph: a figure
against the proof points behind the claims it tells, a word against the value definition,
a headline against the claims and pillars it cites. Each guards against conflicting
execution: marketing (or a seller) telling another story than the one the strategy tells.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Annotated

from pydantic import Field

from stratlint.diagnostics import Diagnostic, Severity, Span, Stage
from stratlint.graph import FileView, Node, initiative_of
from stratlint.model import NodeType
from stratlint.model.common import VALUE_NODES
from stratlint.rules.base import FileRule, capitalized
from stratlint.rules.options import RuleOptions

SPOKEN_FIELDS: dict[NodeType, tuple[str, ...]] = {
    NodeType.MESSAGE: ("headline", "body"),
    NodeType.PLAY: ("name",),
    NodeType.OBJECTION: ("answer",),
}
"""What a message or a play says to the market: a message's headline and body, a play's
name, and the talk track of its objections (the answer). A play's trigger and a buyer's
objection describe the buyer, not us."""


def _spoken(view: FileView) -> Iterator[tuple[Node, str, str]]:
    """(entry, field, text) of what the file's messages and plays say, records left out."""
    for node in view.nodes:
        fields = SPOKEN_FIELDS.get(node.type)
        if fields is None or node.record:
            continue
        for name in fields:
            text = getattr(node.entry, name, None)
            if isinstance(text, str) and text:
                yield node, name, text


def text_span(view: FileView, pointer: str, value: str, start: int, end: int) -> Span:
    """The span of ``value[start:end]`` in the file, where the text ``value`` at ``pointer``
    is written on its lines as it reads (a plain or a folded text); else the value's own span."""
    span = view.loaded.source_map.span(pointer)
    piece = value[start:end]
    lines = view.loaded.text.split("\n")
    if not span.positioned or span.line > len(lines) or not piece:
        return span
    occurrence = value[:start].count(piece)
    seen = 0
    for number in range(span.line, min(span.end_line, len(lines)) + 1):
        line = lines[number - 1]
        lower = span.column - 1 if number == span.line else 0
        upper = span.end_column - 1 if number == span.end_line else len(line)
        column = line.find(piece, lower, max(lower, upper))
        while column != -1:
            if seen == occurrence:
                return Span(number, column + 1, number, column + 1 + len(piece))
            seen += 1
            column = line.find(piece, column + 1, max(lower, upper))
    return span


def _located(view: FileView, node: Node, field: str, start: int, end: int) -> Span:
    """The span of ``text[start:end]`` of the entry's field in the file (see text_span)."""
    return text_span(view, f"{node.pointer}/{field}", getattr(node.entry, field), start, end)


def _resolved(node: Node, fields: Iterable[str]) -> bool:
    """Every reference the node makes in ``fields`` names an existing node: otherwise the
    dangling reference is the finding to fix first, and rules that judge what the entry
    cites hold back."""
    wanted = set(fields)
    return all(edge.target is not None for edge in node.refs if edge.field in wanted)


# -- a number needs a proof -----------------------------------------------------------------------------

_NUMBER = r"\d+(?:[.,]\d+)*"
FIGURE = re.compile(
    "|".join(
        (
            rf"(?:[$€£]\s?{_NUMBER}(?:\s?(?:k|m|bn|b|million|billion|thousand)\b)?)",
            rf"(?:\b{_NUMBER}\s?(?:%|percent\b|per cent\b))",
            rf"(?:\b{_NUMBER}\s?[x\u00d7](?![\w-]))",
            rf"(?:\b{_NUMBER}(?:\s?(?:-|to|\u2013)\s?{_NUMBER})?\s(?:business\s|working\s|calendar\s)?"
            r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?)\b)",
            rf"(?:\b{_NUMBER}\s?(?:USD|EUR|GBP|dollars|euros)\b)",
        )
    ),
    re.IGNORECASE,
)
"""A figure a reader takes as a measured result: a percentage ('83%'), a multiple ('3x'), a
duration ('in 3 days', '5 business days') or an amount of money ('$2M', '40,000 USD'). A
bare count ('212 customers') is not one."""


def figures(text: str) -> list[re.Match[str]]:
    """The figures ``text`` states, in order."""
    return list(FIGURE.finditer(text))


def _claims_under(pillar: Node) -> list[Node]:
    return [node for node in pillar.artifact.nodes if node.type is NodeType.CLAIM and node.parent is pillar]


def related_claims(entry: Node) -> list[Node]:
    """The claims an entry tells, with the claims of the pillars it tells and of the pillars
    its claims stand under: what a proof point it cites may back."""
    teller = entry if entry.type is not NodeType.OBJECTION else (initiative_of(entry) or entry)
    claims: dict[str, Node] = {}
    for edge in teller.refs:
        target = edge.target
        if edge.field != "narrative" or target is None:
            continue
        pillar = target if target.type is NodeType.PILLAR else target.parent
        if target.type is NodeType.CLAIM:
            claims.setdefault(target.id, target)
        if pillar is not None and pillar.type is NodeType.PILLAR:
            for claim in _claims_under(pillar):
                claims.setdefault(claim.id, claim)
    return list(claims.values())


def backs_a_claim(proof: Node) -> bool:
    """Whether a claim of the narrative the proof point is in cites it."""
    return any(
        node.type is NodeType.CLAIM and proof.id in getattr(node.entry, "proof_points", ())
        for node in proof.artifact.nodes
    )


def cited_proofs(entry: Node) -> list[Node]:
    """The proof points an entry cites: its own, and for a play those its objections cite."""
    sources = [entry]
    if entry.type is NodeType.PLAY:
        sources += [node for node in entry.descendants() if node.type is NodeType.OBJECTION]
    found: dict[str, Node] = {}
    for source in sources:
        for edge in source.refs:
            if edge.field == "proof_points" and edge.target is not None and edge.target.type is NodeType.PROOF_POINT:
                found.setdefault(edge.target.id, edge.target)
    return list(found.values())


class UnprovenFigure(FileRule):
    code = "SL801"
    name = "unproven-figure"
    summary = "A message or play states a figure that no proof point of the claims it tells backs."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A percentage, a multiple, a duration or an amount of money in a message's headline or
        body, a play's name or an objection's answer (the talk track) reads as a measured
        result. When the entry cites no proof point of a claim it tells (or of a claim under
        the same pillar), the figure stands on nothing the strategy can show: marketing tells
        a number the narrative never proved. An objection's answer may draw on the proof of
        any claim: it answers the buyer, not the play. Stage of the Misalignment Cascade:
        conflicting execution, marketing telling another story.

        Bad:
            headline: Close in 3 days          # and no proof point, or one of another claim
            narrative: [claim-close-in-days]
            proof_points: [pp-soc2-report]

        Fix: cite the proof point the figure comes from (the one that backs the claim the
        entry tells), or say it without the figure.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node, field, text in _spoken(view):
            found = figures(text)
            if not found:
                continue
            teller = initiative_of(node) or node
            if not _resolved(node, ("proof_points",)) or not _resolved(teller, ("narrative",)):
                continue
            proofs = cited_proofs(node)
            claims = related_claims(node)
            backing = {proof for claim in claims for proof in getattr(claim.entry, "proof_points", ())}
            if any(proof.id in backing for proof in proofs) or (proofs and not claims):
                continue
            if node.type is NodeType.OBJECTION and any(backs_a_claim(proof) for proof in proofs):
                continue  # an answer meets the buyer where they are: any claim's evidence will do
            quoted = ", ".join(f"'{match.group(0)}'" for match in found[:3])
            if not proofs:
                why = "cites no proof point"
            else:
                why = (
                    f"cites {', '.join(repr(proof.id) for proof in proofs[:3])}, which back"
                    f"{'s' if len(proofs) == 1 else ''} none of the claims it tells"
                )
            span = _located(view, node, field, found[0].start(), found[0].end())
            yield self.at(
                view.path,
                span,
                f"{capitalized(node.label)} says {quoted} in its {field} but {why}. Cite the proof point the "
                "figure comes from, one that backs a claim it tells, or say it without the figure.",
                pointer=f"{node.pointer}/{field}",
                subject=f"{node.id}:{field}:{found[0].group(0)}",
            )


# -- words that contradict the value definition -------------------------------------------------------------


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words or phrases, in any case; None for no words."""
    parts = sorted({" ".join(word.split()) for word in words if word.strip()}, key=len, reverse=True)
    if not parts:
        return None
    body = "|".join(r"\s+".join(re.escape(piece) for piece in part.split(" ")) for part in parts)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


class AvoidedWord(FileRule):
    code = "SL802"
    name = "avoided-word"
    summary = "A message or play uses a word the value definition says to avoid."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        The value definition may list words that contradict it: for the whole company
        ('avoid:' at the top of the value file) and for one differentiator ('avoid:' on it).
        'Cheap' undoes a premium positioning; 'autonomous' undoes explainable AI. A message or
        a play that uses a company-wide word, or a word of a differentiator it reinforces
        (in 'value:'), tells the market another story. Stage of the Misalignment Cascade:
        conflicting execution, marketing telling another story.

        Bad (value.yaml: avoid: [cheap]):
            headline: The cheap way to close

        Fix: say it the way the value definition does; or, if the word no longer contradicts
        it, take it off the 'avoid:' list.
        """

    _company: tuple[Node, tuple[str, ...]] | bool | None = False

    def _company_words(self, view: FileView) -> tuple[Node, tuple[str, ...]] | None:
        """The value definition's own 'avoid:' words, found once a run (the first value node's file)."""
        if self._company is False:
            self._company = None
            for node_id in view.lookup.ids_of_types(VALUE_NODES):
                node = view.lookup.node(node_id)
                if node is not None:
                    words = tuple(getattr(node.artifact.model, "avoid", ()))
                    self._company = (node, words) if words else None
                    break
        return self._company if isinstance(self._company, tuple) else None

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        company = self._company_words(view)
        for node, field, text in _spoken(view):
            sources: list[tuple[str, tuple[str, ...]]] = []
            if company is not None:
                sources.append(("the value definition", company[1]))
            teller = initiative_of(node) or node
            for edge in teller.refs:
                target = edge.target
                if edge.field == "value" and target is not None and target.type is NodeType.DIFFERENTIATOR:
                    words = tuple(getattr(target.entry, "avoid", ()))
                    if words:
                        sources.append((target.label, words))
            for source, words in sources:
                pattern = word_pattern(words)
                if pattern is None:
                    continue
                for found in pattern.finditer(text):
                    word = found.group(0)
                    yield self.at(
                        view.path,
                        _located(view, node, field, found.start(), found.end()),
                        f"{capitalized(node.label)} says '{word}' in its {field}, a word {source} says to avoid: "
                        "it contradicts how we define our value. Say it the way the value definition does.",
                        pointer=f"{node.pointer}/{field}",
                        subject=f"{node.id}:{field}:{word.lower()}",
                    )


# -- a headline that tells another story ----------------------------------------------------------------------

_STOP_TEXT = """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each even every few for from further get gets
    had has have having he her here hers him his how i if in into is it its itself just let like make makes
    me more most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too under until
    up us very was we were what when where which while who whom why will with within without would you your
    yours one two three four five six seven eight nine ten new way ways day days"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""Words that carry no content of their own: a headline and a claim sharing them share no idea."""

_SUFFIXES = ("ations", "ation", "ingly", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s")


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light stem: 'reconciled', 'reconciles' and 'reconciling' all give 'reconcil'.
    Cached: the name rules ask it of the same few thousand words millions of times a run."""
    word = word.lower().removesuffix("'s").removesuffix("\u2019s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return word.removesuffix("e") if len(word) > 4 else word


_WORD = re.compile("[A-Za-z][A-Za-z'\u2019-]*")


def content_words(text: str) -> set[str]:
    """The stems of the words that carry content (stop words and very short words left out)."""
    found = set()
    for token in _WORD.findall(text):
        for part in token.split("-"):
            lower = part.lower()
            if len(lower) > 2 and lower not in STOP_WORDS:
                found.add(stem(lower))
    return found


class HeadlineDrift(FileRule):
    code = "SL803"
    name = "headline-drift"
    summary = "A message's headline shares too few content words with the claims and pillars it tells."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A message tells the claims and pillars in its 'narrative:'. When its headline shares
        no content word with any of them (after stemming, stop words left out), it may be
        telling a different story: the body follows the strategy, the headline, the part
        everyone reads, does not. It is a heuristic, so it is off by default: set the
        threshold 'min-shared-words' to turn it on. Stage of the Misalignment Cascade:
        conflicting execution, marketing telling another story.

        Configuration:
            [tool.stratlint.rules.headline-drift]
            min-shared-words = 1

        Bad:
            headline: Meet us at the spring summit
            narrative: [claim-close-in-days]   # "Customers close their books in three days."

        Fix: say the claim in the headline, or cite the claim the headline does tell.
        """

    class Options(RuleOptions):
        min_shared_words: Annotated[int, Field(ge=1, le=20)] | None = Field(
            default=None,
            description="The fewest content words a headline must share with the claims and pillars its "
            "message tells; off by default.",
        )

    options: Options

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        minimum = self.options.min_shared_words
        if minimum is None:
            return
        for node in view.of_type(NodeType.MESSAGE):
            headline = getattr(node.entry, "headline", "")
            if node.record or not headline or not _resolved(node, ("narrative",)):
                continue
            told = [edge.target for edge in node.refs if edge.field == "narrative" and edge.target is not None]
            if not told:
                continue  # a message that tells nothing is missing-narrative-reference's finding
            words = content_words(headline)
            if not words:
                continue
            story = set().union(*(content_words(_story(target)) for target in told))
            shared = words & story
            if len(shared) >= minimum:
                continue
            names = ", ".join(f"'{target.id}'" for target in told[:3])
            yield self.at_node(
                node,
                f"The headline of {node.label} shares {len(shared) or 'no'} content word"
                f"{'' if len(shared) == 1 else 's'} with what it tells ({names}); at least {minimum} "
                f"{'is' if minimum == 1 else 'are'} expected. It may tell another story: say the claim in the "
                "headline, or cite the claim it does tell.",
                field="headline",
            )


def _story(node: Node) -> str:
    """What a claim or pillar says, in words."""
    return " ".join(str(getattr(node.entry, name, "") or "") for name in ("name", "statement"))
