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
    def last_line(self) -> int:
        """The line the span ends on, never before the one it starts on (formats that take
        a line range reject an inverted one)."""
        return max(self.end_line, self.line)


FILE_START = Span(1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """Another place that explains a finding ("defined here", "referenced from here")."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``path`` is relative to the repository root, with forward slashes.

    ``pointer`` is the JSON pointer into the artifact, when the finding is about a value.
    ``key`` identifies the finding independently of its line, for fingerprints: the
    rule's subject (usually node ids), never a position.
    """

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    pointer: str = ""
    key: str = ""
    related: tuple[RelatedLocation, ...] = field(default=())

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
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "pointer": self.pointer,
            "related": [
                {"path": item.path, "line": item.span.line, "column": item.span.column, "message": item.message}
                for item in self.related
            ],
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


def fingerprint(diagnostic: Diagnostic) -> str:
    """A stable identity for a finding: the rule, the file and the rule's subject.

    Lines and columns are left out on purpose, so a finding keeps its fingerprint when
    unrelated lines move. Baselines, ``--diff`` and SARIF partialFingerprints all use it.
    """
    text = "\0".join((diagnostic.code, diagnostic.path, diagnostic.key or diagnostic.message))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def mark_known(diagnostics: Iterable[Diagnostic], known: Mapping[str, int]) -> list[tuple[Diagnostic, bool]]:
    """Each finding, and whether ``known`` (fingerprint -> how many) accounts for it. Known
    fingerprints are used up in order: when a fingerprint has more findings than ``known``
    counts, the later ones are not known (a multiset comparison)."""
    remaining = Counter(known)
    marked = []
    for diagnostic in diagnostics:
        key = fingerprint(diagnostic)
        found = remaining[key] > 0
        if found:
            remaining[key] -= 1
        marked.append((diagnostic, found))
    return marked
