"""``stratlint lsp`` end to end: the real server started over stdio (``python -m stratlint
lsp``), driven by pytest-lsp's client with the capabilities of VS Code and of Neovim, on a
copy of the bundled strategy. A response outside the protocol's specification, or outside
what the client said it supports, is a warning from pytest-lsp, and an error here."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="the lsp extra (pygls) and pytest-lsp are not installed")

import pytest_lsp
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import PROJECT, STRATEGY

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

CLIENTS = ["visual-studio-code", "neovim"]

ROADMAP = "strategy/product/close-automation.yaml"
VALUE = "strategy/value.yaml"
CLAIM = "claim.recons-before-period-end"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "stratlint", "lsp"], server_env=_environment()),
    params=CLIENTS,
)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    workspace = tmp_path / "workspace"
    shutil.copytree(STRATEGY, workspace / "strategy")
    request.node.stash[WORKSPACE] = workspace
    registered: list[types.Registration] = []
    request.node.stash[REGISTERED] = registered

    # An editor watches the files the server asks it to (pytest-lsp's client has no handler).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(workspace.as_uri(), "workspace")],
            initialization_options={"debounceMs": 10},
        )
    )
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 20)
    finally:
        # After a failure the client may not have asked the server to exit: end it, or stop() waits forever.
        server = lsp_client._server
        if server is not None and server.returncode is None:
            server.kill()


WORKSPACE = pytest.StashKey[Path]()
REGISTERED = pytest.StashKey[list[types.Registration]]()


def _supports(client: LanguageClient, capability: str) -> bool:
    assert client.capabilities is not None
    return bool(get_capability(client.capabilities, capability, False))  # type: ignore[call-overload]


def _workspace(request: pytest.FixtureRequest) -> Path:
    return request.node.stash[WORKSPACE]


async def _until(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Editor:
    """Opens, edits and saves documents as an editor does, and waits for what the server publishes."""

    def __init__(self, client: LanguageClient, workspace: Path) -> None:
        self.client = client
        self.workspace = workspace
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    def uri(self, path: str) -> str:
        return (self.workspace / path).as_uri()

    async def open(self, path: str) -> list[types.Diagnostic]:
        uri = self.uri(path)
        text = (self.workspace / path).read_text(encoding="utf-8")
        self.versions[uri], self.texts[uri] = 1, text
        self.client.diagnostics.pop(uri, None)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "yaml", 1, text))
        )
        await _until(lambda: uri in self.client.diagnostics, f"diagnostics of {path}")
        return list(self.client.diagnostics[uri])

    def type(self, path: str, old: str, new: str) -> None:
        """Replace the first ``old`` in the document with ``new``, as one incremental change."""
        uri = self.uri(path)
        text = self.texts[uri]
        at = text.index(old)
        line = text.count("\n", 0, at)
        column = at - (text.rfind("\n", 0, at) + 1)
        end_line = line + old.count("\n")
        end_column = (column + len(old)) if "\n" not in old else len(old) - old.rfind("\n") - 1
        self.texts[uri] = text[:at] + new + text[at + len(old) :]
        self.versions[uri] += 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, column), types.Position(end_line, end_column)), text=new
        )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(self.versions[uri], uri), [change])
        )

    def save(self, path: str) -> None:
        uri = self.uri(path)
        (self.workspace / path).write_text(self.texts[uri], encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def position(self, path: str, needle: str, offset: int = 0) -> types.Position:
        text = self.texts[self.uri(path)]
        at = text.index(needle) + offset
        return types.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))

    def codes(self, path: str) -> list[str]:
        return sorted(str(d.code) for d in self.client.diagnostics.get(self.uri(path), []))

    async def until_codes(self, path: str, check: Callable[[Sequence[str]], bool], what: str) -> None:
        await _until(lambda: check(self.codes(path)), f"{what} in {path} (now {self.codes(path)})")


@pytest.fixture
def editor(client: LanguageClient, request: pytest.FixtureRequest) -> Editor:
    return Editor(client, _workspace(request))


async def test_findings_follow_typing_and_clear_when_fixed(editor: Editor) -> None:
    assert await editor.open(ROADMAP) == []
    editor.type(ROADMAP, CLAIM, CLAIM + "s")
    await editor.until_codes(ROADMAP, lambda codes: "SL201" in codes, "the dangling reference")
    found = next(d for d in editor.client.diagnostics[editor.uri(ROADMAP)] if d.code == "SL201")
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.source == "stratlint"
    assert f"did you mean '{CLAIM}'" in found.message
    if _supports(editor.client, "text_document.publish_diagnostics.code_description_support"):
        assert found.code_description is not None and found.code_description.href.endswith("rules/SL201.md")
    else:
        assert found.code_description is None  # the client did not say it shows one (Neovim)
    position = editor.position(ROADMAP, CLAIM + "s")
    assert found.range.start == position
    assert found.range.end.character == position.character + len(CLAIM) + 1
    editor.type(ROADMAP, CLAIM + "s", CLAIM)
    await editor.until_codes(ROADMAP, lambda codes: codes == [], "no finding")


async def test_strategy_rules_run_on_save_and_update_every_open_file(editor: Editor) -> None:
    await editor.open(VALUE)
    await editor.open(ROADMAP)
    segment = "  - id: seg.pe-backed\n"
    editor.type(VALUE, segment, "  - id: seg.new-market\n    name: A new market\n" + segment)
    await asyncio.sleep(0.5)
    assert "SL304" not in editor.codes(VALUE)  # strategy-wide: not before a save
    editor.save(VALUE)
    await editor.until_codes(VALUE, lambda codes: "SL304" in codes, "the orphan segment")
    # Referencing it from another open file, and saving that one, clears the finding in this one.
    editor.type(ROADMAP, "segments: [seg.multi-entity, seg.pe-backed]", "segments: [seg.multi-entity, seg.new-market]")
    editor.save(ROADMAP)
    await editor.until_codes(VALUE, lambda codes: "SL304" not in codes, "the orphan segment cleared")


async def test_a_configuration_change_is_picked_up_without_a_restart(
    editor: Editor, request: pytest.FixtureRequest
) -> None:
    editor.client.diagnostics.clear()
    await editor.open(ROADMAP)
    if _supports(editor.client, "workspace.did_change_watched_files.dynamic_registration"):
        methods = {item.method for item in request.node.stash[REGISTERED]}
        assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods  # the server asked to be told of changes
    editor.type(ROADMAP, CLAIM, CLAIM + "s")
    await editor.until_codes(ROADMAP, lambda codes: "SL201" in codes, "the dangling reference")
    config = editor.workspace / "strategy" / "stratlint.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text('ignore = ["SL201"]\n' + original, encoding="utf-8")
    # Changed on disk, as a checkout or another editor changes it: the watcher says so.
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)])
    )
    await editor.until_codes(ROADMAP, lambda codes: "SL201" not in codes, "the ignored rule gone")
    # Saved in the editor: the save says so.
    config.write_text(original, encoding="utf-8")
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config.as_uri())))
    await editor.until_codes(ROADMAP, lambda codes: "SL201" in codes, "the rule back")


async def test_definition_references_and_hover(editor: Editor) -> None:
    await editor.open(ROADMAP)
    client = editor.client
    uri = editor.uri(ROADMAP)
    at = editor.position(ROADMAP, CLAIM, 3)
    found = await client.text_document_definition_async(types.DefinitionParams(types.TextDocumentIdentifier(uri), at))
    assert isinstance(found, list) and len(found) == 1
    assert found[0].uri == editor.uri("strategy/narrative.yaml")
    narrative = (editor.workspace / "strategy/narrative.yaml").read_text(encoding="utf-8").splitlines()
    assert CLAIM in narrative[found[0].range.start.line]
    referrers = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False),
            text_document=types.TextDocumentIdentifier(uri),
            position=at,
        )
    )
    assert referrers is not None and len(referrers) >= 2
    assert all(CLAIM in Path(file_of(item.uri)).read_text(encoding="utf-8") for item in referrers)
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), at))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "claim" in hover.contents.value and CLAIM in hover.contents.value and "owner" in hover.contents.value


def file_of(uri: str) -> str:
    from stratlint.lsp.session import file_of as parse

    path = parse(uri)
    assert path is not None
    return str(path)


async def test_document_and_workspace_symbols(editor: Editor) -> None:
    await editor.open(ROADMAP)
    client = editor.client
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(editor.uri(ROADMAP)))
    )
    assert symbols
    names = _symbol_names(symbols)
    assert "roadmap.close-automation" in names and "rm.close.continuous-bank-matching" in names
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="recons-before"))
    assert found is not None and any(item.name == CLAIM for item in found)


def _symbol_names(symbols: Sequence[types.DocumentSymbol | types.SymbolInformation]) -> set[str]:
    names = set()
    for symbol in symbols:
        names.add(symbol.name)
        if isinstance(symbol, types.DocumentSymbol):
            names |= _symbol_names(symbol.children or [])
    return names


async def test_completion_offers_what_the_field_takes(editor: Editor) -> None:
    await editor.open(ROADMAP)
    editor.type(ROADMAP, f"narrative: [{CLAIM}]", "narrative: [")
    at = editor.position(ROADMAP, "narrative: [", len("narrative: ["))
    result = await editor.client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(editor.uri(ROADMAP)), at)
    )
    assert isinstance(result, types.CompletionList)
    labels = {item.label for item in result.items}
    assert CLAIM in labels
    assert all(label.startswith(("pillar.", "claim.")) for label in labels), labels
    item = next(item for item in result.items if item.label == CLAIM)
    assert item.documentation is not None


async def test_code_actions_fix_a_typo_and_suppress_with_a_reason(editor: Editor) -> None:
    await editor.open(ROADMAP)
    editor.type(ROADMAP, CLAIM, CLAIM + "s")
    await editor.until_codes(ROADMAP, lambda codes: "SL201" in codes, "the dangling reference")
    diagnostic = next(d for d in editor.client.diagnostics[editor.uri(ROADMAP)] if d.code == "SL201")
    found = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(editor.uri(ROADMAP)),
            diagnostic.range,
            types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert found is not None
    titles = [action.title for action in found if isinstance(action, types.CodeAction)]
    assert f"Change to '{CLAIM}'" in titles
    assert "Suppress SL201 on this line, with a reason" in titles
    fix = next(action for action in found if isinstance(action, types.CodeAction) and action.is_preferred)
    assert fix.edit is not None


async def test_rename_prepares_refuses_and_edits_every_file_and_the_lock(editor: Editor) -> None:
    await editor.open(ROADMAP)
    client = editor.client
    document = types.TextDocumentIdentifier(editor.uri(ROADMAP))
    at = editor.position(ROADMAP, CLAIM, 2)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(document, at))
    assert isinstance(prepared, types.PrepareRenamePlaceholder) and prepared.placeholder == CLAIM
    with pytest.raises(JsonRpcException, match="not an id"):
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(document, editor.position(ROADMAP, "title: ", 1))
        )
    with pytest.raises(JsonRpcException, match="already taken"):
        await client.text_document_rename_async(types.RenameParams(document, at, "seg.pe-backed"))
    with pytest.raises(JsonRpcException, match="not a valid id"):
        await client.text_document_rename_async(types.RenameParams(document, at, "Not valid"))
    edit = await client.text_document_rename_async(types.RenameParams(document, at, "claim.reconciled-early"))
    assert edit is not None
    if edit.document_changes:
        uris = {
            change.text_document.uri for change in edit.document_changes if isinstance(change, types.TextDocumentEdit)
        }
    else:
        assert edit.changes is not None
        uris = set(edit.changes)
    assert editor.uri("strategy/stratlint.lock") in uris
    assert editor.uri("strategy/narrative.yaml") in uris and editor.uri(ROADMAP) in uris
