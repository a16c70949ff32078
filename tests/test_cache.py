"""The load cache never changes results: cached, uncached, corrupt, foreign and concurrent
runs all give the same output; --no-cache writes nothing; the strategy folder is never
written to."""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from stratlint.analysis.settings import Settings
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.extra_schema import ExtraSchema
from stratlint.speed.cache import CACHE_FOLDER, LoadCache, pack, settings_key, unpack

from conftest import PROJECT, STRATEGY, Templates, invoke


def _git_repo(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def _bundled(folder: Path) -> None:
    root = folder / "repo"
    shutil.copytree(STRATEGY, root / "strategy")
    # One broken reference, so findings (and their positions) are compared too.
    roadmap = next((root / "strategy" / "product").glob("*.yaml"))
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace("priority: ", "priority: x", 1), encoding="utf-8")
    _git_repo(root)


def _generated(folder: Path) -> None:
    root = folder / "repo"
    generate(root, 400, seed=7)
    _git_repo(root)


@pytest.fixture(params=["bundled", "generated"])
def repo(request: pytest.FixtureRequest, tmp_path: Path, home: Path, templates: Templates) -> Path:
    """A git repository holding strategy/: the bundled example, or a generated one with
    every kind of finding the generator makes."""
    if request.param == "bundled" and not STRATEGY.exists():
        pytest.skip("the bundled strategy/ is not in this checkout")
    templates.fill(f"cache-{request.param}", _bundled if request.param == "bundled" else _generated, tmp_path)
    return tmp_path / "repo"


def _check(repo: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = invoke("check", "strategy", "--format", "json", *extra, cwd=repo)
    return result.exit_code, json.loads(result.stdout), result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _cache_files(repo: Path) -> list[Path]:
    return sorted((repo / CACHE_FOLDER).glob("*.cache"))


def _drop_results(repo: Path) -> None:
    """Remove the last check's result snapshot (stratlint.incremental), so that the next run
    loads files, and the load cache is what is under test."""
    for path in (repo / CACHE_FOLDER).glob("*.results"):
        path.unlink()


def test_cached_and_uncached_runs_give_identical_output(repo: Path) -> None:
    before = _files(repo / "strategy")
    uncached = _check(repo, "--no-cache")
    cold = _check(repo)
    assert _cache_files(repo), "the first run with the cache stores its entries"
    warm = _check(repo)
    assert uncached == cold == warm
    assert uncached[1]["diagnostics"], "the strategy under test has findings, so positions are compared too"
    assert _files(repo / "strategy") == before, "the strategy folder is never written to"


def test_a_run_after_an_edit_sees_the_edit(repo: Path) -> None:
    _check(repo)
    target = sorted((repo / "strategy").rglob("*.yaml"))[-1]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("\nid: ", "\nidd: ", 1), encoding="utf-8")
    cached = _check(repo)
    assert cached == _check(repo, "--no-cache")
    assert any(item["path"].endswith(target.name) and item["code"] == "SL003" for item in cached[1]["diagnostics"])


def test_the_cache_folder_stays_out_of_git(repo: Path) -> None:
    _check(repo)
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert CACHE_FOLDER not in status
    assert (repo / CACHE_FOLDER / ".gitignore").exists()


def test_no_cache_writes_nothing(repo: Path, home: Path) -> None:
    before = _files(repo)
    _check(repo, "--no-cache")
    assert _files(repo) == before
    assert not (home / ".cache").exists()


def _corruptions() -> dict[str, Any]:
    return {
        "truncated": lambda blob: blob[: len(blob) // 2],
        "empty": lambda blob: b"",
        "garbled": lambda blob: blob[:100] + bytes(b ^ 0x5A for b in blob[100:400]) + blob[400:],
        "one byte flipped at the end": lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),
        "random": lambda blob: os.urandom(len(blob)),
        "another file format": lambda blob: b'{"entries": []}',
    }


@pytest.mark.parametrize("corruption", list(_corruptions()))
def test_a_corrupt_cache_is_ignored_and_rewritten(repo: Path, corruption: str) -> None:
    expected = _check(repo, "--no-cache")
    _check(repo)
    (cache_file,) = _cache_files(repo)
    cache_file.write_bytes(_corruptions()[corruption](cache_file.read_bytes()))
    _drop_results(repo)
    assert _check(repo) == expected
    assert _check(repo) == expected
    assert LoadCache.open(cache_file.parent, repo / "strategy", _key(repo)).entries, "the cache was rewritten"  # type: ignore[union-attr]


def _key(repo: Path) -> str:
    return settings_key(Settings(root=repo / "strategy"))


def test_well_signed_entries_that_do_not_fit_are_ignored(repo: Path) -> None:
    expected = _check(repo, "--no-cache")
    _check(repo)
    (cache_file,) = _cache_files(repo)
    cache = LoadCache.open(cache_file.parent, repo / "strategy", _key(repo))
    assert cache is not None and cache.entries
    misfits = [
        marshal.dumps(("no-such-kind", {"x": 1}, (("bad",),), 7, "not positions")),
        marshal.dumps(("value", {"stratlint": 1}, (), "", None)),
        marshal.dumps(None),
        b"not marshal at all",
    ]
    for index, content in enumerate(cache.entries):
        cache.entries[content] = misfits[index % len(misfits)]
    cache.used, cache.added = set(cache.entries), len(cache.entries)
    cache.save()
    _drop_results(repo)
    assert _check(repo) == expected


