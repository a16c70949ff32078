"""The language server's wiring: pygls, the protocol's messages, and when each feature runs.
What to answer lives in the modules beside this one, as plain functions of the strategy
held in memory (``stratlint.lsp.live``); this module only routes, debounces and publishes.

- Start-up: after ``initialized``, the workspace's strategy is loaded in a worker thread
  (the protocol keeps being served meanwhile; requests answer empty until it is there), with
  a progress report when the client shows them.
- A change to an open document is applied after ``DEBOUNCE_SECONDS`` of quiet (a request
  about the document applies it at once), and the file rules' findings are published for
  it and for every open document that references what it declares.
- A save runs the strategy-wide rules and publishes every open document's findings.
- A change to stratlint.toml, pyproject.toml, the policy file, the baseline or the lock
  (saved in the editor, or seen on disk through ``workspace/didChangeWatchedFiles``)
  re-reads the configuration and the strategy, without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from stratlint import StratlintError, __version__
from stratlint.diagnostics import Diagnostic
from stratlint.lsp import actions, completion, findings, navigation
from stratlint.lsp import rename as renaming
from stratlint.lsp.live import LiveStrategy
from stratlint.lsp.positions import UTF8, UTF16, UTF32
from stratlint.lsp.session import Capabilities, Session, file_of

DEBOUNCE_SECONDS = 0.02
"""Quiet after a keystroke before the file is checked again: long enough to take a burst of
changes (a paste, an editor's auto-format) as one, short enough that findings follow typing."""

RELOAD_SECONDS = 0.2
"""Quiet after a change on disk before it is read: a checkout changes many files at once."""

BULK_CHANGES = 50
"""More strategy files than this changed on disk at once: read the strategy again whole."""

_WATCHED = ("**/*.yaml", "**/*.yml", "**/stratlint.toml", "**/pyproject.toml", "**/stratlint.lock")

log = logging.getLogger("stratlint.lsp")


class RequestFailed(JsonRpcException):
    """The protocol's RequestFailed: the request was valid, and is refused; the message says why."""

    CODE = -32803


class StratlintServer(LanguageServer):
    """The server's state: the strategy (once loaded), and the open documents."""

    def __init__(self) -> None:
        super().__init__("stratlint", __version__)
        self.folder: Path | None = None
        self.session: Session | None = None
        self.client = Capabilities()
        self.debounce = DEBOUNCE_SECONDS
        self.opened: dict[str, str] = {}
        """The open documents' URIs, and their paths relative to the repository root."""
        self.pending: dict[str, asyncio.TimerHandle] = {}
        """Changes not yet applied, by URI."""
        self.loading: asyncio.Future[LiveStrategy] | None = None
        self.reload_handle: asyncio.TimerHandle | None = None
        self.disk_changes: dict[Path, types.FileChangeType] = {}
        self.tasks: set[asyncio.Future[None]] = set()
        self.published: dict[str, list[Diagnostic]] = {}
        """The findings last published for each open document (stratlint's Diagnostic values)."""

    # -- the strategy --------------------------------------------------------------------

    @property
    def live(self) -> LiveStrategy | None:
        return self.session.live if self.session is not None else None

    def buffers(self) -> dict[Path, bytes]:
        found = {}
        for uri in self.opened:
            file = file_of(uri)
            if file is not None:
                found[file] = self.workspace.get_text_document(uri).source.encode("utf-8", "surrogatepass")
        return found

    def load(self) -> None:
        """Load (or load again) the workspace's strategy in a worker thread."""
        if self.folder is None:
            return
        folder, buffers = self.folder, self.buffers()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.thread_pool, LiveStrategy.open, folder, buffers)
        self.loading = future
        self.tasks.add(task := asyncio.ensure_future(self._loaded(future)))
        task.add_done_callback(self.tasks.discard)

    async def _loaded(self, future: asyncio.Future[LiveStrategy]) -> None:
        token = await self._progress_begin("stratlint", "Loading the strategy")
        try:
            live = await future
        except StratlintError as error:
            self._progress_end(token, "not loaded")
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"stratlint: {error}")
            )
            return
        except Exception as error:  # reported, and the server goes on: a fix to the configuration reloads
            log.exception("loading the strategy failed")
            self._progress_end(token, "not loaded")
            self.show_error(f"stratlint: internal error: {error}")
            return
        if future is not self.loading:
            return  # a later reload is under way
        self.loading = None
        self.session = Session(live, self.client)
        # Documents opened or typed into while loading: the buffers as they are now.
        for uri, _ in list(self.opened.items()):
            self._track(uri)
            self._apply(uri)
        live.check_strategy()
        self.publish_all()
        self._progress_end(token, f"{len(live.paths())} files")

    def show_error(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    async def _progress_begin(self, title: str, message: str) -> str | None:
        if not self.client_capabilities.window or not self.client_capabilities.window.work_done_progress:
            return None
        token = str(uuid.uuid4())
        try:
            await self.work_done_progress.create_async(token)
        except Exception:
            return None
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, message=message))
        return token

    def _progress_end(self, token: str | None, message: str) -> None:
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    def reload(self) -> None:
        """Read the configuration and the strategy again, soon (several changes make one reload)."""
        if self.reload_handle is not None:
            self.reload_handle.cancel()
        self.reload_handle = asyncio.get_running_loop().call_later(RELOAD_SECONDS, self._reload_now)

    def _reload_now(self) -> None:
        self.reload_handle = None
        self.load()

    # -- documents -----------------------------------------------------------------------

    def _track(self, uri: str) -> str | None:
        """The document's path in the strategy, recorded; None for a file outside it."""
        session = self.session
        if session is None:
            self.opened.setdefault(uri, "")
            return None
        path = session.path(uri)
        self.opened[uri] = path or ""
        return path

    def _apply(self, uri: str) -> list[str]:
        """Take the document's text into the strategy now; the open documents whose findings may change."""
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        live = self.live
        path = self.opened.get(uri)
        if live is None or not path:
            return []
        text = self.workspace.get_text_document(uri).source
        change = live.set_text(path, text.encode("utf-8", "surrogatepass"))
        if not change.changed:
            return []
        return list(live.affected(change, [p for p in self.opened.values() if p]))

    def changed(self, uri: str) -> None:
        """A keystroke: check the document again once typing pauses."""
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(self.debounce, self._settle, uri)

    def _settle(self, uri: str) -> None:
        self.pending.pop(uri, None)
        affected = self._apply(uri)
        path = self.opened.get(uri)
        if path and path not in affected:
            self.republish(uri, path)  # the same findings, for the document's new version
        self.publish(affected)

    def flush(self, uri: str) -> str | None:
        """Before answering about a document: its latest text in the strategy. Its path, or None."""
        if uri in self.pending:
            self._settle(uri)
        path = self.opened.get(uri)
        if path is None and self.session is not None:
            path = self._track(uri)
        return path or None

    def saved(self, uri: str) -> None:
        live = self.live
        if live is None:
            return
        file = file_of(uri)
        if file is not None and live.is_config(file):
            self.reload()
            return
        self.flush(uri)
        live.check_strategy()
        self.publish_all()

    # -- publishing ----------------------------------------------------------------------

    def publish(self, paths: Sequence[str]) -> None:
        session = self.session
        if session is None:
            return
        wanted = set(paths)
        for uri, path in self.opened.items():
            if path and path in wanted:
                found = session.live.findings(path)
                self.published[path] = found
                document = self.workspace.get_text_document(uri)
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri, [findings.to_lsp(session, d) for d in found], version=document.version
                    )
                )

    def republish(self, uri: str, path: str) -> None:
        session = self.session
        found = self.published.get(path)
        if session is None or found is None:
            self.publish([path])
            return
        version = self.workspace.get_text_document(uri).version
        diagnostics = [findings.to_lsp(session, d) for d in found]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, diagnostics, version=version))

    def publish_all(self) -> None:
        self.publish([path for path in self.opened.values() if path])

    def clear(self, uri: str) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # -- changes on disk -----------------------------------------------------------------

    def on_disk(self, changes: Sequence[types.FileEvent]) -> None:
        for change in changes:
            file = file_of(change.uri)
            if file is not None:
                self.disk_changes[file] = change.type
        if self.reload_handle is None:
            self.reload_handle = asyncio.get_running_loop().call_later(RELOAD_SECONDS, self._read_disk)

    def _read_disk(self) -> None:
        self.reload_handle = None
        live = self.live
        changes, self.disk_changes = self.disk_changes, {}
        if live is None:
            return
        if any(live.is_config(file) for file in changes):
            self.load()
            return
        paths = {path for file in changes if (path := live.path_of(file)) is not None}
        if len(paths) > BULK_CHANGES:
            self.load()
            return
        touched = False
        for path in sorted(paths):
            touched |= live.reread(path).changed
        if touched:
            live.check_strategy()
            self.publish_all()


