"""Shared test helpers: run the source tree under test, never an installed copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

PROJECT = Path(__file__).resolve().parent.parent
STRATEGY = PROJECT / "strategy"
SHARED = PROJECT.parent / "shared"

sys.path.insert(0, str(PROJECT))

from stratlint.cli import cli  # noqa: E402


def invoke(*args: str | os.PathLike[str], cwd: Path | None = None) -> Result:
    """Run the CLI in-process through click's CliRunner."""
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def run_stratlint(
    *args: str | os.PathLike[str], cwd: Path | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real executable entry point (``python -m stratlint``) of this source tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "stratlint", *map(str, args)],
        cwd=cwd or PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def check_json(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke("check", path, "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def strategy_copy(tmp_path: Path) -> Path:
    """A copy of the bundled strategy in a folder of its own (paths relative to tmp_path)."""
    import shutil

    target = tmp_path / "strategy"
    shutil.copytree(STRATEGY, target)
    return target


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs under test keep their load cache (and its key) in a folder of their own, never
    in the user's cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default cache locations: no XDG_CACHE_HOME, and a home folder of the test's own,
    so the cache goes to .stratlint_cache/ at the repository root."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(folder))
    return folder


def needs_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared test material (../shared beside the project) is not here")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--integration",
        action="store_true",
        help="also run the end-to-end tests with real external tools (pre-commit, a browser, "
        "a language server, a wheel in a fresh environment) and the slow property, fuzz and "
        "concurrency tests; CI and the README's test command do",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--integration"):
        return
    skip = {
        "integration": pytest.mark.skip(
            reason="an end-to-end test with a real external tool: run with --integration (CI does)"
        ),
        "slow": pytest.mark.skip(reason="a slow property, fuzz or concurrency test: run with --integration (CI does)"),
    }
    for item in items:
        marker = next((name for name in skip if name in item.keywords), None)
        if marker is not None:
            item.add_marker(skip[marker])
