"""Incremental checks give exactly the result of a full run, edit after edit, and check
again only what an edit can affect (stratlint.incremental)."""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.speed.cache import CACHE_FOLDER

from conftest import STRATEGY, invoke


@pytest.fixture(autouse=True)
def _default_cache_home(home: Path) -> Path:
    return home


def _git_repo(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    root = tmp_path / "generated"
    generate(root, 300, seed=11)
    return _git_repo(root)


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    if not STRATEGY.exists():
        pytest.skip("the bundled strategy/ is not in this checkout")
    root = tmp_path / "bundled"
    shutil.copytree(STRATEGY, root / "strategy")
    return _git_repo(root)


def _check(repo: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke("check", "strategy", "--format", "json", *extra, cwd=repo)
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


def _same_as_full_run(repo: Path) -> tuple[int, dict[str, Any]]:
    incremental = _check(repo)
    assert incremental == _check(repo, "--no-cache")
    return incremental


def _rechecked(repo: Path) -> set[str]:
    """The files an incremental run loaded: those it checked again, and what they reference."""
    result = lint(Settings(root=repo / "strategy", repo_root=repo), incremental=True)
    return {artifact.path for artifact in result.graph.artifacts}


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _roadmaps(repo: Path) -> list[Path]:
    return sorted((repo / "strategy" / "product").rglob("*.yaml"))


def test_an_edit_that_changes_no_reference_rechecks_only_that_file(generated: Path) -> None:
    _same_as_full_run(generated)
    assert _rechecked(generated) == set(), "nothing changed: no file is loaded at all"
    target = _roadmaps(generated)[3]
    _edit(target, "\ntitle: ", "\ntitle: Reworded, ")
    rechecked = _rechecked(generated)
    relpath = target.relative_to(generated).as_posix()
    assert relpath in rechecked
    strategy_files = {"strategy/value.yaml", "strategy/narrative.yaml", "strategy/priorities.yaml"}
    assert rechecked - {relpath} <= strategy_files | {"strategy/governance.yaml"}
    _same_as_full_run(generated)


def test_a_finding_appears_and_goes_with_the_edit(generated: Path) -> None:
    _same_as_full_run(generated)
    target = _roadmaps(generated)[5]
    text = target.read_text(encoding="utf-8")
    rationale = re.search(r"\n    rationale:\n      value: [^\n]*", text)
    assert rationale is not None
    # Dropping an item's rationale (no reference changes) makes it almost aligned or not.
    target.write_text(text.replace(rationale.group(0), "", 1), encoding="utf-8")
    _, after = _same_as_full_run(generated)
    target.write_text(text, encoding="utf-8")
    _, restored = _same_as_full_run(generated)
    assert after != restored


def test_a_release_is_checked_again_when_an_item_it_ships_changes(bundled: Path) -> None:
    """A release reads the horizon of the items it ships: changing an item's horizon (no
    reference changes) must bring the release's finding, in the release's file."""
    _, before = _same_as_full_run(bundled)
    assert not [d for d in before["diagnostics"] if d["code"] == "SL705"]
    release = next((bundled / "strategy" / "releases").glob("*.yaml"))
    shipped = re.search(r"ships:\s*\n\s*- (\S+)", release.read_text(encoding="utf-8"))
    assert shipped is not None
    item_id = shipped.group(1)
    roadmap = next(path for path in _roadmaps(bundled) if f"id: {item_id}\n" in path.read_text(encoding="utf-8"))
    text = roadmap.read_text(encoding="utf-8")
    start = text.index(f"id: {item_id}\n")
    horizon = re.compile(r"horizon: (\S+)").search(text, start)
    assert horizon is not None
    roadmap.write_text(text[: horizon.start(1)] + "2031-Q4" + text[horizon.end(1) :], encoding="utf-8")
    assert release.relative_to(bundled).as_posix() in _rechecked(bundled)
    _, after = _same_as_full_run(bundled)
    assert [d["path"] for d in after["diagnostics"] if d["code"] == "SL705"] == [
        release.relative_to(bundled).as_posix()
    ]


_MUTATIONS = (
    ("reword a title", lambda text, rng: text.replace("\ntitle: ", "\ntitle: Reworded ", 1)),
    ("drop a line", lambda text, rng: _drop_line(text, rng)),
    ("duplicate a line", lambda text, rng: _duplicate_line(text, rng)),
    ("add a comment line", lambda text, rng: text.replace("\nowner: ", "\n# a note\nowner: ", 1)),
    ("suppress a rule on a line", lambda text, rng: text.replace("\n", "  # stratlint: disable=SL501\n", 3)),
    ("break the YAML", lambda text, rng: text.replace("\nitems:\n", "\nitems: [\n", 1)),
    ("rename an id", lambda text, rng: re.sub(r"\n  - id: (\S+)", r"\n  - id: \1-renamed", text, count=1)),
    ("retarget a reference", lambda text, rng: text.replace("narrative: [", "narrative: [pillar-nowhere, ", 1)),
)


def _drop_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def _duplicate_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return "".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_give_the_result_of_a_full_run(generated: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = sorted((generated / "strategy").rglob("*.yaml"))
    _same_as_full_run(generated)
    for _ in range(12):
        target = rng.choice(files)
        _, mutate = rng.choice(_MUTATIONS)
        if target.exists():
            target.write_text(mutate(target.read_text(encoding="utf-8"), rng), encoding="utf-8")
        _same_as_full_run(generated)
    # Files come and go.
    files[7].unlink()
    _same_as_full_run(generated)
    shutil.copy(files[8], files[8].with_name("copy.yaml"))
    _same_as_full_run(generated)


def test_a_corrupt_snapshot_is_ignored(generated: Path) -> None:
    expected = _check(generated, "--no-cache")
    assert _check(generated) == expected
    (snapshot,) = (generated / CACHE_FOLDER).glob("*.results")
    blob = snapshot.read_bytes()
    for broken in (blob[: len(blob) // 2], b"", blob[:-1] + bytes([blob[-1] ^ 1])):
        snapshot.write_bytes(broken)
        assert _check(generated) == expected
        assert _check(generated) == expected


def test_settings_and_the_lock_are_part_of_the_snapshot_key(bundled: Path) -> None:
    _same_as_full_run(bundled)
    code, ignored = _check(bundled, "--ignore", "SL501")
    assert (code, ignored) == _check(bundled, "--ignore", "SL501", "--no-cache")
    assert _check(bundled) == _check(bundled, "--no-cache")
    lock = bundled / "strategy" / "stratlint.lock"
    text = lock.read_text(encoding="utf-8")
    stamp = re.search(r"^edge \S+ \S+ \S+ ([0-9a-f]{16})$", text, re.MULTILINE)
    assert stamp is not None
    lock.write_text(text.replace(stamp.group(1), "0" * 16), encoding="utf-8")
    _, after = _same_as_full_run(bundled)
    assert any(d["code"] == "SL601" for d in after["diagnostics"]), "the changed stamp makes a reference suspect"


def test_a_pre_commit_run_with_findings_only_in_the_changed_file_does_not_lint_the_last_commit(
    bundled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stratlint.vcs import compare as comparison

    subprocess.run(["git", "-C", str(bundled), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(bundled), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"],
        check=True,
    )
    roadmap = _roadmaps(bundled)[0]
    _edit(roadmap, "\n    rationale:\n", "\n    rationale:\n      # a note\n")
    relpath = roadmap.relative_to(bundled).as_posix()
    expected = invoke("check", "strategy", relpath, "--format", "json", "--no-cache", cwd=bundled)

    def no_base(*args: object, **kwargs: object) -> None:
        raise AssertionError("the last commit was linted")

    monkeypatch.setattr(comparison, "lint_revision", no_base)
    result = invoke("check", "strategy", relpath, "--format", "json", cwd=bundled)
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)
    assert json.loads(result.stdout)["diagnostics"] == [], "the bundled strategy is clean"


def test_file_rules_conclude_on_a_graph_of_part_of_the_strategy_what_they_conclude_on_all_of_it(
    generated: Path,
) -> None:
    """An incremental run checks a file again on a graph of just that file, the value,
    narrative, priorities and governance files, and what it references, answering the
    questions about the whole strategy from every file's facts. A file rule sees only a
    FileView, which has no way to ask who references a node; so each file's findings on
    such a graph are the ones it has on the full graph."""
    from stratlint.analysis.engine import Engine
    from stratlint.graph import FileView, build_graph, file_views
    from stratlint.load.loader import SerialLoader
    from stratlint.load.read import DEFAULT_MAX_BYTES
    from stratlint.load.strategy import read_strategy
    from stratlint.rules import CheckContext
    from stratlint.speed.facts import StrategyIndex, facts_of
    from stratlint.speed.incremental import STRATEGY_KINDS, PartialLookup

    strategy = read_strategy(generated / "strategy", generated, DEFAULT_MAX_BYTES)
    engine = Engine(SerialLoader())
    full = engine.build(strategy)
    facts = {item.path: facts_of(item, full.by_path.get(item.path)) for item in full.loaded}
    index = StrategyIndex(list(facts.values()))
    first = index.first_definitions()
    context = CheckContext(datetime.date(2026, 11, 24))
    assert not hasattr(FileView, "referrers")
    in_full = {view.path: engine.check_files([view], context) for view in file_views(full)}
    for path in facts:
        wanted = {path} | {other.path for other in facts.values() if other.kind in STRATEGY_KINDS}
        frontier = set(wanted)
        while frontier:
            targets = {target for each in frontier for target in facts[each].targets}
            frontier = {first[target][1] for target in targets if target in first} - wanted
            wanted |= frontier
        part = build_graph([item for item in full.loaded if item.path in wanted], full.root_path)
        (item,) = [item for item in part.loaded if item.path == path]
        view = FileView(item, part.by_path.get(path), PartialLookup(part, index))
        assert engine.check_files([view], context) == in_full[path], path
    assert any(in_full.values()), "the generated strategy has findings in some files"