def test_a_cache_written_by_someone_else_is_ignored(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache file committed to a repository, or copied from another machine, is signed
    with another key: it is not read."""
    expected = _check(repo, "--no-cache")
    _check(repo)
    (cache_file,) = _cache_files(repo)
    cache = LoadCache.open(cache_file.parent, repo / "strategy", _key(repo))
    assert cache is not None
    # Someone else's cache claims every file is an empty, valid value definition.
    for content in cache.entries:
        cache.entries[content] = marshal.dumps(("value", None, (), "", None))
    other_home = tmp_path / "other-home"
    other_home.mkdir()
    monkeypatch.setenv("HOME", str(other_home))
    forged = LoadCache.open(cache_file.parent, repo / "strategy", _key(repo))
    assert forged is not None
    forged.entries, forged.used, forged.added = cache.entries, set(cache.entries), len(cache.entries)
    forged.save()
    _drop_results(repo)
    assert LoadCache.open(cache_file.parent, repo / "strategy", _key(repo)).entries  # type: ignore[union-attr]
    monkeypatch.setenv("HOME", str(repo.parent / "home"))
    assert _check(repo) == expected


def test_xdg_cache_home_holds_the_cache_when_set(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    expected = _check(repo, "--no-cache")
    assert _check(repo) == expected
    assert list((xdg / "stratlint").glob("*.cache"))
    assert not (repo / CACHE_FOLDER).exists()
    assert _check(repo) == expected


def test_without_a_git_repository_the_strategy_folder_is_not_written(tmp_path: Path, home: Path) -> None:
    generate(tmp_path, 60, seed=3)
    before = _files(tmp_path / "strategy")
    expected = _check(tmp_path, "--no-cache")
    assert _check(tmp_path) == expected == _check(tmp_path)
    assert _files(tmp_path / "strategy") == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["home", "strategy"]
    assert list((home / ".cache" / "stratlint").glob("*.cache"))


@pytest.mark.slow
def test_concurrent_runs_agree_and_leave_a_whole_cache(repo: Path) -> None:
    expected = _check(repo, "--no-cache")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "stratlint", "check", "strategy", "--format", "json"]
    for _ in range(3):
        shutil.rmtree(repo / CACHE_FOLDER, ignore_errors=True)
        runs = [
            subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        for run in runs:
            stdout, stderr = run.communicate(timeout=120)
            assert stderr == ""
            assert (run.returncode, json.loads(stdout)) == expected[:2]
        assert not list((repo / CACHE_FOLDER).glob(".*.tmp")), "no temporary file is left behind"
        assert _check(repo) == expected


def test_the_key_changes_with_every_setting_that_changes_loading(tmp_path: Path) -> None:
    assert _key(tmp_path) == _key(tmp_path)
    assert settings_key(Settings(root=tmp_path, max_file_size=10)) != _key(tmp_path)
    assert settings_key(Settings(root=tmp_path, cache=False)) == _key(tmp_path), "only load settings count"
    persona = ExtraSchema.build("messaging", "persona.json", {"required": ["messages"]})
    with_schema = Settings(root=tmp_path, extra_schemas={"messaging": persona})
    assert settings_key(with_schema) != _key(tmp_path), "the organisation's schemas change load results"


def test_packing_keeps_every_field_of_a_load_result() -> None:
    """A new field on LoadedArtifact must be packed too: this test names them all."""
    assert {item.name for item in dataclasses.fields(LoadedArtifact)} == {
        "path",
        "kind",
        "model",
        "source_map",
        "problems",
        "text",
        "data",
        "declared_ids",
        "partial",
        "renumbered",
    }
    samples = [
        b"stratlint: 1\nkind: value\nid: value\nsegments:\n  - id: seg-a\n    name: A\n",
        b"stratlint: 1\nkind: value\nid: value\nsegmets: []\n",
        b"stratlint: 1\nkind: nope\nid: x\n",
        b"a: 1\na: 2\n",
        b"- just\n- a list\n",
        b"\xff\xfe",
        b"",
    ]
    for raw in samples:
        loaded = load_bytes(raw, "strategy/x.yaml")
        again = unpack(pack(loaded, raw), "strategy/x.yaml", raw)
        assert again == dataclasses.replace(loaded, data=None)


@pytest.mark.slow
def test_what_keys_a_runs_conclusions_reads_the_same_in_every_process() -> None:
    """The snapshot of a run is keyed by the repr of its settings: a set in them, whose
    order changes with the process's hash seed, would make every run a cold one."""
    script = (
        "from pathlib import Path\n"
        "from stratlint.config import CommandLineOptions, resolve_settings\n"
        "s = resolve_settings(Path('strategy'), CommandLineOptions())\n"
        "print(repr((s.policy, s.rule_options, s.rule_set)))\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(seen) == 1, seen
    assert "SL606" in seen.pop()  # the bundled strategy selects opt-in rules: the set that was unordered
