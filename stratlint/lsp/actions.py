"""Code actions for the findings under the cursor:

- the "did you mean" fix for an id that names nothing (the suggestion the finding makes);
- a ``rationale:`` skeleton with the decision questions the entry leaves unanswered;
- the missing reference field (``value:``, ``narrative:``, ``priority:``), empty, with the
  cursor in it when the client takes snippet edits, ready for completion;
- suppressing the finding on its line, or in the file, with a reason to fill in.

Every edit inserts or replaces whole tokens at positions the loader recorded; none rewrites
a line it does not need to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lsprotocol import types

from stratlint.diagnostics import Diagnostic, Span
from stratlint.graph import Node
from stratlint.lsp.findings import to_lsp
from stratlint.lsp.patch import FilePart
from stratlint.lsp.positions import Lines
from stratlint.lsp.session import Session
from stratlint.model.initiative import Initiative
from stratlint.rules.decision import decision_questions, unanswered
from stratlint.rules.references import closest

TYPO_CODES = frozenset({"SL201", "SL305"})
"""Findings of a reference that names nothing: dangling (SL201), a segment nobody defined (SL305)."""
RATIONALE_CODES = frozenset({"SL501", "SL502"})
"""An entry that names the primary priority and says nothing of value (SL501), or leaves a
decision question unanswered (SL502): one skeleton, with every question it leaves open."""
MISSING_FIELD_CODES = {"SL203": "value", "SL204": "narrative", "SL205": "priority"}
SUPPRESSION_CODES = frozenset({"SL901", "SL902", "SL903", "SL904"})
REASON = "say why this is accepted"
"""The reason a suppression is inserted with, to be written over."""


@dataclass(frozen=True, slots=True)
class _Insert:
    line: int
    """1-based: the text goes before this line (past the last line: at the end of the file)."""
    text: str
    """Whole lines, each ending in '\\n'."""
    snippet: str
    """The same as a snippet: the cursor's tab stops in it, for a client that takes snippet edits."""


def _escape(text: str) -> str:
    """Text that a snippet shows as it is."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _overlaps(first: types.Range, second: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return (position.line, position.character)

    return key(first.start) <= key(second.end) and key(second.start) <= key(first.end)


def code_actions(
    session: Session,
    path: str,
    requested: types.Range,
    findings: Sequence[Diagnostic],
    version: int | None = None,
) -> list[types.CodeAction]:
    """The actions for the findings of ``path`` whose range meets ``requested``."""
    part = session.live.part(path)
    if part is None:
        return []
    lines = session.lines(path)
    text = session.text(path)
    actions: dict[str, types.CodeAction] = {}

    def add(action: types.CodeAction) -> None:
        """One action per title: two findings that one edit fixes (SL501 and SL502) share it."""
        known = actions.get(action.title)
        if known is None:
            actions[action.title] = action
        elif known.diagnostics is not None and action.diagnostics:
            known.diagnostics = [*known.diagnostics, *action.diagnostics]

    for finding in findings:
        if finding.path != path or not finding.span.positioned:
            continue
        if not _overlaps(lines.range(finding.span), requested):
            continue
        diagnostic = to_lsp(session, finding)
        fix = _typo_fix(session, part, lines, finding)
        if fix is not None:
            edit_span, new = fix
            edit = types.TextEdit(lines.range(edit_span), new)
            add(
                types.CodeAction(
                    title=f"Change to '{new}'",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=_workspace_edit(session, path, version, [edit]),
                )
            )
        for title, insert in (*_inserts(session, part, lines, finding), *_suppressions(part, lines, finding)):
            add(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=_insertion(session, path, version, lines, text, insert),
                )
            )
    return list(actions.values())


# -- did you mean ----------------------------------------------------------------------------


def _typo_fix(session: Session, part: FilePart, lines: Lines, finding: Diagnostic) -> tuple[Span, str] | None:
    """The id to write instead of one that names nothing, and where the id is written."""
    if finding.code not in TYPO_CODES:
        return None
    edge = next((edge for edge in part.edges if edge.pointer == finding.pointer), None)
    if edge is None or edge.target is not None:
        return None
    suggestion = closest(edge.target_id, session.live.graph.ids_of_types(edge.accepts))
    if suggestion is None:
        return None
    span = edge.span
    written = lines.line(span.line)[span.column - 1 : span.end_column - 1]
    at = written.find(edge.target_id) if span.line == span.end_line else -1
    if at < 0:
        return None
    start = span.column + at
    return Span(span.line, start, span.line, start + len(edge.target_id)), suggestion


# -- inserting fields ----------------------------------------------------------------------


def _node_of(part: FilePart, pointer: str) -> Node | None:
    """The node a finding's pointer is at or inside."""
    if part.artifact is None:
        return None
    nodes = {node.pointer: node for node in part.artifact.nodes}
    probe = pointer
    while probe:
        if probe in nodes:
            return nodes[probe]
        probe = probe[: probe.rfind("/")]
    return nodes.get("")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_key(node: Node, key: str, lines: Lines) -> tuple[int, int] | None:
    """The 1-based line and 0-based column of the node's ``key``; None when it is absent or in
    a flow mapping (``{id: ..., ...}``), where no line can be added."""
    raw = node.artifact.source_map.keys.get(f"{node.pointer}/{key}")
    if raw is None:
        return None
    line, column = raw[0], raw[1] - 1
    if lines.line(line)[:column].rstrip().endswith(("{", ",")):
        return None
    return line, column


