"""The Diagnostic value: one finding, at one place, with 1-based positions."""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """How serious a finding is. Ordered, so ``fail-on`` can compare."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; use error, warning or info") from None


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a file. Lines and columns are 1-based and count code points."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def at(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column)

    @property
    def positioned(self) -> bool:
        """False for a finding about a whole folder (the strategy root): it has no line."""
        return self.line >= 1

    @property
    def last_line(self) -> int:
        """The line the span ends on, never before the one it starts on (formats that take
        a line range reject an inverted one)."""
        return max(self.end_line, self.line)


FILE_START = Span(1, 1, 1, 1)
NOWHERE = Span(0, 0, 0, 0)
"""The position of a finding about the strategy as a whole: a folder has no line or column."""


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """Another place that explains a finding ("defined here", "referenced from here")."""

    path: str
    span: Span
    message: str


CONTROL_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
"""str.translate table: control characters and line separators to visible escapes, so a
finding that quotes a value or a file name stays one line and never drives a terminal."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Write ``text`` at ``span`` of ``path`` (relative to the repository root).

    With ``pointer``, the span is that YAML value's, and ``text`` is the id the value is to
    hold: the splice engine (stratlint.edit) writes it in the value's own quotes and checks
    the file reads so. Without, ``text`` replaces the span's characters, which lie outside
    any value (a comment), and the file's data must not change."""

    path: str
    span: Span
    text: str
    pointer: str = ""
    replaces: str | None = None
    """Without ``pointer``: the text the span holds now. The edit is refused when the file
    holds anything else there (a comment is not checked by reading the data back)."""
    offset: int | None = None
    """With ``pointer``: the span is part of that value's text, ``offset`` characters into
    it, and holds ``replaces`` (a word); ``text`` replaces just those characters, and the
    value must read so afterwards."""


@dataclass(frozen=True, slots=True)
class Fix:
    """How to fix a finding, as data: the rule that finds it says how; ``stratlint check
    --fix`` applies it with the splice engine. ``safe``: it keeps the meaning the author
    plainly intended (a typo with one close candidate), and ``--fix`` applies it; an unsafe
    fix (one guess among several, or a change of meaning) needs ``--unsafe-fixes``."""

    message: str
    """What the fix does, in a few words: "replace 'seg-x' with 'seg-y'"."""
    safe: bool
    edits: tuple[Edit, ...] = ()
    stamps: tuple[tuple[str, str, str], ...] = ()
    """References, as (dependent id, field, target id), to stamp in the review lock with
    their targets' current wording, as 'stratlint lock' stamps them."""
    stamp_all: bool = False
    """Stamp every reference that has no stamp (there is no lock yet)."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``path`` is relative to the repository root, with forward slashes.

    ``pointer`` is the JSON pointer into the artifact, when the finding is about a value.
    ``subject`` names what the finding is about independently of where it stands: node ids
    for entries, the key or field for a YAML problem; never a position. With the rule and
    the file it makes the fingerprint.
    """

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    pointer: str = ""
    subject: str = ""
    related: tuple[RelatedLocation, ...] = field(default=())
    about: tuple[str, ...] = ()
    """Ids of the roadmap items, messages and plays the finding also stands on, beyond the
    one it is reported in (an unbacked claim stands on the messages that tell it): the
    alignment score counts it against them too."""
    fix: Fix | None = field(default=None, compare=False)
    """How to fix it, when the rule knows (``stratlint check --fix``). Reports other than the
    text report do not show it; it is not part of the finding's identity."""

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain data, as JSON output and ``impact`` show it."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "line": self.span.line if self.span.positioned else None,
            "column": self.span.column if self.span.positioned else None,
            "end_line": self.span.end_line if self.span.positioned else None,
            "end_column": self.span.end_column if self.span.positioned else None,
            "pointer": self.pointer,
            "related": [
                {"path": item.path, "line": item.span.line, "column": item.span.column, "message": item.message}
                for item in self.related
            ],
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    @property
    def fingerprint(self) -> str:
        """The finding's stable identity: the rule, the file and the subject.

        Never the message or a position, so a finding keeps its fingerprint when lines
        move or its wording improves. The baseline, ``--diff`` and SARIF's
        partialFingerprints all use it."""
        text = "\0".join((self.code, self.path, self.subject))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprint(diagnostic: Diagnostic) -> str:
    """``diagnostic.fingerprint``, as a function (for sorting and mapping)."""
    return diagnostic.fingerprint


def mark_known(diagnostics: Iterable[Diagnostic], known: Mapping[str, int]) -> list[tuple[Diagnostic, bool]]:
    """Each finding, and whether ``known`` (fingerprint -> how many) accounts for it. Known
    fingerprints are used up in order: when a fingerprint has more findings than ``known``
    counts, the later ones are not known (a multiset comparison)."""
    remaining = Counter(known)
    marked = []
    for diagnostic in diagnostics:
        key = diagnostic.fingerprint
        found = remaining[key] > 0
        if found:
            remaining[key] -= 1
        marked.append((diagnostic, found))
    return marked


class Stage(enum.Enum):
    """The stage of the Misalignment Cascade a finding belongs to: how strategy breaks in
    translation, from definitions nobody agrees on to execution that drifts apart."""

    AMBIGUITY = "ambiguity"
    """Missing or forked definitions, and decision questions left unanswered."""
    FRAGMENTED_INTERPRETATION = "fragmented interpretation"
    """Each function reads the strategy its own way: dangling, wrong-kind and missing references."""
    CONFLICTING_EXECUTION = "conflicting execution"
    """The functions act on different stories: unbacked claims, segment drift, coverage gaps."""
    DRIFT = "drift"
    """The strategy moved and the work did not: suspect, retired and stale references."""
    GOVERNANCE = "governance"
    """Who decides, handoffs, which metric wins, and the exceptions a team has granted itself."""

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One option of a rule, as ``stratlint explain`` shows it."""

    name: str
    default: str
    description: str
    type: str


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporters know of a rule: its metadata, never its code."""

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    family: str
    """The rule family's module name (references, drift, ...), for grouping and tags."""
    stage: Stage
    options: tuple[OptionInfo, ...] = ()
    organisation: bool = False
    """The organisation's own rule, compiled from its policy, not one of stratlint's."""
    opt_in: bool = False
    """Selected only by its code or name: not by ALL or a prefix (see Rule.opt_in)."""
    lacks: str = ""
    """What an entry the rule finds lacks ('a value reference'), for a missing link (see Rule.lacks)."""

    @property
    def severity_shown(self) -> str:
        """The default severity, as lists show it: 'warning', or 'warning, opt-in'."""
        return f"{self.severity.label}, opt-in" if self.opt_in else self.severity.label
