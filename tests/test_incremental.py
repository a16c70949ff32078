"""Incremental checks give exactly the result of a full run, edit after edit, and check
again only what an edit can affect (stratlint.incremental)."""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.config import resolve_settings
from stratlint.diagnostics import Diagnostic
from stratlint.speed.cache import CACHE_FOLDER

from conftest import STRATEGY, check_in, invoke


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


def _same_as_full_run(repo: Path) -> tuple[int, dict[str, Any]]:
    incremental = check_in(repo)
    assert incremental == check_in(repo, "--no-cache")
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


# -- an edit that changes only what a file references ----------------------------------------


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The paths of the files each call of the file rules checked, call by call."""
    from stratlint.analysis.engine import Engine

    calls: list[list[str]] = []
    check_files = Engine.check_files

    def counted(self: Engine, views: Any, context: Any) -> Any:
        views = list(views)
        calls.append([view.path for view in views])
        return check_files(self, views, context)

    monkeypatch.setattr(Engine, "check_files", counted)
    return calls


def _same_report(repo: Path) -> list[Diagnostic]:
    """The incremental run's report (findings, silenced findings, summary) is a full run's;
    returns the silenced findings."""
    settings = resolve_settings(repo / "strategy")  # as the command's: the snapshot is the one it keeps
    report = lint(settings, incremental=True).report()
    assert report == lint(replace(settings, cache=False)).report()
    return [silenced.diagnostic for silenced in report.silenced]


def _reaching(repo: Path, paths: set[str]) -> set[str]:
    """``paths``, and the files whose entries reach a node of one of them, reference after
    reference: read off a full graph, not the facts the incremental run keeps."""
    graph = lint(Settings(root=repo / "strategy", repo_root=repo, cache=False)).graph
    found = set(paths)
    while True:
        more = {edge.source.artifact.path for edge in graph.edges if edge.target and edge.target.artifact.path in found}
        if more <= found:
            return found
        found |= more


CLOSE_AUTOMATION = "strategy/product/close-automation.yaml"
NARRATIVE = "strategy/narrative.yaml"
RELEASE = "strategy/releases/flux-explanations-v2.yaml"
FLUX_NARRATIVE = "narrative: [claim.flux-drafted, claim.ai-shows-its-work]"
"""What the one roadmap item that backs claim.flux-drafted tells (the release ships it)."""


def _found(report: dict[str, Any], code: str) -> list[str]:
    return [d["path"] for d in report["diagnostics"] if d["code"] == code]


def test_an_edit_of_only_what_a_file_references_rechecks_it_and_what_references_it(
    bundled: Path, checked: list[list[str]]
) -> None:
    """Another claim for the one item that backs claim.flux-drafted: the claim is unbacked
    now (a strategy-wide finding, in the narrative), and the release that ships the item
    has no enablement play for it any more (a file rule's finding, in the release);
    restoring the reference takes both away. Each time, the file rules check the roadmap,
    the files that reference its items and the narrative (whose strategy-wide findings
    changed) in one call, not the strategy."""
    _same_as_full_run(bundled)
    every = set(checked[-1])
    expected = _reaching(bundled, {CLOSE_AUTOMATION}) | {NARRATIVE}
    assert RELEASE in expected
    assert len(expected) < len(every) * 0.5
    roadmap = bundled / CLOSE_AUTOMATION
    text = roadmap.read_text(encoding="utf-8")
    _edit(roadmap, FLUX_NARRATIVE, "narrative: [claim.close-in-five-days, claim.ai-shows-its-work]")
    checked.clear()
    code, after = check_in(bundled)
    assert [set(paths) for paths in checked] == [expected]
    assert (code, after) == check_in(bundled, "--no-cache")
    assert _found(after, "SL301") == [NARRATIVE]
    assert RELEASE in _found(after, "SL702")
    _same_report(bundled)
    roadmap.write_text(text, encoding="utf-8")
    checked.clear()
    code, restored = check_in(bundled)
    assert [set(paths) for paths in checked] == [expected]
    assert (code, restored) == check_in(bundled, "--no-cache")
    assert not _found(restored, "SL301") and not _found(restored, "SL702")
    _same_report(bundled)


def test_a_comment_in_another_file_silences_the_strategy_wide_finding_a_reference_brings(
    bundled: Path, checked: list[list[str]]
) -> None:
    """The narrative's comment silences nothing (an unused suppression) until the item's
    reference goes and the claim is unbacked; then it silences that, and is used."""
    narrative = bundled / NARRATIVE
    _edit(
        narrative,
        "      - id: claim.flux-drafted\n",
        "      - id: claim.flux-drafted  # stratlint: disable=unbacked-claim -- told before it ships\n",
    )
    _, before = _same_as_full_run(bundled)
    assert _found(before, "SL901") == [NARRATIVE]
    roadmap = bundled / CLOSE_AUTOMATION
    text = roadmap.read_text(encoding="utf-8")
    _edit(roadmap, FLUX_NARRATIVE, "narrative: [claim.ai-shows-its-work]")
    checked.clear()
    silenced = _same_report(bundled)  # the silenced findings too
    incremental, full = checked
    assert NARRATIVE in incremental and len(incremental) < len(full) * 0.5
    assert [(d.code, d.path) for d in silenced] == [("SL301", NARRATIVE)]
    _, after = _same_as_full_run(bundled)
    assert not _found(after, "SL301") and not _found(after, "SL901")
    roadmap.write_text(text, encoding="utf-8")
    checked.clear()
    assert _same_report(bundled) == []
    incremental, full = checked
    assert NARRATIVE in incremental and len(incremental) < len(full) * 0.5
    _, restored = _same_as_full_run(bundled)
    assert restored == before


def test_a_reference_retargeted_onto_an_unknown_id(bundled: Path, checked: list[list[str]]) -> None:
    _same_as_full_run(bundled)
    _edit(bundled / CLOSE_AUTOMATION, FLUX_NARRATIVE, "narrative: [claim.flux-drafed, claim.ai-shows-its-work]")
    checked.clear()
    _, after = _same_as_full_run(bundled)
    incremental, full = checked
    assert len(incremental) < len(full) * 0.5
    (dangling,) = [d for d in after["diagnostics"] if d["code"] == "SL201"]
    assert dangling["path"] == CLOSE_AUTOMATION and "did you mean 'claim.flux-drafted'" in dangling["message"]
    assert _found(after, "SL301") == [NARRATIVE]
    _same_report(bundled)


def test_a_new_reference_into_a_file_that_did_not_load_is_in_the_notes(bundled: Path, checked: list[list[str]]) -> None:
    """The notes count the references into a file that could not be read: one more is a
    reference-only edit of the release, and the note says so."""
    _edit(bundled / "strategy/marketing/launches.yaml", "\nowner: ", "\nowner: [")
    _, before = _same_as_full_run(bundled)
    _edit(
        bundled / RELEASE,
        "  - launch.flux-explanations-v2\n",
        "  - launch.flux-explanations-v2\n  - launch.auditor-portal\n",
    )
    checked.clear()
    _, after = _same_as_full_run(bundled)
    incremental, full = checked
    assert len(incremental) < len(full) * 0.5
    assert [note for note in after["summary"]["notes"] if note.startswith("2 references point into")]
    assert after["summary"]["notes"] != before["summary"]["notes"]
    _same_report(bundled)


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


def _repoint(text: str, rng: random.Random, ids: dict[str, list[str]]) -> str:
    """``text`` with one reference in a flow list (``[a, b]``) pointed at another node of
    the same kind (ids share their prefix), declared somewhere in the strategy."""
    spots = [m for m in re.finditer(r"(?<=[\[ ])[\w.-]+(?=[,\]])", text) if m.group(0) in ids]
    if not spots:
        return text
    spot = rng.choice(spots)
    others = [other for other in ids[spot.group(0)] if other != spot.group(0)]
    return text if not others else text[: spot.start()] + rng.choice(others) + text[spot.end() :]


def _declared_ids(files: list[Path]) -> dict[str, list[str]]:
    """Each id declared in ``files`` -> the ids declared there with its prefix (its kind)."""
    declared = sorted(
        {
            found
            for path in files
            for found in re.findall(r"^ *(?:- )?id: (\S+)$", path.read_text(encoding="utf-8"), re.M)
        }
    )
    kind = {node_id: re.split(r"[.-]", node_id, maxsplit=1)[0] for node_id in declared}
    return {node_id: [other for other in declared if kind[other] == kind[node_id]] for node_id in declared}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_give_the_result_of_a_full_run(generated: Path, seed: int, checked: list[list[str]]) -> None:
    """Any edit, and every other one a reference pointed at another node of its kind (the
    usual edit of a pull request): some of those are checked again on a few files only."""
    rng = random.Random(seed)
    files = sorted((generated / "strategy").rglob("*.yaml"))
    ids = _declared_ids(files)
    _same_as_full_run(generated)
    every = len(checked[-1])
    partial = 0
    for step in range(16):
        target = rng.choice(files)
        mutate = rng.choice(_MUTATIONS)[1] if step % 2 else (lambda text, rng: _repoint(text, rng, ids))
        if target.exists():
            target.write_text(mutate(target.read_text(encoding="utf-8"), rng), encoding="utf-8")
        checked.clear()
        _same_as_full_run(generated)
        partial += not step % 2 and len(checked) == 2 and len(checked[0]) < every
    assert partial >= 2, "too few re-pointed references were checked again on a few files only"
    # Files come and go.
    files[7].unlink()
    _same_as_full_run(generated)
    shutil.copy(files[8], files[8].with_name("copy.yaml"))
    _same_as_full_run(generated)


def test_a_corrupt_snapshot_is_ignored(generated: Path) -> None:
    expected = check_in(generated, "--no-cache")
    assert check_in(generated) == expected
    (snapshot,) = (generated / CACHE_FOLDER).glob("*.results")
    blob = snapshot.read_bytes()
    for broken in (blob[: len(blob) // 2], b"", blob[:-1] + bytes([blob[-1] ^ 1])):
        snapshot.write_bytes(broken)
        assert check_in(generated) == expected
        assert check_in(generated) == expected


def test_settings_and_the_lock_are_part_of_the_snapshot_key(bundled: Path) -> None:
    _same_as_full_run(bundled)
    code, ignored = check_in(bundled, "--ignore", "SL501")
    assert (code, ignored) == check_in(bundled, "--ignore", "SL501", "--no-cache")
    assert check_in(bundled) == check_in(bundled, "--no-cache")
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
