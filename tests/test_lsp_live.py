"""The language server's strategy in memory (stratlint.lsp.live) reports what ``stratlint
check`` reports: on every rule fixture as loaded, and after editing a clean strategy into
each fixture's bad one buffer by buffer (file rules on each change, strategy rules on
save), and back again when the buffers are closed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.load.artifact import load_bytes
from stratlint.lsp.live import LiveStrategy, relocate
from stratlint.lsp.patch import part_of

from rules_harness import BASE, FIXTURES, STRATEGY, TODAY, build_tree, describe, fixture_files, lint_tree

FIXTURE_DIRS = sorted(
    path
    for path in FIXTURES.glob("SL*/*")
    if path.is_dir() and not (path / "standalone.txt").exists() and not (path / "make.py").exists()
)


def _key(diagnostic: Diagnostic) -> tuple[object, ...]:
    span = diagnostic.span
    return (
        diagnostic.path,
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        diagnostic.code,
        diagnostic.message,
    )


def _same(live: list[Diagnostic], check: list[Diagnostic]) -> None:
    assert sorted(map(_key, live)) == sorted(map(_key, check)), f"live:\n{describe(live)}\ncheck:\n{describe(check)}"


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_live_strategy_reports_what_check_reports(fixture: Path, tmp_path: Path) -> None:
    build_tree(fixture, tmp_path)
    live = LiveStrategy.open(tmp_path, today=TODAY)
    _same(live.all_findings(), lint_tree(tmp_path))


EDITED = [path for path in FIXTURE_DIRS if path.name == "bad" and not (path / "stratlint.toml").exists()]


@pytest.mark.parametrize("fixture", EDITED, ids=lambda path: path.parent.name)
def test_editing_buffers_into_a_fixture_reports_what_check_reports(fixture: Path, tmp_path: Path) -> None:
    """The base strategy is open; each file of the fixture is typed into its buffer (a new
    file is a buffer not yet saved); after a save the findings are the fixture's. Closing
    the buffers without saving gives the base strategy's findings again."""
    bad = tmp_path / "bad"
    bad.mkdir()
    build_tree(fixture, bad)
    base = tmp_path / "base"
    shutil.copytree(BASE, base / STRATEGY)
    # The lock is read from disk, not typed: both trees have the fixture's.
    shutil.copyfile(bad / STRATEGY / "stratlint.lock", base / STRATEGY / "stratlint.lock")
    live = LiveStrategy.open(base, today=TODAY)
    opened: list[str] = []
    for relative in fixture_files(fixture):
        if relative.name.endswith(".delete"):
            pytest.skip("the fixture deletes a file: that is a change on disk, not in a buffer")
        path = f"{STRATEGY}/{relative.as_posix()}"
        if relative.name == "stratlint.lock":
            continue
        live.set_text(path, (fixture / relative).read_bytes())
        opened.append(path)
    live.check_strategy()
    _same(live.all_findings(), lint_tree(bad))
    for path in opened:
        live.close(path)
    live.check_strategy()
    _same(live.all_findings(), lint_tree(base))


def test_a_strategy_finding_moves_with_its_node_until_the_next_save() -> None:
    before = b"stratlint: 1\nkind: value\nid: value\nsegments:\n  - id: seg.a\n    name: A\n"
    after = b"stratlint: 1\nkind: value\nid: value\n\n# a comment\nsegments:\n  - id: seg.a\n    name: A\n"
    then, now = (load_bytes(data, "value.yaml").source_map for data in (before, after))
    finding = Diagnostic(
        "SL304", "orphan-node", Severity.WARNING, "orphan", "value.yaml", then.span("/segments/0/id"), "/segments/0"
    )
    moved = relocate(finding, then, now)
    assert moved.span.line == finding.span.line + 2
    assert relocate(finding, then, then) is finding


def test_a_buffer_hides_the_file_on_disk_until_closed(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / STRATEGY)
    live = LiveStrategy.open(tmp_path, today=TODAY)
    path = next(p for p in live.paths() if p.endswith(".yaml") and "product" in p)
    disk = (tmp_path / path).read_bytes()
    live.set_text(path, disk.replace(b"id: ", b"id: x", 1))
    assert live.reread(path).changed is False  # the buffer stands for the file
    assert live.close(path).changed is True
    part = live.part(path)
    assert part is not None and part.loaded.text.encode() == disk
    assert part_of(load_bytes(disk, path), live.root_path).signature() == part.signature()
