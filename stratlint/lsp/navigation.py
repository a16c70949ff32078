"""Navigation: the id under the cursor, its definition, its references, a hover card, and
the symbols of a file and of the strategy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types

from stratlint.diagnostics import Span
from stratlint.graph import Node, ReferenceEdge
from stratlint.lsp.positions import contains
from stratlint.lsp.session import Session, describe, status_of
from stratlint.model import NodeType

_ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class IdAt:
    """An id written in a file, under a position."""

    id: str
    span: Span
    """Where it is written (1-based, code points)."""
    node: Node | None
    """The node it names in the strategy (its first definition), or None."""
    definition: bool
    """It is a definition (``id: ...``), not a reference."""
    edge: ReferenceEdge | None = None
    """The reference it is, when it is one."""


def id_at(session: Session, path: str, position: types.Position) -> IdAt | None:
    """The id under ``position`` in the file at ``path``: a definition or a reference, as the
    loader placed them; else an id the strategy knows written anywhere (a comment, a
    rationale, a file that does not load now)."""
    live = session.live
    lines = session.lines(path)
    line, column = lines.at(position)
    part = live.part(path)
    if part is not None and part.artifact is not None:
        for node in part.artifact.nodes:
            span = node.id_span
            if contains(span, line, column):
                return IdAt(node.id, span, live.graph.node(node.id), True)
        for edge in part.edges:
            span = edge.span
            if span.line == span.end_line and contains(span, line, column):
                return IdAt(edge.target_id, span, edge.target, False, edge)
    text = lines.line(line)
    for match in _ID_CHARS.finditer(text):
        if match.start() + 1 <= column <= match.end() + 1:
            word = match.group().strip(".-")
            start = match.start() + match.group().index(word) + 1 if word else match.start() + 1
            named = live.graph.node(word)
            if named is not None:
                return IdAt(word, Span(line, start, line, start + len(word)), named, False)
    return None


def location(session: Session, path: str, span: Span) -> types.Location:
    return types.Location(session.uri(path), session.range(path, span))


def definition(session: Session, path: str, position: types.Position) -> list[types.Location]:
    found = id_at(session, path, position)
    if found is None or found.node is None:
        return []
    node = found.node
    return [location(session, node.artifact.path, node.id_span)]


def references(
    session: Session, path: str, position: types.Position, *, declaration: bool = True
) -> list[types.Location]:
    """Every reference to the id under the cursor, in load order (the definition first, when asked)."""
    found = id_at(session, path, position)
    if found is None:
        return []
    graph = session.live.graph
    result = []
    with session.live.transient_positions() as release:
        if declaration and found.node is not None:
            result.append(location(session, found.node.artifact.path, found.node.id_span))
        previous = None
        for edge in graph.edges_to.get(found.id, ()):  # in load order: each file's together
            path = edge.source.artifact.path
            if previous is not None and path != previous:
                release(previous)
            result.append(location(session, path, edge.span))
            previous = path
    return result


def hover(session: Session, path: str, position: types.Position) -> types.Hover | None:
    """The node under the cursor: its kind and id, what it says, its owner, status, file,
    and how much references it."""
    found = id_at(session, path, position)
    if found is None or found.node is None:
        return None
    node = found.node
    markdown = session.client.markdown
    code = (lambda text: f"`{text}`") if markdown else (lambda text: text)
    lines = [f"**{node.type.value}** {code(node.id)}" if markdown else f"{node.type.value} {node.id}"]
    said = describe(node)
    if said:
        lines.append(said)
    facts = []
    owner = node.effective_owner
    facts.append(f"owner: {owner}" if owner else "no owner named")
    status = status_of(node)
    if status:
        facts.append(f"status: {status}")
    facts.append(f"in {code(node.artifact.path)}")
    lines.append(" · ".join(facts))
    referrers = len(session.live.graph.edges_to.get(node.id, ()))
    lines.append(f"referenced {referrers} time{'s' if referrers != 1 else ''}" if referrers else "referenced nowhere")
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(types.MarkupContent(kind, "\n\n".join(lines)), session.lines(path).range(found.span))


_SYMBOL_KINDS = {
    NodeType.ARTIFACT: types.SymbolKind.File,
    NodeType.SEGMENT: types.SymbolKind.Class,
    NodeType.REASON: types.SymbolKind.Constant,
    NodeType.DIFFERENTIATOR: types.SymbolKind.Constant,
    NodeType.BELIEF: types.SymbolKind.Constant,
    NodeType.PILLAR: types.SymbolKind.Namespace,
    NodeType.CLAIM: types.SymbolKind.String,
    NodeType.PROOF_POINT: types.SymbolKind.Number,
    NodeType.PRIORITY: types.SymbolKind.Enum,
    NodeType.QUESTION: types.SymbolKind.Interface,
    NodeType.ROADMAP_ITEM: types.SymbolKind.Function,
    NodeType.MESSAGE: types.SymbolKind.Event,
    NodeType.PLAY: types.SymbolKind.Method,
    NodeType.OBJECTION: types.SymbolKind.Field,
    NodeType.DECISION_RIGHT: types.SymbolKind.Key,
    NodeType.HANDOFF: types.SymbolKind.Operator,
    NodeType.METRIC: types.SymbolKind.Property,
    NodeType.PERSONA: types.SymbolKind.Class,
    NodeType.USE_CASE: types.SymbolKind.Interface,
    NodeType.TIER: types.SymbolKind.EnumMember,
    NodeType.COMPETITOR: types.SymbolKind.Object,
}


def _detail(node: Node) -> str:
    said = describe(node)
    return f"{node.type.value}: {said}" if said else node.type.value


def document_symbols(session: Session, path: str) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
    """The entries of the file, nested as they are (a pillar's claims, a play's objections)."""
    part = session.live.part(path)
    if part is None or part.artifact is None:
        return []
    lines = session.lines(path)
    nodes = part.artifact.nodes
    if not session.client.hierarchical_symbols:
        return [
            types.SymbolInformation(
                name=node.id,
                kind=_SYMBOL_KINDS[node.type],
                location=types.Location(session.uri(path), lines.range(node.id_span)),
                container_name=node.parent.id if node.parent is not None else None,
            )
            for node in nodes
        ]
    made: dict[int, types.DocumentSymbol] = {}
    top: list[types.DocumentSymbol] = []
    for node in nodes:
        selection = lines.range(node.id_span)
        whole = lines.range(node.span)
        if not _within(selection, whole):
            whole = selection
        symbol = types.DocumentSymbol(
            name=node.id, kind=_SYMBOL_KINDS[node.type], range=whole, selection_range=selection, detail=_detail(node)
        )
        made[id(node)] = symbol
        parent = made.get(id(node.parent)) if node.parent is not None else None
        if parent is None:
            top.append(symbol)
        else:
            parent.children = [*(parent.children or []), symbol]
            if not _within(whole, parent.range):
                parent.range = _union(parent.range, whole)
    return top


def _key(position: types.Position) -> tuple[int, int]:
    return (position.line, position.character)


def _within(inner: types.Range, outer: types.Range) -> bool:
    return _key(outer.start) <= _key(inner.start) and _key(inner.end) <= _key(outer.end)


def _union(first: types.Range, second: types.Range) -> types.Range:
    return types.Range(min(first.start, second.start, key=_key), max(first.end, second.end, key=_key))


WORKSPACE_SYMBOL_LIMIT = 2000
"""At most this many symbols answer one query, the closest matches first: a client filters
further as the user types."""


def _subsequence(query: str, text: str) -> bool:
    found = iter(text)
    return all(char in found for char in query)


def workspace_symbols(session: Session, query: str) -> list[types.SymbolInformation]:
    """Every id of the strategy matching ``query`` (its letters in order, case aside): ids
    that contain it first, then the others, each in load order."""
    wanted = query.lower().strip()
    graph = session.live.graph
    close: list[Node] = []
    loose: list[Node] = []
    for node_id, node in graph.nodes.items():
        lowered = node_id.lower()
        if not wanted or wanted in lowered:
            close.append(node)
        elif _subsequence(wanted, lowered):
            loose.append(node)
        if len(close) >= WORKSPACE_SYMBOL_LIMIT:
            break
    chosen = (close + loose)[:WORKSPACE_SYMBOL_LIMIT]
    found = []
    with session.live.transient_positions() as release:
        previous = None
        for node in chosen:  # in load order: each file's together
            if previous is not None and node.artifact.path != previous:
                release(previous)
            previous = node.artifact.path
            found.append(
                types.SymbolInformation(
                    name=node.id,
                    kind=_SYMBOL_KINDS[node.type],
                    location=location(session, node.artifact.path, node.id_span),
                    container_name=_detail(node),
                )
            )
    return found
