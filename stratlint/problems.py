"""What can be wrong with a file before it is a model: the loader's findings, as typed values.

The loader (stratlint.load) records a ``LoadProblem`` for each thing it finds: the kind of
problem, where it is, and what it is about. Each kind is the subject of exactly one load
rule (stratlint.rules.loading), which names it in its ``problem`` attribute; the engine turns
problems into diagnostics in one place. Nothing ties a problem to its rule by a string.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from stratlint.diagnostics import Span


class ProblemKind(enum.StrEnum):
    """Every kind of problem the loader finds. Each has one load rule."""

    INVALID_YAML = "invalid-yaml"
    DUPLICATE_KEY = "duplicate-key"
    SCHEMA_VIOLATION = "schema-violation"
    UNKNOWN_KIND = "unknown-kind"
    NOT_AN_ARTIFACT = "not-an-artifact"
    INVALID_ENCODING = "invalid-encoding"
    UNSUPPORTED_TAG = "unsupported-tag"
    ALIAS_BOMB = "alias-bomb"
    NESTING_TOO_DEEP = "nesting-too-deep"
    FILE_TOO_LARGE = "file-too-large"
    MULTIPLE_DOCUMENTS = "multiple-documents"
    UNSUPPORTED_YAML_VERSION = "unsupported-yaml-version"
    MERGE_KEY = "merge-key"
    NON_SCALAR_KEY = "non-scalar-key"
    UNREADABLE_FILE = "unreadable-file"
    EXTRA_SCHEMA_VIOLATION = "extra-schema-violation"
    TEXT_CUT_BY_COMMENT = "text-cut-by-comment"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """One problem the loader found in a file.

    Lines and columns are 1-based and count code points; an end of 0 means "where it
    starts". ``pointer`` is the JSON pointer of the value it is about, when there is one.
    ``subject`` says what the problem is about in words that do not change when lines
    move (the key that repeats, the field that is unknown, the parser's complaint): with
    the rule and the file it makes the finding's fingerprint. It never holds a line number.
    """

    kind: ProblemKind
    message: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    pointer: str = ""
    subject: str = ""
    written: str | None = None
    """The value as written, for one that is not in the form its field takes (a name where
    an id goes): a rule may tell what it meant."""

    @classmethod
    def spanning(cls, kind: ProblemKind, message: str, span: Span, pointer: str, subject: str) -> LoadProblem:
        """A problem at ``span`` (from a source map), about the value at ``pointer``."""
        return cls(kind, message, span.line, span.column, span.end_line, span.end_column, pointer, subject)