def _block_end(lines: Lines, first: int, column: int) -> int:
    """The line after the block whose first line is ``first`` and whose keys stand at
    ``column``: the lines after it that are deeper, or blank, belong to it (a comment at the
    block's own depth or shallower does not: it stands before what comes next)."""
    last = first
    for number in range(first + 1, len(lines.lines) + 1):
        text = lines.line(number)
        stripped = text.strip()
        if not stripped:
            continue
        if _indent(text) < column or (stripped.startswith("#") and _indent(text) <= column):
            break
        last = number
    return last + 1


def _inserts(session: Session, part: FilePart, lines: Lines, finding: Diagnostic) -> Iterable[tuple[str, _Insert]]:
    wanted = MISSING_FIELD_CODES.get(finding.code)
    if wanted is None and finding.code not in RATIONALE_CODES:
        return
    node = _node_of(part, finding.pointer)
    if node is None or not isinstance(node.entry, Initiative):
        return
    keys = node.artifact.source_map.keys
    found = _block_key(node, "id", lines)
    if found is None:
        return
    id_line, column = found
    pad = " " * column
    end = _block_end(lines, id_line, column)
    if wanted is not None:
        if f"{node.pointer}/{wanted}" in keys:
            return  # the field is there, empty: completion fills it
        plain, snippet = (
            (f"{wanted}: []", f"{wanted}: [$0]") if wanted != "priority" else (f"{wanted}:", f"{wanted}: $0")
        )
        yield f"Add '{wanted}:' to {node.id}", _Insert(end, f"{pad}{plain}\n", f"{_escape(pad)}{snippet}\n")
        return
    asked = decision_questions(session.live.graph)
    missing = unanswered(node.entry.rationale, list(asked) or ["value"])
    if node.entry.rationale is None:
        inner = pad + "  "
        header = f"{pad}rationale:\n"
        yield (
            f"Add a rationale skeleton to {node.id}",
            _Insert(
                end, header + _answers(inner, missing, asked), _escape(header) + _answers(inner, missing, asked, True)
            ),
        )
        return
    rationale = _block_key(node, "rationale", lines)
    if rationale is None:
        return
    given = [
        keys[f"{node.pointer}/rationale/{item}"]
        for item in ("value", "narrative", "priority")
        if f"{node.pointer}/rationale/{item}" in keys
    ]
    if given and given[0][0] == rationale[0]:
        return  # a flow mapping: 'rationale: {value: ...}'
    inner = " " * (given[0][1] - 1 if given else rationale[1] + 2)
    absent = [item for item in missing if f"{node.pointer}/rationale/{item}" not in keys]
    if absent:
        after = _block_end(lines, rationale[0], len(inner))
        yield (
            f"Add the unanswered rationale of {node.id}",
            _Insert(after, _answers(inner, absent, asked), _answers(inner, absent, asked, True)),
        )


