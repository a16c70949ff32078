"""Fuzzing `stratlint check --format json`: it never raises and its output always parses.

In-process (the engine and the JSON reporter, which is what `check` runs) for speed, over
generated YAML and over mutated copies of the bundled strategy; then a few mutated
strategies through the real executable. Bounded: a few seconds in all.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratlint.analysis.check import lint_sources, load_lock
from stratlint.analysis.settings import Settings
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.loader import Source, StrategySources
from stratlint.load.read import DEFAULT_MAX_BYTES
from stratlint.load.strategy import read_strategy
from stratlint.report import REPORTERS, ReportOptions

from conftest import STRATEGY, run_stratlint
from yaml_strategies import dumped_yaml, mutated, yaml_fragments

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("STRATLINT_FUZZ_EXAMPLES", "200"))
"""Examples per fuzz test: small in CI; raise it (STRATLINT_FUZZ_EXAMPLES=5000) to search longer."""
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


class Bundled:
    """The bundled strategy, loaded once; each example swaps in one fuzzed file."""

    def __init__(self) -> None:
        self.settings = Settings(root=STRATEGY)
        strategy = read_strategy(STRATEGY, None, DEFAULT_MAX_BYTES)
        self.repo_root, self.root_path = strategy.repo_root, strategy.root_path
        self.loaded = [source.loaded or load_bytes(source.raw or b"", source.path) for source in strategy.sources]
        self.files = {artifact.path: (self.repo_root / artifact.path).read_bytes() for artifact in self.loaded}
        self.lock = load_lock(self.settings, self.root_path)

    def check(self, path: str, data: bytes) -> dict[str, Any]:
        fuzzed = load_bytes(data, path)
        loaded = [artifact for artifact in self.loaded if artifact.path != path] + [fuzzed]
        sources = tuple(Source(artifact.path, None, b"", artifact) for artifact in loaded)
        strategy = StrategySources(self.repo_root, self.root_path, sources)
        result = lint_sources(strategy, self.settings, self.lock).report()
        for name, reporter in REPORTERS.items():
            output = reporter(result, ReportOptions(color=name == "text"))
            assert isinstance(output, str)
        document: dict[str, Any] = json.loads(REPORTERS["json"](result, ReportOptions()))
        # Findings about the strategy as a whole (no value definition, say) name the root folder.
        paths = {artifact.path for artifact in loaded} | {self.root_path}
        _assert_well_formed(document, paths, result.exit_code)
        return document


def _assert_well_formed(document: dict[str, Any], paths: set[str], exit_code: int) -> None:
    assert set(document) == {"version", "diagnostics", "summary"}
    for diagnostic in document["diagnostics"]:
        assert diagnostic["path"] in paths
        if diagnostic["line"] is None:
            # A finding about the strategy as a whole has no line, and names the root folder.
            assert diagnostic["column"] is None
        else:
            assert diagnostic["line"] >= 1
            assert diagnostic["column"] >= 1
        assert diagnostic["code"].startswith("SL")
        assert diagnostic["message"]
    failed = any(d["severity"] == "error" for d in document["diagnostics"])
    assert exit_code == (1 if failed else 0)


@pytest.fixture(scope="module")
def bundled() -> Bundled:
    return Bundled()


@FUZZ
@given(text=yaml_fragments() | dumped_yaml())
def test_check_survives_generated_yaml(bundled: Bundled, text: str) -> None:
    document = bundled.check("strategy/fuzz.yaml", text.encode("utf-8"))
    assert document["summary"]["files"] == len(bundled.loaded) + 1


@FUZZ
@given(data=st.data())
def test_check_survives_mutated_strategy_files(bundled: Bundled, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(bundled.files)))
    bundled.check(path, data.draw(mutated(bundled.files[path])))


def _mutate(rng: random.Random, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(rng.randint(1, 5)):
        index = rng.randrange(len(data))
        choice = rng.randrange(4)
        if choice == 0:
            data[index] ^= 1 << rng.randrange(8)
        elif choice == 1:
            data[index:index] = rng.choice([b"\n", b"  ", b"- ", b": ", b"[", b"{", b"&a ", b"*a", b"\xff", b"\x00"])
        elif choice == 2:
            del data[index : index + rng.randint(1, 40)]
        else:
            start = data.rfind(b"\n", 0, index) + 1
            data[start:start] = b" " * rng.randint(1, 3)
    return bytes(data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_real_executable_survives_mutated_strategies(seed: int, strategy_copy: Path) -> None:
    rng = random.Random(seed)
    files = sorted(strategy_copy.rglob("*.yaml"))
    for path in rng.sample(files, 4):
        path.write_bytes(_mutate(rng, path.read_bytes()))
    completed = run_stratlint("check", strategy_copy, "--format", "json", cwd=strategy_copy.parent)
    assert completed.returncode in (0, 1), completed.stderr
    assert completed.stderr == ""
    document = json.loads(completed.stdout)
    paths = {f"strategy/{path.relative_to(strategy_copy).as_posix()}" for path in files} | {"strategy"}
    _assert_well_formed(document, paths, completed.returncode)


def test_fuzzed_file_is_not_silently_dropped(bundled: Bundled) -> None:
    # A sanity check on the harness: a broken file in place of a real one is reported.
    path = "strategy/value.yaml"
    document = bundled.check(path, bundled.files[path].replace(b"kind: value", b"kind: [value"))
    assert [d["path"] for d in document["diagnostics"] if d["code"] == "SL001"] == [path]


def test_harness_reads_the_bundled_strategy(bundled: Bundled) -> None:
    assert all(isinstance(artifact, LoadedArtifact) for artifact in bundled.loaded)
    assert bundled.check("strategy/value.yaml", bundled.files["strategy/value.yaml"])["diagnostics"] == []
