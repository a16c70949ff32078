"""Latency of the language server on a large strategy, measured over stdio as an editor sees it.

    python benchmarks/lsp.py                    # 10,000 artifacts, 20 samples of each
    python benchmarks/lsp.py --count 1000 --samples 10

It generates a strategy repository (benchmarks/generate.py, seed 1) and stamps it with
``stratlint lock``, as a maintained repository is; starts ``python -m stratlint lsp`` on
it; opens a roadmap file and the value definition as an editor does; and times each round
trip from the client's side (the protocol's encoding and the pipe included):

- floor: a request the server answers without touching the strategy (a hover in a file
  outside it): what any answer costs, measured in the same run;
- file-scoped diagnostics after a change: a keystroke (a reworded title), to the findings
  published for that version of the document; the debounce is in it;
- the same after a change of what the file references (a priority retargeted);
- strategy-wide diagnostics after a save: a save whose changes leave every file's
  interface as it was (the strategy rules' findings stand), and one after a retarget (they
  run over the whole strategy);
- definition, hover, completion of ids, references, document symbols, workspace symbols;
- start-up: from starting the process to the first findings published for an open file;
- memory: the server's resident and proportional set size with the strategy loaded,
  beside the same server on a one-file strategy (the baseline).

Each figure is a median (and the 90th percentile) of the samples, and a ratio to the floor
(memory: to the baseline server); the targets are checked at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from benchmarks.run import _repository as generated_repository  # noqa: E402

TARGETS = {
    "change": 0.050,
    "retarget": 0.050,
    "save": 0.300,
    "save, rules run": 0.300,
    "definition": 0.030,
    "hover": 0.030,
    "completion": 0.030,
}
"""Seconds, from the issue: file-scoped diagnostics within 50 ms of a change, strategy-wide
within 300 ms of a save, definition, hover and completion within 30 ms."""
MEMORY_TARGET_MB = 400


@dataclass
class Figure:
    name: str
    label: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def _repository(workdir: Path, count: int, env: dict[str, str]) -> Path:
    """A generated repository with every reference stamped in its lock, as a maintained one
    has (reused when already there)."""

    def stamp(out: Path) -> None:
        command = [sys.executable, "-m", "stratlint", "lock", "strategy"]
        subprocess.run(command, cwd=out, env=env, check=True, capture_output=True)

    return generated_repository(workdir, count, name="-locked", then=stamp)


def _memory_mb(pid: int) -> tuple[float, float]:
    """(resident, proportional) set size of a process, in MB (Linux)."""
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


class Client:
    """A client that records when each document's findings arrive, by version."""

    def __init__(self) -> None:
        self.client = LanguageClient("stratlint-benchmark", "1")
        self.published: dict[str, list[tuple[int | None, float, int]]] = {}
        self.waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(
                (params.version, time.perf_counter(), len(params.diagnostics))
            )
            for check, future in list(self.waiters):
                if not future.done() and check():
                    future.set_result(None)

        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def progress(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.client.feature(types.PROGRESS)
        def progressed(params: types.ProgressParams) -> None:
            return None

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

    async def until(self, check: Callable[[], bool], timeout: float = 120.0) -> None:
        if check():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append((check, future))
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self.waiters = [item for item in self.waiters if item[1] is not future]

    def count(self, uri: str) -> int:
        return len(self.published.get(uri, []))


def _capabilities() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
            document_symbol=types.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True),
        ),
        window=types.WindowClientCapabilities(work_done_progress=True),
    )


async def _start(repo: Path, env: dict[str, str]) -> tuple[Client, float]:
    client = Client()
    started = time.perf_counter()
    await client.client.start_io(sys.executable, "-m", "stratlint", "lsp", env=env)
    await client.client.initialize_async(
        types.InitializeParams(
            capabilities=_capabilities(),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(repo.as_uri(), "bench")],
        )
    )
    client.client.initialized(types.InitializedParams())
    return client, started


async def _stop(client: Client) -> None:
    await client.client.shutdown_async(None)
    client.client.exit(None)
    await client.client.stop()


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    at = text.index(needle) + offset
    return types.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))


async def _timed(figure: Figure, request: Callable[[], Awaitable[Any]]) -> None:
    started = time.perf_counter()
    await request()
    figure.samples.append(time.perf_counter() - started)


