"""What the language server answers, as plain functions of the strategy in memory, with
no client: the id under a position, definition, references, hover, symbols, completion,
code actions, and the positions they are given in. tests/test_lsp_server.py drives the same
through the real server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol", reason="the lsp extra (pygls) is not installed")

from lsprotocol import types

from stratlint.lsp import actions, completion, navigation
from stratlint.lsp import rename as renaming
from stratlint.lsp.live import LiveStrategy
from stratlint.lsp.positions import UTF8, UTF16, UTF32, Lines
from stratlint.lsp.session import Capabilities, Session
from stratlint.model.market import Persona

from conftest import STRATEGY

ROADMAP = "strategy/product/close-automation.yaml"
NARRATIVE = "strategy/narrative.yaml"
CLAIM = "claim.recons-before-period-end"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    return tmp_path


@pytest.fixture
def session(workspace: Path) -> Session:
    return Session(LiveStrategy.open(workspace))


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    at = text.index(needle) + offset
    return types.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))


def _text(session: Session, path: str) -> str:
    return session.text(path)


def _edit(session: Session, path: str, new: str) -> None:
    session.live.set_text(path, new.encode())


def _apply(text: str, edit: types.WorkspaceEdit, encoding: str = UTF16) -> str:
    """The text after a workspace edit on one document."""
    edits: list[types.TextEdit | types.SnippetTextEdit] = []
    if edit.changes:
        edits = [item for found in edit.changes.values() for item in found]
    for change in edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit)
        edits += [item for item in change.edits if isinstance(item, types.TextEdit | types.SnippetTextEdit)]
    lines = Lines.of(text, encoding)

    def offset(position: types.Position) -> int:
        line, column = lines.at(position)
        return lines.offset(line, column)

    for item in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        new = item.new_text if isinstance(item, types.TextEdit) else item.snippet.value
        text = text[: offset(item.range.start)] + new + text[offset(item.range.end) :]
    return text


# -- positions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "character"), [(UTF8, 10), (UTF16, 7), (UTF32, 6)])
def test_positions_count_the_agreed_code_units(encoding: str, character: int) -> None:
    lines = Lines.of("a: x\nb: é😀 c\n", encoding)
    # 'c' is the 7th code point of line 2: é is 2 UTF-8 bytes, 😀 is 4 bytes and 2 UTF-16 units.
    assert lines.position(2, 7) == types.Position(1, character)
    assert lines.at(types.Position(1, character)) == (2, 7)


# -- navigation -----------------------------------------------------------------------------------


def test_definition_of_a_reference_and_of_an_id_written_in_prose(session: Session) -> None:
    text = _text(session, ROADMAP)
    found = navigation.definition(session, ROADMAP, _position(text, CLAIM, 5))
    assert len(found) == 1 and found[0].uri.endswith(NARRATIVE)
    narrative = _text(session, NARRATIVE).splitlines()
    assert CLAIM in narrative[found[0].range.start.line]
    # 'feeds pp.recons-before-period-end.' in a rationale: the id, not the full stop.
    prose = navigation.id_at(session, ROADMAP, _position(text, "pp.recons-before-period-end", 2))
    assert prose is not None and prose.id == "pp.recons-before-period-end" and not prose.definition


def test_references_include_the_definition_when_asked(session: Session) -> None:
    text = _text(session, ROADMAP)
    at = _position(text, CLAIM)
    without = navigation.references(session, ROADMAP, at, declaration=False)
    with_it = navigation.references(session, ROADMAP, at, declaration=True)
    assert len(with_it) == len(without) + 1 and with_it[0].uri.endswith(NARRATIVE)
    assert len(without) == len(session.live.graph.edges_to[CLAIM])


def test_hover_shows_kind_statement_owner_and_status(session: Session) -> None:
    text = _text(session, ROADMAP)
    hover = navigation.hover(session, ROADMAP, _position(text, CLAIM))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    shown = hover.contents.value
    assert shown.startswith(f"**claim** `{CLAIM}`")
    node = session.live.graph.node(CLAIM)
    assert node is not None
    assert "before the period ends" in shown and "status: active" in shown and f"owner: {node.effective_owner}" in shown
    plain = Session(session.live, Capabilities(markdown=False))
    hover = navigation.hover(plain, ROADMAP, _position(text, CLAIM))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText and "**" not in hover.contents.value


def test_hover_on_a_market_node_shows_its_kind_and_name(session: Session) -> None:
    messages = "strategy/marketing/core-messaging.yaml"
    text = _text(session, messages)
    hover = navigation.hover(session, messages, _position(text, "persona.cfo"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    node = session.live.graph.node("persona.cfo")
    assert node is not None and isinstance(node.entry, Persona)
    assert hover.contents.value.startswith("**persona** `persona.cfo`")
    assert node.entry.name in hover.contents.value


def test_nothing_under_a_position_without_an_id(session: Session) -> None:
    text = _text(session, ROADMAP)
    at = _position(text, "title: ", 2)
    assert navigation.hover(session, ROADMAP, at) is None
    assert navigation.definition(session, ROADMAP, at) == []


def test_document_symbols_nest_as_the_file_does(session: Session) -> None:
    symbols = navigation.document_symbols(session, NARRATIVE)
    assert len(symbols) == 1 and isinstance(symbols[0], types.DocumentSymbol)
    top = symbols[0]
    pillars = [child for child in top.children or [] if child.kind == types.SymbolKind.Namespace]
    assert pillars and any(CLAIM in {claim.name for claim in pillar.children or []} for pillar in pillars)

    def inside(inner: types.Range, outer: types.Range) -> bool:
        return (outer.start.line, outer.start.character) <= (inner.start.line, inner.start.character) and (
            inner.end.line,
            inner.end.character,
        ) <= (outer.end.line, outer.end.character)

    def check(symbol: types.DocumentSymbol) -> None:
        assert inside(symbol.selection_range, symbol.range)
        for child in symbol.children or []:
            assert inside(child.range, symbol.range)
            check(child)

    check(top)
    flat = navigation.document_symbols(Session(session.live, Capabilities(hierarchical_symbols=False)), NARRATIVE)
    assert all(isinstance(item, types.SymbolInformation) for item in flat)
    assert CLAIM in {item.name for item in flat}


def test_workspace_symbols_find_every_id(session: Session) -> None:
    everything = navigation.workspace_symbols(session, "")
    assert {item.name for item in everything} == set(session.live.graph.nodes)
    found = navigation.workspace_symbols(session, "recons-before")
    assert found[0].name in (CLAIM, "pp.recons-before-period-end")
    assert {item.name for item in navigation.workspace_symbols(session, "clmrcnsbfr")} >= {CLAIM}


# -- completion -----------------------------------------------------------------------------------


def _complete(session: Session, path: str, text: str, needle: str) -> types.CompletionList:
    """Completion where ``|`` stands in ``needle`` (which replaces the first line it matches)."""
    before, after = needle.split("|")
    _edit(session, path, text)
    new = session.text(path)
    return completion.completion(session, path, _position(new, before + after, len(before)))


def _retyped(session: Session, old: str, new: str) -> str:
    text = _text(session, ROADMAP)
    assert old in text
    return text.replace(old, new, 1)


def test_a_reference_field_offers_ids_of_what_it_takes(session: Session) -> None:
    graph = session.live.graph
    text = _retyped(session, f"narrative: [{CLAIM}]", "narrative: [cl]")
    result = _complete(session, ROADMAP, text, "narrative: [cl|]")
    labels = {item.label for item in result.items}
    assert CLAIM in labels and labels <= {node.id for node in graph.by_type[next(iter(graph.by_type))]} | set(
        graph.ids_of_types(frozenset(t for t in graph.by_type if t.value in ("pillar", "claim")))
    )
    assert all(item.label.startswith("claim.") or "cl" in item.label for item in result.items)
    item = next(item for item in result.items if item.label == CLAIM)
    assert isinstance(item.documentation, types.MarkupContent) and "before the period ends" in item.documentation.value
    assert item.text_edit is not None and isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.range.end.character - item.text_edit.range.start.character == 2  # replaces 'cl'


@pytest.mark.parametrize(
    ("old", "new", "needle", "kind"),
    [
        (
            "segments: [seg.multi-entity, seg.pe-backed]",
            "segments: [seg.multi-entity, ]",
            "seg.multi-entity, |]",
            "segment",
        ),
        ("priority: prio.win-multi-entity", "priority: ", "    priority: |", "priority"),
    ],
)
def test_each_reference_field_takes_its_kinds(session: Session, old: str, new: str, needle: str, kind: str) -> None:
    result = _complete(session, ROADMAP, _retyped(session, old, new), needle)
    graph = session.live.graph
    assert result.items
    for item in result.items:
        node = graph.node(item.label)
        assert node is not None and node.type.value == kind
    assert "seg.multi-entity" not in {item.label for item in result.items}  # already listed


def test_a_block_list_item_offers_ids(session: Session) -> None:
    text = _retyped(session, f"narrative: [{CLAIM}]", "narrative:\n      - ")
    result = _complete(session, ROADMAP, text, "narrative:\n      - |")
    assert CLAIM in {item.label for item in result.items}


def test_enum_values_and_field_names_come_from_the_model(session: Session) -> None:
    text = _retyped(session, "status: shipped", "status: ")
    statuses = {item.label for item in _complete(session, ROADMAP, text, "    status: |").items}
    assert statuses == {"idea", "backlog", "planned", "in-progress", "shipped", "paused", "cancelled"}
    text = _retyped(session, "    horizon: 2026-Q3\n", "    hor\n")
    fields = _complete(session, ROADMAP, text, "    hor|")
    assert [item.label for item in fields.items] == ["horizon"]
    text = _retyped(session, "    horizon: 2026-Q3\n", "    \n")
    names = {item.label for item in _complete(session, ROADMAP, text, "    |\n").items}
    assert "horizon" in names and "title" not in names  # the entry has a title already


def test_no_completion_inside_text(session: Session) -> None:
    text = _retyped(session, "title: Continuous bank and card matching", "title: Continuous bank and")
    assert _complete(session, ROADMAP, text, "title: Continuous bank and|").items == []


# -- code actions ---------------------------------------------------------------------------------


def _actions(session: Session, path: str) -> tuple[list[types.CodeAction], list[object]]:
    found = session.live.findings(path)
    whole = types.Range(types.Position(0, 0), types.Position(100_000, 0))
    return actions.code_actions(session, path, whole, found), found


def _titled(found: list[types.CodeAction], start: str) -> types.CodeAction:
    return next(action for action in found if action.title.startswith(start))


def test_did_you_mean_fixes_a_mistyped_id(session: Session) -> None:
    typo = _retyped(session, f"narrative: [{CLAIM}]", f"narrative: [{CLAIM}s]")
    _edit(session, ROADMAP, typo)
    found, findings = _actions(session, ROADMAP)
    assert [getattr(f, "code", None) for f in findings] == ["SL201"]
    fix = _titled(found, f"Change to '{CLAIM}'")
    assert fix.is_preferred and fix.edit is not None
    fixed = _apply(typo, fix.edit)
    _edit(session, ROADMAP, fixed)
    assert session.live.findings(ROADMAP) == []
    assert fixed == typo.replace(f"{CLAIM}s", CLAIM, 1)


def test_adding_a_missing_reference_field(session: Session) -> None:
    text = _retyped(session, f"    narrative: [{CLAIM}]\n", "")
    _edit(session, ROADMAP, text)
    found, findings = _actions(session, ROADMAP)
    assert "SL204" in [getattr(f, "code", None) for f in findings]
    action = _titled(found, "Add 'narrative:'")
    assert action.edit is not None
    added = _apply(text, action.edit)
    _edit(session, ROADMAP, added)
    part = session.live.part(ROADMAP)
    assert part is not None and part.artifact is not None and not part.loaded.problems
    assert "narrative: []" in added
    snippets = Session(session.live, Capabilities(snippet_edits=True))
    _edit(session, ROADMAP, text)
    found, _ = _actions(snippets, ROADMAP)
    edit = _titled(found, "Add 'narrative:'").edit
    assert edit is not None and edit.document_changes
    change = edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    assert any(isinstance(item, types.SnippetTextEdit) and "[$0]" in item.snippet.value for item in change.edits)


def test_a_rationale_skeleton_asks_the_decision_questions(session: Session) -> None:
    start = _text(session, ROADMAP).index(
        "    rationale:\n", _text(session, ROADMAP).index("rm.close.continuous-bank-matching")
    )
    text = _text(session, ROADMAP)
    end = text.index("    tags:", start)
    without = text[:start] + text[end:]
    _edit(session, ROADMAP, without)
    found, findings = _actions(session, ROADMAP)
    codes = [getattr(f, "code", None) for f in findings]
    assert "SL501" in codes or "SL502" in codes
    action = _titled(found, "Add a rationale skeleton")
    assert action.edit is not None
    added = _apply(without, action.edit)
    _edit(session, ROADMAP, added)
    part = session.live.part(ROADMAP)
    assert part is not None and part.artifact is not None and not part.loaded.problems
    item = part.artifact.nodes[1].entry
    assert getattr(item, "rationale", None) is not None
    assert "    rationale:\n      # " in added  # the question, as a comment above its answer


def test_suppressing_a_finding_with_a_reason(session: Session) -> None:
    typo = _retyped(session, f"narrative: [{CLAIM}]", f"narrative: [{CLAIM}s]")
    _edit(session, ROADMAP, typo)
    for title in ("Suppress SL201 on this line", "Suppress SL201 in this file"):
        _edit(session, ROADMAP, typo)
        found, _ = _actions(session, ROADMAP)
        action = _titled(found, title)
        assert action.edit is not None
        silenced = _apply(typo, action.edit)
        _edit(session, ROADMAP, silenced)
        assert session.live.findings(ROADMAP) == [], title
        assert f"-- {actions.REASON}" in silenced


# -- rename ----------------------------------------------------------------------------------


def test_prepare_rename_refuses_what_is_not_an_id(session: Session) -> None:
    text = _text(session, ROADMAP)
    with pytest.raises(renaming.Refused, match="not an id"):
        renaming.prepare_rename(session, ROADMAP, _position(text, "title: ", 2))
    found = renaming.prepare_rename(session, ROADMAP, _position(text, CLAIM, 4))
    assert found.placeholder == CLAIM
    assert found.range.start == _position(text, CLAIM)


@pytest.mark.parametrize(("new", "why"), [("Not An Id", "not a valid id"), ("seg.pe-backed", "already taken")])
def test_rename_refuses_an_invalid_or_taken_id(session: Session, new: str, why: str) -> None:
    text = _text(session, ROADMAP)
    with pytest.raises(renaming.Refused, match=why):
        renaming.rename(session, ROADMAP, _position(text, CLAIM), new)


def test_rename_edits_every_file_that_writes_the_id_and_the_lock(session: Session, workspace: Path) -> None:
    live = session.live
    text = _text(session, ROADMAP)
    referrers = {edge.source.artifact.path for edge in live.graph.edges_to[CLAIM]}
    renamed = renaming.rename(session, ROADMAP, _position(text, CLAIM), "claim.reconciled-early", {ROADMAP: 7})
    assert renamed.edit.changes
    uris = set(renamed.edit.changes)
    assert {session.uri(path) for path in referrers | {NARRATIVE, live.lock_path}} == uris
    for uri, edits in renamed.edit.changes.items():
        path = next(p for p in [*live.paths(), live.lock_path] if session.uri(p) == uri)
        before = (workspace / path).read_text(encoding="utf-8")
        (workspace / path).write_text(_apply(before, types.WorkspaceEdit(changes={uri: edits})), encoding="utf-8")
    live = LiveStrategy.open(workspace)
    assert live.graph.node(CLAIM) is None and live.graph.node("claim.reconciled-early") is not None
    assert live.all_findings() == []  # nothing dangles, and the lock's stamps moved: nothing is suspect
    versioned = Session(live, Capabilities(document_changes=True))
    text = _text(versioned, ROADMAP)
    again = renaming.rename(versioned, ROADMAP, _position(text, "claim.reconciled-early"), CLAIM, {ROADMAP: 7})
    assert again.edit.document_changes
    versions = {
        change.text_document.uri: change.text_document.version
        for change in again.edit.document_changes
        if isinstance(change, types.TextDocumentEdit)
    }
    assert versions[versioned.uri(ROADMAP)] == 7 and versions[versioned.uri(NARRATIVE)] is None
