"""The real YAML language server (the engine of VS Code's Red Hat YAML extension), run
headless over stdio, in a new repository outside the source tree, set up by
``stratlint schemas --vscode`` from a wheel installed outside the source tree.

The server is the npm package yaml-language-server, installed at test time into a cache
folder; without node and npm, or when npm cannot install it, the tests skip and say why.
The client below speaks just enough of the Language Server Protocol: it opens files, asks
for hover and completion, and collects the diagnostics the server publishes."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gitrepo import new_repository
from test_editor_schemas import install_wheel, wheel_environment

from stratlint.model.schema import build_schema, modeline

SERVER_VERSION = "1.25.0"
"""The yaml-language-server release the tests run; the Red Hat YAML extension bundles it."""

pytestmark = pytest.mark.integration


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stratlint-tests" / f"yaml-language-server-{SERVER_VERSION}"


def _server_command() -> list[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "node and npm are needed to run yaml-language-server, and this machine has no "
            + ("node" if node is None else "npm")
        )
    folder = _cache()
    script = folder / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if not script.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=folder.parent))
        installed = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                staging,
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
                f"yaml-language-server@{SERVER_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if installed.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.skip(f"npm could not install yaml-language-server@{SERVER_VERSION}: {installed.stderr[-400:]}")
        try:
            staging.rename(folder)  # whole or not at all; another worker may have won
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return [node, str(script), "--stdio"]


class LanguageClient:
    """A Language Server Protocol client over the server's stdin and stdout."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._next = 0
        self._answers: dict[int, Any] = {}
        self._answered = threading.Condition()
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.configured = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self.process.stderr.read, daemon=True).start()  # type: ignore[union-attr]
        uri = root.as_uri()
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": root.name}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": False}},
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "publishDiagnostics": {},
                    },
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})
        assert self.configured.wait(60), "the server never asked for its settings"

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers = {}
            while (line := stream.readline().strip()) if True else b"":
                name, _, value = line.decode("ascii").partition(":")
                headers[name.lower()] = value.strip()
            if "content-length" not in headers:
                return  # the server has gone
            message = json.loads(stream.read(int(headers["content-length"])))
            if "method" in message and "id" in message:
                self._answer_request(message)
            elif "id" in message:
                with self._answered:
                    self._answers[message["id"]] = message
                    self._answered.notify_all()
            else:
                self.notifications.put(message)

    def _answer_request(self, request: dict[str, Any]) -> None:
        """What the server asks of the editor: its settings, as VS Code answers from them."""
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = []
            for item in request["params"]["items"]:
                value: Any = self.settings
                for part in filter(None, (item.get("section") or "").split(".")):
                    value = value.get(part) if isinstance(value, dict) else None
                result.append(value)
        self._send({"id": request["id"], "result": result})
        if request["method"] == "workspace/configuration":
            self.configured.set()

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self._next += 1
        number = self._next
        self._send({"id": number, "method": method, "params": params})
        with self._answered:
            assert self._answered.wait_for(lambda: number in self._answers, timeout), f"no answer to {method}"
            answer = self._answers.pop(number)
        assert "error" not in answer, answer
        return answer["result"]

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        return uri

    def diagnostics(self, uri: str, timeout: float = 30) -> list[dict[str, Any]]:
        """The first non-empty diagnostics the server publishes for ``uri``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.notifications.get(timeout=left)
            except queue.Empty:
                break
            params = message.get("params") or {}
            published = message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri
            if published and params["diagnostics"]:
                return list(params["diagnostics"])
        return []

    def hover(self, uri: str, line: int, character: int, timeout: float = 30) -> str:
        """The hover text at a place, once the server has one (it loads schemas lazily)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": _at(line, character)})
            if found is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert found is not None, "no hover"
        contents = found["contents"]
        return str(contents["value"] if isinstance(contents, dict) else contents)

    def completion(self, uri: str, line: int, character: int, timeout: float = 30) -> list[str]:
        """The labels the server offers at a place, once it offers any."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.request(
                "textDocument/completion", {"textDocument": {"uri": uri}, "position": _at(line, character)}
            )
            items = found["items"] if isinstance(found, dict) else found or []
            if items or time.monotonic() > deadline:
                return [item["label"] for item in items]
            time.sleep(0.2)

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=10)


def _at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def _position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """The 0-based line and character of ``needle`` in ``text`` (plus ``offset``)."""
    for number, line in enumerate(text.splitlines()):
        if needle in line:
            return number, line.index(needle) + offset
    raise AssertionError(f"{needle!r} is not in the text")


NARRATIVE = """stratlint: 1
kind: narrative
id: narrative
thesis: Month-end close is becoming continuous.
pillars:
  - id: pillar-continuous-close
    name: Continuous close
    claims:
      - id: claim-close-in-days
        statement: Customers close their books in three days.
        proof_points: [pp-northwind-close]
proof_points:
  - id: pp-northwind-close
    statement: Northwind cut its close from twelve days to three.
    as_of: 2026-03-31
"""

ROADMAP = """stratlint: 1
kind: roadmap
id: roadmap-close
items:
  - id: rm-auto-match
    title: Automatic transaction matching
    owner: pm-close
    horizon: 2027-Q1
    status: planned
    value: [diff-continuous-reconciliation]
    narrative: [claim-close-in-days]
    priority: prio-mid-market
