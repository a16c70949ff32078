"""The quick loading path and the parallel one give exactly what the full, serial loader
gives; the benchmark generator is deterministic."""

from __future__ import annotations

import json
import marshal
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import CORE_FILES, generate, generate_files
from stratlint.load.artifact import load_bytes
from stratlint.load.yaml import MAX_DEPTH, parse_simple, parse_yaml
from stratlint.speed.cache import packed
from stratlint.speed.parallel import load_contents

from conftest import PROJECT, SHARED, STRATEGY, invoke

TRICKY = {
    "duplicate key": b"a: 1\na: 2\n",
    "plain and quoted duplicate": b'a: 1\n"a": 2\n',
    "1 and true collide": b"1: a\ntrue: b\n",
    "null key": b"~: a\nb: c\n",
    "number key": b"2: a\n",
    "merge key": b"base: &b {x: 1}\nother:\n  <<: *b\n",
    "alias": b"a: &x [1, 2]\nb: *x\n",
    "anchor only": b"a: &x [1, 2]\n",
    "python tag": b"a: !!python/object/apply:os.system [ls]\n",
    "local tag": b"a: !Ref x\n",
    "non-specific tag": b"a: ! 12\n",
    "explicit str tag": b"a: !!str 12\n",
    "explicit map tag": b"a: !!map {b: 1}\n",
    "yaml 1.1 directive": b"%YAML 1.1\n---\na: no\n",
    "yaml 1.2 directive": b"%YAML 1.2\n---\na: no\n",
    "two documents": b"a: 1\n---\nb: 2\n",
    "empty": b"",
    "comment only": b"# nothing\n",
    "complex key": b"? [a, b]\n: c\n",
    "mapping key": b"{a: 1}: b\n",
    "syntax error": b"a: [1, 2\n",
    "deep": b"a: " + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"\n",
    "just deep enough": b"a: " + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"\n",
    "very deep": b"[" * 20000 + b"]" * 20000,
    "scalars": b"a: [1, -2, 0o17, 0x1F, 1.5, .inf, -.inf, .nan, true, False, null, ~, no, on, 2026-01-01, '3', ' x']\n",
    "keys that look special": b"null_ish: 1\ntrue_ish: 2\nno: 3\n'true': 4\n",
    "plain list": b"- a\n- b\n",
    "scalar document": b"just text\n",
    "unicode": "name: caf\u00e9 \u2014 d\u00e9j\u00e0 vu\n".encode(),
    "bom": b"\xef\xbb\xbfa: 1\n",
    "block scalars": b"a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
}


def _corpus() -> list[Path]:
    suite = SHARED / "corpora" / "yaml-test-suite"
    return sorted(suite.glob("*/in.yaml")) + sorted(suite.glob("*/*/in.yaml")) if suite.exists() else []


def _samples() -> list[tuple[str, bytes]]:
    found = [(f"tricky: {name}", data) for name, data in TRICKY.items()]
    for folder in (STRATEGY, PROJECT / "tests" / "fixtures"):
        if folder.exists():
            found += [(str(path.relative_to(PROJECT)), path.read_bytes()) for path in sorted(folder.rglob("*.y*ml"))]
    found += [(str(path.relative_to(SHARED)), path.read_bytes()) for path in _corpus()]
    return found