def _answers(pad: str, parts: Sequence[str], asked: dict[str, str], snippet: bool = False) -> str:
    """A key for each answer, under the question it answers, as a comment."""
    text = ""
    for stop, part in enumerate(parts, start=1):
        question = asked.get(part)
        if question:
            text += f"{pad}# {_escape(question) if snippet else question}\n"
        text += f"{pad}{part}: ${stop}\n" if snippet else f"{pad}{part}:\n"
    return text


# -- suppressions ---------------------------------------------------------------------------


def _inside_text(part: FilePart, line: int) -> bool:
    """The line is inside a value that spans lines (a block or folded text), not its first:
    a comment there would be text."""
    values = part.loaded.source_map.values
    parents = {pointer[: pointer.rfind("/")] for pointer in values if pointer}
    return any(start < line <= end for pointer, (start, _, end, _) in values.items() if pointer not in parents)


def _suppressions(part: FilePart, lines: Lines, finding: Diagnostic) -> Iterable[tuple[str, _Insert]]:
    line = finding.span.line
    code = finding.code
    if code in SUPPRESSION_CODES:
        return  # a finding about a suppression comment: fix the comment instead
    if 1 <= line <= len(lines.lines) and lines.line(line).strip() and not _inside_text(part, line):
        pad = " " * _indent(lines.line(line))
        comment = f"# stratlint: disable={code} -- "
        yield (
            f"Suppress {code} on this line, with a reason",
            _Insert(line, f"{pad}{comment}{REASON}\n", f"{pad}{comment}${{0:{REASON}}}\n"),
        )
    top = 1
    for number, text in enumerate(lines.lines, start=1):
        stripped = text.strip()
        if stripped.startswith("#"):
            top = number + 1
        elif stripped:
            break
    comment = f"# stratlint: disable-file={code} -- "
    yield (
        f"Suppress {code} in this file, with a reason",
        _Insert(top, f"{comment}{REASON}\n", f"{comment}${{0:{REASON}}}\n"),
    )


# -- edits ------------------------------------------------------------------------------------


def _insertion(
    session: Session, path: str, version: int | None, lines: Lines, text: str, insert: _Insert
) -> types.WorkspaceEdit:
    newline = "\r\n" if "\r\n" in text else "\n"
    plain, snippet = (body.replace("\n", newline) for body in (insert.text, insert.snippet))
    if insert.line > len(lines.lines) or (insert.line == len(lines.lines) and lines.line(insert.line) == ""):
        # At the end of the file, which may not end in a line break.
        last = len(lines.lines)
        at = lines.position(last, len(lines.line(last)) + 1)
        if lines.line(last):
            plain, snippet = newline + plain.removesuffix(newline), newline + snippet.removesuffix(newline)
    else:
        at = types.Position(insert.line - 1, 0)
    where = types.Range(at, at)
    if session.client.snippet_edits:
        document = types.OptionalVersionedTextDocumentIdentifier(session.uri(path), version)
        edit = types.SnippetTextEdit(where, types.StringValue(snippet))
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(document, [edit])])
    return _workspace_edit(session, path, version, [types.TextEdit(where, plain)])


def _workspace_edit(
    session: Session, path: str, version: int | None, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    if session.client.document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(session.uri(path), version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(document, list(edits))])
    return types.WorkspaceEdit(changes={session.uri(path): edits})
