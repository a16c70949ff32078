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


IMPORT_NAMES = {"pyyaml": "yaml", "ruamel.yaml": "ruamel", "google-re2": "re2", "pygls": "pygls", "jinja2": "jinja2"}
"""Distribution names whose import name differs (or may), for the check below."""


def test_every_declared_dependency_is_imported_by_the_package() -> None:
    import ast
    import re
    import tomllib

    declared = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in declared}
    imported: set[str] = set()
    for path in (PROJECT / "stratlint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    unused = sorted(name for name in names if IMPORT_NAMES.get(name, name.replace("-", "_")) not in imported)
    assert unused == [], f"declared in pyproject.toml but never imported by stratlint/: {unused}"
