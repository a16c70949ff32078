"""The code itself: ruff lint and format, and mypy in strict mode for stratlint/."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import PROJECT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=PROJECT, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("ruff") is None and not (PROJECT / ".venv").exists(), reason="ruff is not installed")
def test_ruff_lint_and_format() -> None:
    lint = _run("ruff", "check", "stratlint", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run("ruff", "format", "--check", "stratlint", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    checked = _run("mypy")
    assert checked.returncode == 0, checked.stdout + checked.stderr
