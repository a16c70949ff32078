"""Start-up imports only what the command needs: a heavy module imported on start-up is a
cost every commit, pull request and keystroke pays. The figures are in the benchmark
(benchmarks/run.py); this checks which modules load, which does not depend on the machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

NEVER_ON_START_UP = (
    "jsonschema",
    "referencing",
    "jinja2",
    "pygls",
    "ruamel",
    "hypothesis",
    "pathspec",
    "urllib.request",
    "http",
    "ssl",
)
"""Needed only by extra schemas, the HTML report, the language server, the formatter, per-path
ignores, or not at all (urllib.request, and with it http and ssl, for the path of a file URL)."""

ONLY_TO_FORK = ("multiprocessing",)
"""Needed only by a run that loads many files on several cores."""

NOT_FOR_VERSION = ("pydantic", "yaml", "stratlint.model", "stratlint.rules", "stratlint.analysis", "stratlint.load")


def _run(args: tuple[str, ...], cwd: Path) -> set[str]:
    """The modules ``stratlint ARGS`` imports, as ``python -X importtime`` lists them."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stratlint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    return {match.group(1) for match in re.finditer(r"^import time:.*\|\s*([\w.]+)$", completed.stderr, re.M)}


def _top(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if any(module == name or module.startswith(name + ".") for module in modules))


def test_version_imports_only_the_command_line(tmp_path: Path) -> None:
    modules = _run(("--version",), tmp_path)
    assert "stratlint.cli" in modules  # the measurement sees stratlint's own imports
    assert _top(modules, NEVER_ON_START_UP + NOT_FOR_VERSION) == []


@pytest.mark.parametrize("strategy", ["empty", "bundled"])
def test_check_imports_no_module_it_does_not_use(tmp_path: Path, strategy_copy: Path, strategy: str) -> None:
    if strategy == "empty":
        target = tmp_path / "empty"
        target.mkdir()
    else:
        target = strategy_copy
    modules = _run(("check", str(target), "--no-cache"), tmp_path)
    assert "stratlint.analysis.engine" in modules
    assert _top(modules, NEVER_ON_START_UP) == []
    if strategy == "empty":
        assert _top(modules, ONLY_TO_FORK) == []