def capabilities_of(client: types.ClientCapabilities, encoding: str) -> Capabilities:
    """What the client said it can show."""
    document = client.text_document
    hover = document.hover if document else None
    diagnostics = document.publish_diagnostics if document else None
    symbols = document.document_symbol if document else None
    completion_item = document.completion.completion_item if document and document.completion else None
    workspace_edit = client.workspace.workspace_edit if client.workspace else None
    tags = diagnostics.tag_support.value_set if diagnostics and diagnostics.tag_support else []
    return Capabilities(
        encoding=encoding,
        markdown=bool(hover and hover.content_format and types.MarkupKind.Markdown in hover.content_format),
        related=bool(diagnostics and diagnostics.related_information),
        code_description=bool(diagnostics and diagnostics.code_description_support),
        hierarchical_symbols=bool(symbols and symbols.hierarchical_document_symbol_support),
        snippets=bool(completion_item and completion_item.snippet_support),
        snippet_edits=bool(workspace_edit and workspace_edit.snippet_edit_support),
        document_changes=bool(workspace_edit and workspace_edit.document_changes),
        deprecated=bool(
            completion_item
            and completion_item.tag_support
            and types.CompletionItemTag.Deprecated in completion_item.tag_support.value_set
        ),
        unnecessary=types.DiagnosticTag.Unnecessary in tags,
    )