"""

MARKET = """stratlint: 1
kind: market
id: market
personas:
  - id: persona-controller
    name: Group controller
    segments: [seg-mid-market-finance]
    buys: decides
tiers:
  - id: tier-growth
    name: Growth
"""


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A new repository outside the source tree, set up for the editor by the installed
    wheel's ``stratlint schemas --vscode``; and the settings that wrote."""
    command = _server_command()
    stratlint = install_wheel(tmp_path_factory.mktemp("wheel"))
    repo = new_repository(tmp_path_factory.mktemp("editor") / "gtm", with_strategy=False)
    # Named for people, not for their kind: the kind alone says which schema applies.
    for relative, text in (("strategy/narrative.yaml", NARRATIVE), ("strategy/product/fy27 plan.yaml", ROADMAP)):
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text, encoding="utf-8")
    ran = subprocess.run(
        [stratlint, "schemas", "--vscode"],
        cwd=repo,
        env=wheel_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    yield repo, {"command": command, "settings": settings}


@pytest.fixture(scope="module")
def client(repository: tuple[Path, dict[str, Any]]) -> Iterator[LanguageClient]:
    repo, setup = repository
    # What VS Code sends the extension: the 'yaml' section of the settings, here the file's.
    yaml_settings = {key.removeprefix("yaml."): value for key, value in setup["settings"].items()}
    editor = LanguageClient(
        setup["command"], repo, {"yaml": {**yaml_settings, "validate": True, "hover": True, "completion": True}}
    )
    yield editor
    editor.close()


def test_hover_on_a_nested_optional_field_shows_its_own_description(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    uri = client.open(repo / "strategy" / "narrative.yaml", NARRATIVE)
    shown = client.hover(uri, *_position(NARRATIVE, "as_of", 2))
    assert "When the evidence was true, as YYYY-MM-DD, or as YYYY-MM or YYYY" in shown
    assert "A date written as" not in shown
    assert "strategy.schema.json" in shown  # the schema the settings give every strategy file


def test_completion_offers_the_field_names_of_the_files_kind(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    text = ROADMAP.replace("    status: planned\n", "    status: planned\n    \n")
    uri = client.open(repo / "strategy" / "product" / "fy27 plan.yaml", text)
    blank = text.splitlines().index("    ")
    labels = set(client.completion(uri, blank, 4))
    item = build_schema("roadmap")["$defs"]["RoadmapItem"]["properties"]
    present = {"id", "title", "owner", "horizon", "status", "value", "narrative", "priority"}
    assert labels == set(item) - present and {"rationale", "segments", "links"} <= labels
    assert not labels & {"headline", "plays", "messages"}, "fields of other kinds are not offered"


def test_completion_offers_the_allowed_values_of_an_enum(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    text = ROADMAP.replace("    status: planned\n", "    status: \n")
    uri = client.open(repo / "strategy" / "product" / "other plan.yaml", text)
    statuses = build_schema("roadmap")["$defs"]["RoadmapItem"]["properties"]["status"]["enum"]
    assert set(client.completion(uri, *_position(text, "status: ", len("status: ")))) == set(statuses)
    kinds = client.completion(uri, *_position(text, "kind: ", len("kind: roadmap")))
    assert {"roadmap", "messaging", "playbook", "narrative"} <= set(kinds)


def test_a_market_file_gets_the_fields_and_values_of_its_own_kind(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    text = MARKET.replace("    buys: decides\n", "    buys: decides\n    \n")
    uri = client.open(repo / "strategy" / "market.yaml", text)
    blank = text.splitlines().index("    ")
    persona = build_schema("market")["$defs"]["Persona"]["properties"]
    assert set(client.completion(uri, blank, 4)) == set(persona) - {"id", "name", "segments", "buys"}
    buys = client.completion(uri, *_position(text, "buys: ", len("buys: ")))
    assert set(buys) >= {"decides", "influences", "uses"}
    typo = MARKET.replace("    name: Growth\n", "    name: Growth\n    staus: retired\n")
    uri = client.open(repo / "strategy" / "market-typo.yaml", typo)
    line, character = _position(typo, "staus")
    assert [(d["range"]["start"], d["message"]) for d in client.diagnostics(uri)] == [
        ({"line": line, "character": character}, "Property staus is not allowed.")
    ]


def test_a_misspelt_field_is_a_diagnostic_at_its_line(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    text = ROADMAP.replace("    status: planned\n", "    status: planned\n    ownr: pm-close\n")
    uri = client.open(repo / "strategy" / "product" / "typo.yaml", text)
    found = client.diagnostics(uri)
    line, character = _position(text, "ownr")
    assert [(d["range"]["start"], d["message"]) for d in found] == [
        ({"line": line, "character": character}, "Property ownr is not allowed.")
    ]


def test_a_modeline_written_by_stratlint_resolves_from_a_subfolder(
    client: LanguageClient, repository: tuple[Path, dict[str, Any]]
) -> None:
    repo, _ = repository
    relative = "strategy/product/fy27/roadmap.yaml"
    text = modeline(relative, "schemas/roadmap.schema.json") + "\n" + ROADMAP.replace("priority:", "priorty:")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/roadmap.schema.json\n")
    uri = client.open(repo / relative, text)
    found = client.diagnostics(uri)
    assert [d["message"] for d in found] == ["Property priorty is not allowed."]
    assert found[0]["data"]["schemaUri"] == [(repo / "schemas" / "roadmap.schema.json").as_uri()]