async def run(count: int, samples: int, workdir: Path) -> tuple[dict[str, Figure], dict[str, float]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    env["XDG_CACHE_HOME"] = str(workdir / f"cache-{count}")
    repo = _repository(workdir, count, env)
    figures = {
        name: Figure(name, label)
        for name, label in (
            ("floor", "floor: a request that reads nothing"),
            ("change", "file-scoped diagnostics after a change"),
            ("retarget", "file-scoped diagnostics after a reference changed"),
            ("save", "strategy-wide diagnostics after a save (findings stand)"),
            ("save, rules run", "strategy-wide diagnostics after a save (rules run)"),
            ("definition", "definition"),
            ("hover", "hover"),
            ("completion", "completion of ids"),
            ("references", "references"),
            ("document symbols", "document symbols"),
            ("workspace symbols", "workspace symbols"),
            ("start-up", "start-up: to the first findings"),
        )
    }
    roadmap = sorted((repo / "strategy" / "product").rglob("*.yaml"))[0]
    original = roadmap.read_bytes()
    priorities = (repo / "strategy" / "priorities.yaml").read_text(encoding="utf-8")
    priority_ids = [line.split(": ", 1)[1].strip() for line in priorities.splitlines() if line.startswith("  - id: ")]
    memory: dict[str, float] = {}
    try:
        client, started = await _start(repo, env)
        uri = roadmap.as_uri()
        text = original.decode()
        client.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "yaml", 1, text))
        )
        await client.until(lambda: client.count(uri) > 0, timeout=300)
        figures["start-up"].samples.append(time.perf_counter() - started)
        value = repo / "strategy" / "value.yaml"
        client.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(value.as_uri(), "yaml", 1, value.read_text(encoding="utf-8"))
            )
        )
        await client.until(lambda: client.count(value.as_uri()) > 0)
        server = client.client._server
        assert server is not None
        pid = server.pid
        document = types.TextDocumentIdentifier(uri)
        outside = types.TextDocumentIdentifier((repo / "README.yaml").as_uri())
        version = 1
        title_line = next(i for i, line in enumerate(text.splitlines()) if line.startswith("title: "))

        async def change(new_title: str) -> None:
            nonlocal version, text
            lines = text.splitlines(keepends=True)
            old = lines[title_line]
            lines[title_line] = f"title: {new_title}\n"
            text = "".join(lines)
            version += 1
            wanted = version
            edit = types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(title_line, 0), types.Position(title_line, len(old) - 1)),
                text=lines[title_line][:-1],
            )
            sent = time.perf_counter()
            client.client.text_document_did_change(
                types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(wanted, uri), [edit])
            )
            await client.until(lambda: any(v == wanted and t >= sent for v, t, _ in client.published.get(uri, [])))
            figures["change"].samples.append(time.perf_counter() - sent)

        async def retarget(index: int) -> None:
            nonlocal version, text
            start = text.index("    priority: ")
            end = text.index("\n", start)
            old = text[start:end]
            current = old.split(": ", 1)[1]
            others = [item for item in priority_ids if item != current]
            new = f"    priority: {others[index % len(others)]}"
            line = text.count("\n", 0, start)
            text = text[:start] + new + text[end:]
            version += 1
            wanted = version
            edit = types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(line, 0), types.Position(line, len(old))), text=new
            )
            sent = time.perf_counter()
            client.client.text_document_did_change(
                types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(wanted, uri), [edit])
            )
            await client.until(lambda: any(v == wanted and t >= sent for v, t, _ in client.published.get(uri, [])))
            figures["retarget"].samples.append(time.perf_counter() - sent)

        async def save(figure: str) -> None:
            roadmap.write_text(text, encoding="utf-8")
            before = client.count(uri)
            sent = time.perf_counter()
            client.client.text_document_did_save(types.DidSaveTextDocumentParams(document))
            await client.until(lambda: client.count(uri) > before)
            figures[figure].samples.append(time.perf_counter() - sent)

        for number in range(samples):
            await change(f"Reworded title, edit {number}")
            await save("save")
            await retarget(number)
            await save("save, rules run")
            await asyncio.sleep(0.1)  # the other open document's findings are published too: let them go
            await _timed(
                figures["floor"],
                lambda: client.client.text_document_hover_async(types.HoverParams(outside, types.Position(0, 0))),
            )
            at = _position(text, "    priority: ", len("    priority: ") + 2)
            await _timed(
                figures["definition"],
                lambda at=at: client.client.text_document_definition_async(types.DefinitionParams(document, at)),
            )
            await _timed(
                figures["hover"],
                lambda at=at: client.client.text_document_hover_async(types.HoverParams(document, at)),
            )
            narrative = _position(text, "narrative: [", len("narrative: ["))
            await _timed(
                figures["completion"],
                lambda at=narrative: client.client.text_document_completion_async(types.CompletionParams(document, at)),
            )
            await _timed(
                figures["references"],
                lambda at=at: client.client.text_document_references_async(
                    types.ReferenceParams(
                        context=types.ReferenceContext(include_declaration=True), text_document=document, position=at
                    )
                ),
            )
            await _timed(
                figures["document symbols"],
                lambda: client.client.text_document_document_symbol_async(types.DocumentSymbolParams(document)),
            )
            await _timed(
                figures["workspace symbols"],
                lambda: client.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="rm.")),
            )
        memory["rss"], memory["pss"] = _memory_mb(pid)
        await _stop(client)
    finally:
        roadmap.write_bytes(original)
    # The baseline server: the same process on a strategy of one file.
    small = workdir / "one-file"
    shutil.rmtree(small, ignore_errors=True)
    (small / "strategy").mkdir(parents=True)
    (small / "strategy" / "value.yaml").write_text("stratlint: 1\nkind: value\nid: value\n", encoding="utf-8")
    client, _ = await _start(small, env)
    one = (small / "strategy" / "value.yaml").as_uri()
    client.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(one, "yaml", 1, (small / "strategy" / "value.yaml").read_text())
        )
    )
    await client.until(lambda: client.count(one) > 0)
    server = client.client._server
    assert server is not None
    memory["baseline rss"], memory["baseline pss"] = _memory_mb(server.pid)
    await _stop(client)
    return figures, memory