def _same(left: Any, right: Any) -> bool:
    """Equal, with NaN equal to itself and types compared too (1 is not True)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


def test_the_quick_path_gives_what_the_full_parser_gives_or_declines() -> None:
    samples = _samples()
    taken = 0
    for name, data in samples:
        quick = parse_simple(data)
        if quick is None:
            continue
        taken += 1
        full = parse_yaml(data)
        assert full.problems == [], f"{name}: the quick path took a file the full parser reports"
        assert quick.problems == []
        assert _same(quick.data, full.data), name
        assert quick.source_map.is_deferred
        assert quick.source_map == full.source_map, name
        text = data.decode("utf-8", "replace")
        from_text = parse_simple(data, text)
        assert from_text is not None and from_text.source_map == full.source_map, name
    assert taken >= 20, "the quick path takes ordinary files"


@pytest.mark.parametrize(
    "name",
    [
        name
        for name in TRICKY
        if name not in {"anchor only", "plain list", "scalar document", "scalars", "keys that look special"}
        and name not in {"unicode", "bom", "block scalars", "just deep enough", "non-specific tag"}
    ],
)
def test_the_quick_path_declines_what_needs_the_full_parser(name: str) -> None:
    assert parse_simple(TRICKY[name]) is None


def _generated(tmp_path: Path, count: int = 240) -> list[tuple[str, bytes]]:
    strategy = generate(tmp_path, count, seed=11)
    items = [(path.relative_to(tmp_path).as_posix(), path.read_bytes()) for path in sorted(strategy.rglob("*.yaml"))]
    return items + [(f"tricky/{index}.yaml", data) for index, data in enumerate(TRICKY.values())]


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_loading_gives_what_serial_loading_gives(tmp_path: Path, jobs: int) -> None:
    items = _generated(tmp_path)
    serial = [artifact for artifact, _ in load_contents(items, 1)]
    parallel = load_contents(items, jobs)
    assert any(entry is not None for _, entry in parallel), "workers did load some files"
    assert [artifact.path for artifact, _ in parallel] == [relpath for relpath, _ in items]
    for expected, (artifact, _) in zip(serial, parallel, strict=True):
        expected.data = artifact.data = None  # kept only while the cache needs it
        assert artifact == expected, artifact.path


def test_parallel_and_serial_checks_print_the_same(tmp_path: Path) -> None:
    generate(tmp_path, 300, seed=5)
    outputs = []
    for jobs in ("1", "2"):
        result = invoke("check", "strategy", "--format", "json", "--no-cache", "--jobs", jobs, cwd=tmp_path)
        outputs.append((result.exit_code, json.loads(result.stdout)))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]["summary"]["files"] == 300
    assert outputs[0][1]["diagnostics"], "the generated strategy has findings, so positions are compared too"


def test_the_generator_is_deterministic_for_a_seed() -> None:
    first = generate_files(120, seed=4)
    assert first == generate_files(120, seed=4)
    assert first != generate_files(120, seed=5)
    assert len(first) == 120
    assert len(generate_files(CORE_FILES, seed=4)) == CORE_FILES


def test_generated_files_have_the_shape_of_a_real_strategy(tmp_path: Path) -> None:
    files = generate_files(600, seed=1)
    sizes = [len(text.encode()) for path, text in files.items() if "/" in path]
    assert 900 <= sum(sizes) / len(sizes) <= 1600, "about 1.2 KB a file"
    generate(tmp_path, 600, seed=1, git=True)
    assert (tmp_path / ".git").exists()
    result = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=tmp_path)
    document = json.loads(result.stdout)
    codes = {item["code"] for item in document["diagnostics"]}
    assert not codes & {"SL001", "SL004", "SL005", "SL101", "SL102", "SL104", "SL106"}, codes
    assert "SL201" in codes, "a few references carry typos, so suggestions are computed"
    overall = document["summary"]["alignment"]["overall"]
    assert overall["entries"] > 600 and overall["value"] == overall["entries"], "references resolve"


def test_loading_stays_in_this_process_while_other_threads_run(tmp_path: Path) -> None:
    import threading

    items = _generated(tmp_path, 40)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        results = load_contents(items, 2)
    finally:
        release.set()
        other.join()
    assert all(entry is None for _, entry in results), "nothing was forked"
    assert [artifact.path for artifact, _ in results] == [relpath for relpath, _ in items]


def test_files_a_dead_worker_did_not_send_are_loaded_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from stratlint.speed import parallel

    def dies_after_one_batch(sender: Any) -> None:
        number = parallel._claim(len(parallel._ITEMS))
        assert number is not None
        batch = parallel._ITEMS[number * parallel._CHUNK : (number + 1) * parallel._CHUNK]
        sender.send_bytes(marshal.dumps((number, [packed(load_bytes(raw, relpath), raw) for relpath, raw in batch])))
        parallel._claim(len(parallel._ITEMS))  # claims a second chunk,
        os._exit(1)  # and dies without sending it, the rest, or the end mark

    monkeypatch.setattr(parallel, "_work", dies_after_one_batch)
    items = _generated(tmp_path, 120)
    expected = [artifact for artifact, _ in load_contents(items, 1)]
    results = load_contents(items, 3)
    assert [artifact.path for artifact, _ in results] == [relpath for relpath, _ in items]
    for want, (got, _) in zip(expected, results, strict=True):
        want.data = got.data = None
        assert got == want


def test_a_clean_run_never_builds_positions(strategy_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions of quickly loaded files are built only when a finding needs them. A stage that
    asks for them anyway (as suppression parsing once did for every file) undoes the quick
    path; this catches it without timing anything."""
    from stratlint.analysis.check import lint
    from stratlint.analysis.settings import Settings
    from stratlint.load.source_map import SourceMap

    built: list[int] = []
    real = SourceMap._build

    def counting(self: SourceMap) -> None:
        built.append(1)
        real(self)

    monkeypatch.setattr(SourceMap, "_build", counting)
    result = lint(Settings(root=strategy_copy, repo_root=strategy_copy.parent, cache=False))
    assert result.diagnostics == ()
    quick = sum(1 for artifact in result.graph.loaded if artifact.source_map.is_deferred)
    assert quick > 0, "the bundled strategy should mostly take the quick path"
    assert built == []


@pytest.mark.parametrize("jobs", [1, 3])
def test_what_the_cache_would_store_loads_back_to_the_same_artifact(tmp_path: Path, jobs: int) -> None:
    """Workers leave validation to this process: an entry it accepts as it came must load
    back (as a cache hit) to the very artifact, for valid and invalid files alike, with an
    organisation's schema too."""
    from stratlint.load.extra_schema import ExtraSchema
    from stratlint.speed.cache import packed, unpack

    items = _generated(tmp_path)
    extra = {"roadmap": ExtraSchema.build("roadmap", "short.json", {"properties": {"title": {"maxLength": 25}}})}
    raws = dict(items)
    results = load_contents(items, jobs, extra)
    assert any(artifact.problems for artifact, _ in results), "the sample has broken files"
    assert any(problem.kind == "extra-schema-violation" for artifact, _ in results for problem in artifact.problems)
    for artifact, entry in results:
        blob = entry if entry is not None else packed(artifact, raws[artifact.path])
        again = unpack(marshal.loads(blob), artifact.path, raws[artifact.path])
        artifact.data = None
        assert again == artifact, artifact.path