def _encoding(server: StratlintServer) -> str:
    chosen = str(server.workspace.position_encoding or UTF16)
    return chosen if chosen in (UTF8, UTF16, UTF32) else UTF16


def build() -> StratlintServer:
    """The server, with every feature registered."""
    server = StratlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: StratlintServer, params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        uri = folders[0].uri if folders else params.root_uri
        folder = file_of(uri) if uri else None
        if folder is None and params.root_path:
            folder = Path(params.root_path)
        ls.folder = folder or Path.cwd()
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), int | float):
            ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: StratlintServer, params: types.InitializedParams) -> None:
        ls.client = capabilities_of(ls.client_capabilities, _encoding(ls))
        ls.load()
        watch = ls.client_capabilities.workspace
        if watch and watch.did_change_watched_files and watch.did_change_watched_files.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in _WATCHED]
            registration = types.Registration(
                id=str(uuid.uuid4()),
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            with contextlib.suppress(Exception):
                await ls.client_register_capability_async(types.RegistrationParams([registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: StratlintServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = ls._track(uri)
        ls.publish([*ls._apply(uri), *([path] if path else [])])

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: StratlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: StratlintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: StratlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = ls.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        path = ls.opened.pop(uri, "")
        ls.clear(uri)
        live = ls.live
        if live is not None and path:
            ls.published.pop(path, None)
            change = live.close(path)
            if change.changed:
                live.check_strategy()
                ls.publish_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: StratlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.on_disk(params.changes)

    def answering(
        empty: Any,
    ) -> Callable[[Callable[[Session, str, Any], Any]], Callable[[StratlintServer, Any], Any]]:
        """A request about one document: its latest text taken in first; ``empty`` while the
        strategy is loading or for a file outside it."""

        def wrap(answer: Callable[[Session, str, Any], Any]) -> Callable[[StratlintServer, Any], Any]:
            def handler(ls: StratlintServer, params: Any) -> Any:
                path = ls.flush(params.text_document.uri)
                session = ls.session
                if session is None or path is None:
                    return empty
                return answer(session, path, params)

            return handler

        return wrap

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @answering([])
    def definition(session: Session, path: str, params: types.DefinitionParams) -> list[types.Location]:
        return navigation.definition(session, path, params.position)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @answering([])
    def references(session: Session, path: str, params: types.ReferenceParams) -> list[types.Location]:
        return navigation.references(session, path, params.position, declaration=params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @answering(None)
    def hover(session: Session, path: str, params: types.HoverParams) -> types.Hover | None:
        return navigation.hover(session, path, params.position)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @answering([])
    def document_symbols(session: Session, path: str, params: types.DocumentSymbolParams) -> Any:
        return navigation.document_symbols(session, path)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["[", ",", " "]))
    @answering(types.CompletionList(is_incomplete=False, items=[]))
    def complete(session: Session, path: str, params: types.CompletionParams) -> types.CompletionList:
        return completion.completion(session, path, params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: StratlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        path = ls.flush(uri)
        session = ls.session
        if session is None or path is None:
            return []
        found = ls.published.get(path)
        if found is None:
            found = session.live.findings(path)
        version = ls.workspace.get_text_document(uri).version
        return actions.code_actions(session, path, params.range, found, version)

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @answering(None)
    def prepare_rename(
        session: Session, path: str, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        try:
            return renaming.prepare_rename(session, path, params.position)
        except renaming.Refused as refusal:
            raise RequestFailed(str(refusal)) from None

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def rename(ls: StratlintServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        path = ls.flush(params.text_document.uri)
        session = ls.session
        if session is None or path is None:
            return None
        versions = {
            opened: ls.workspace.get_text_document(uri).version or 0 for uri, opened in ls.opened.items() if opened
        }
        try:
            renamed = renaming.rename(session, path, params.position, params.new_name, versions)
        except renaming.Refused as refusal:
            raise RequestFailed(str(refusal)) from None
        for note in renamed.notes:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=f"stratlint: {note}"))
        return renamed.edit

    @server.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbols(ls: StratlintServer, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        if ls.session is None:
            return []
        return navigation.workspace_symbols(ls.session, params.query)

    return server


def serve() -> None:
    """Serve the protocol over standard input and output until the client says exit."""
    build().start_io()