def render(count: int, figures: dict[str, Figure], memory: dict[str, float]) -> str:
    floor = figures["floor"].median
    lines = [f"\nstratlint lsp on {count:,} artifacts (medians of {len(figures['change'].samples)} samples)"]
    header = ("measurement", "median", "p90", "/ floor", "target")
    rows = []
    for name, figure in figures.items():
        if not figure.samples:
            continue
        target = TARGETS.get(name)
        verdict = "" if target is None else f"{target * 1000:.0f} ms: {'met' if figure.median <= target else 'NOT met'}"
        ratio = "" if name == "floor" else f"{figure.median / floor:.1f}x"
        unit = 1 if name == "start-up" else 1000
        suffix = " s" if name == "start-up" else " ms"
        rows.append(
            (figure.label, f"{figure.median * unit:.1f}{suffix}", f"{figure.p90 * unit:.1f}{suffix}", ratio, verdict)
        )
    rss, pss = memory.get("rss", 0.0), memory.get("pss", 0.0)
    base_rss, base_pss = memory.get("baseline rss", 0.0), memory.get("baseline pss", 0.0)
    rows.append(("baseline server (one-file strategy): memory", f"{base_rss:.0f} MB", f"PSS {base_pss:.0f} MB", "", ""))
    verdict = f"{MEMORY_TARGET_MB} MB: {'met' if rss < MEMORY_TARGET_MB else 'NOT met'}"
    ratio = f"{rss / base_rss:.1f}x" if base_rss else ""
    rows.append(("memory, strategy loaded (RSS)", f"{rss:.0f} MB", f"PSS {pss:.0f} MB", ratio, verdict))
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Latency of stratlint lsp on a generated strategy.")
    parser.add_argument("--count", type=int, default=10000, help="artifacts (default 10,000)")
    parser.add_argument("--samples", type=int, default=20, help="samples of each measurement (default 20)")
    parser.add_argument("--workdir", type=Path, default=None, help="where generated repositories are kept")
    parser.add_argument("--json", type=Path, default=None, help="also write the medians to this JSON file")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.gettempdir()) / "stratlint-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    figures, memory = asyncio.run(run(args.count, args.samples, workdir))
    print(render(args.count, figures, memory))
    if args.json is not None:
        medians = {name: figure.median for name, figure in figures.items() if figure.samples}
        args.json.write_text(json.dumps({"count": args.count, "medians": medians, "memory_mb": memory}, indent=2))


if __name__ == "__main__":
    main()
