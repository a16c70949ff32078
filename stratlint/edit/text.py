"""Text edits: character ranges of one file's text, and the new text for each. Pure.

Offsets count characters (code points) of the decoded text, as Python's ``str`` indexes it;
lines and columns are 1-based and count code points, as every position stratlint reports
does (``stratlint.diagnostics.Span``). ``lsp_position`` converts to the 0-based positions of
the Language Server Protocol, in UTF-16 code units unless the client chose another encoding.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stratlint.diagnostics import Span


class LineIndex:
    """Where each line of a text starts, to turn 1-based (line, column) into offsets and back.

    A line ends at '\\n'; a '\\r' before it is the last character of the line's content, so
    a file with CRLF line endings has the columns libyaml reports (the loader refuses a lone
    '\\r' and the other line separators libyaml would count). A byte order mark is not a
    character of the first line, to libyaml or to an editor: columns there count from after it."""

    __slots__ = ("_bom", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._bom = 1 if text.startswith("\ufeff") else 0
        starts = [0]
        find = text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self._starts = starts

    @property
    def lines(self) -> int:
        return len(self._starts)

    def offset(self, line: int, column: int) -> int:
        """The offset of 1-based ``line`` and ``column``; ValueError when the text has no such place."""
        if not 1 <= line <= len(self._starts):
            raise ValueError(f"line {line} is not in the text ({len(self._starts)} lines)")
        start = self._starts[line - 1] + (self._bom if line == 1 else 0)
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        offset = start + column - 1
        if not start <= offset <= end:
            raise ValueError(f"column {column} is not on line {line}")
        return offset

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of ``offset``."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, max(1, offset - self._starts[index] - (self._bom if index == 0 else 0) + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(*self.position(start), *self.position(end))

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) without its line break."""
        start = self._starts[line - 1] + (self._bom if line == 1 else 0)
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``old_text[start:end]`` with ``new_text``. ``range`` is the same place as
    1-based lines and columns (code points) of the old text; its end is exclusive."""

    start: int
    end: int
    new_text: str
    range: Span

    def lsp_range(self, old_text: str, encoding: str = "utf-16") -> tuple[tuple[int, int], tuple[int, int]]:
        """((line, character), (line, character)), 0-based, for an LSP TextEdit: characters
        in UTF-16 code units by default (the protocol's), or 'utf-8' / 'utf-32'."""
        return lsp_position(old_text, self.start, encoding), lsp_position(old_text, self.end, encoding)


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its '\\n' (``str.splitlines`` also breaks at
    characters YAML does not, such as a form feed)."""
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def lsp_position(text: str, offset: int, encoding: str = "utf-16") -> tuple[int, int]:
    """The LSP position (0-based line, character in ``encoding`` units) of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset].removeprefix("\ufeff") if line_start == 0 else text[line_start:offset]
    if encoding == "utf-32":
        units = len(before)
    elif encoding == "utf-8":
        units = len(before.encode("utf-8", "surrogatepass"))
    elif encoding == "utf-16":
        units = len(before.encode("utf-16-le", "surrogatepass")) // 2
    else:
        raise ValueError(f"unknown position encoding {encoding!r}")
    return text.count("\n", 0, line_start), units


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """``text`` with every edit made. Edits must not overlap (ValueError)."""
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    parts: list[str] = []
    position = 0
    for edit in ordered:
        if edit.start < position:
            raise ValueError(f"edits overlap at line {edit.range.line}, column {edit.range.column}")
        parts.append(text[position : edit.start])
        parts.append(edit.new_text)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class FileEdit:
    """The edits of one file: ``path`` relative to the repository root, with forward
    slashes; ``edits`` in file order, against ``old_text``, make ``new_text``. ``created``:
    the file does not exist yet (``old_text`` is empty): a new lock."""

    path: str
    old_text: str
    new_text: str
    edits: tuple[TextEdit, ...]
    created: bool = False

    @property
    def changed(self) -> bool:
        return self.created or self.old_text != self.new_text


def file_edit(path: str, old_text: str, edits: Sequence[TextEdit], *, created: bool = False) -> FileEdit:
    ordered = tuple(sorted(edits, key=lambda edit: (edit.start, edit.end)))
    return FileEdit(path, old_text, apply_edits(old_text, ordered), ordered, created)


def _line_runs(old_lines: list[str], new_lines: list[str]) -> list[tuple[int, int, int, int]] | None:
    """(old start, old end, new start, new end) of each run of changed lines, when every
    line is unique and both texts keep the lines they share in the same order (a sorted
    file, such as the lock): a walk of both, no matching needed. None otherwise."""
    old_set, new_set = set(old_lines), set(new_lines)
    if len(old_set) != len(old_lines) or len(new_set) != len(new_lines):
        return None
    runs: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(old_lines) or j < len(new_lines):
        if i < len(old_lines) and j < len(new_lines) and old_lines[i] == new_lines[j]:
            i, j = i + 1, j + 1
            continue
        i0, j0 = i, j
        while i < len(old_lines) and old_lines[i] not in new_set:
            i += 1
        while j < len(new_lines) and new_lines[j] not in old_set:
            j += 1
        if (i, j) == (i0, j0):
            return None  # a shared line moved
        runs.append((i0, i, j0, j))
    return runs


def whole_text_edit(path: str, old_text: str, new_text: str, *, created: bool = False) -> FileEdit:
    """A FileEdit from old and new text: one edit per run of changed lines (what a lock
    rewrite needs: its lines are sorted, so a change is a few lines here and there)."""
    index = LineIndex(old_text)
    old_lines = split_lines(old_text)
    new_lines = split_lines(new_text)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    runs = _line_runs(old_lines, new_lines)
    if runs is None:
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        runs = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    edits = []
    for i1, i2, j1, j2 in runs:
        start, end = starts[i1], starts[i2]
        edits.append(TextEdit(start, end, "".join(new_lines[j1:j2]), index.span(start, end)))
    return FileEdit(path, old_text, new_text, tuple(edits), created)


def unified_diff(files: Iterable[FileEdit]) -> str:
    """The edits as a unified diff (``a/`` and ``b/`` paths from the repository root), as
    ``git diff`` shows it; '' when nothing changes. Line endings are kept as they are."""
    chunks: list[str] = []
    for item in files:
        if not item.changed:
            continue
        before = "/dev/null" if item.created else f"a/{item.path}"
        lines = difflib.unified_diff(
            split_lines(item.old_text),
            split_lines(item.new_text),
            before,
            f"b/{item.path}",
        )
        for line in lines:
            chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)
