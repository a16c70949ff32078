"""What every feature needs besides the strategy: how to name a file to the client (URIs),
how to count positions in it, and what the client said it can show."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from stratlint.diagnostics import Span
from stratlint.graph import Node
from stratlint.lsp.live import LiveStrategy
from stratlint.lsp.positions import UTF16, Lines

NAME_FIELDS = ("statement", "name", "title", "headline", "question", "thesis", "objection", "domain", "description")
"""The field that says what a node is, in the order looked for: a claim's statement, a
segment's name, a roadmap item's title, a message's headline."""


def describe(node: Node) -> str:
    """What the node says it is: its statement, name, title or headline, on one line."""
    values = node.entry.__dict__
    for name in NAME_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def status_of(node: Node) -> str | None:
    status = node.entry.__dict__.get("status")
    return None if status is None else str(getattr(status, "value", status))


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the client can show, from its capabilities (the server reads them once)."""

    encoding: str = UTF16
    markdown: bool = True
    """Hover and completion documentation may be Markdown."""
    related: bool = True
    """Diagnostics may carry related locations."""
    code_description: bool = True
    hierarchical_symbols: bool = True
    snippets: bool = False
    """Completion items may be snippets."""
    snippet_edits: bool = False
    """A workspace edit may hold snippet edits (LSP 3.18): a code action then puts the cursor where to type."""
    document_changes: bool = False
    """A workspace edit may name the document's version (``documentChanges``)."""
    deprecated: bool = False
    """Completion items and diagnostics may be tagged deprecated."""
    unnecessary: bool = False
    """Diagnostics may be tagged unnecessary (shown faded)."""


@dataclass(slots=True)
class Session:
    """A strategy as the client sees it."""

    live: LiveStrategy
    client: Capabilities = field(default_factory=Capabilities)
    _lines: dict[str, tuple[str, Lines]] = field(default_factory=dict)

    def uri(self, path: str) -> str:
        return self.live.absolute(path).as_uri()

    def path(self, uri: str) -> str | None:
        """The strategy file (relative to the repository root) a URI names, or None."""
        file = file_of(uri)
        return None if file is None else self.live.path_of(file)

    def text(self, path: str) -> str:
        part = self.live.part(path)
        if part is not None:
            return part.loaded.text
        buffer = self.live.buffers.get(path)
        return buffer.decode("utf-8", "replace") if buffer is not None else ""

    def range(self, path: str, span: Span) -> types.Range:
        """The protocol's range of a span of the file at ``path``. Most strategy files are ASCII,
        where a column is a column in any encoding: no need to split the file into lines (a
        reference list or the workspace's symbols name thousands of files)."""
        text = self.text(path)
        if span.positioned and text.isascii() and "\r" not in text and span.end_line >= span.line:
            start = types.Position(span.line - 1, span.column - 1)
            end = types.Position(span.end_line - 1, span.end_column - 1)
            if (end.line, end.character) >= (start.line, start.character):
                return types.Range(start, end)
        return self.lines(path).range(span)

    def lines(self, path: str) -> Lines:
        """The lines of the file as the strategy now holds it (the buffer, when open)."""
        text = self.text(path)
        cached = self._lines.get(path)
        if cached is not None and cached[0] is text:
            return cached[1]
        lines = Lines.of(text, self.client.encoding)
        self._lines[path] = (text, lines)
        if len(self._lines) > 256:
            self._lines.pop(next(iter(self._lines)))
        return lines


def file_of(uri: str) -> Path | None:
    """The file a ``file:`` URI names."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(urllib.parse.unquote(parsed.path))
