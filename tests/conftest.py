"""Shared test helpers: run the source tree under test, never an installed copy."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
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


def check_in(repo: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """``stratlint check strategy --format json`` in ``repo``: the exit code and the report."""
    result = invoke("check", "strategy", "--format", "json", *extra, cwd=repo)
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


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


def run_in_process(*args: str | os.PathLike[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """What ``run_stratlint`` gives, from a run in this process (click's CliRunner): for tests
    of what a command decides, not of the process that runs it (start-up, signals, the exit
    status of the real executable keep ``run_stratlint``). Like it, without FORCE_COLOR, and
    from the project's folder unless told otherwise."""
    old = Path.cwd()
    try:
        os.chdir(cwd or PROJECT)
        result = CliRunner().invoke(cli, [str(arg) for arg in args], env={"FORCE_COLOR": None}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess([str(arg) for arg in args], result.exit_code, result.stdout, result.stderr)


def check_json(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke("check", path, "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def strategy_copy(tmp_path: Path) -> Path:
    """A copy of the bundled strategy in a folder of its own (paths relative to tmp_path)."""
    target = tmp_path / "strategy"
    shutil.copytree(STRATEGY, target)
    return target


_CACHE_HOME_NUMBERS = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _cache_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder of the tests' cache folders. Module- and session-scoped fixtures are set up
    before a test's own cache folder is: they share one, so that their runs too stay out of
    the user's cache folder."""
    folder = tmp_path_factory.mktemp("cache-homes")
    shared = folder / "shared"
    shared.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(shared))
        yield folder


@pytest.fixture(autouse=True)
def _private_cache_home(_cache_homes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs under test keep their load cache (and its key) in a folder of their own, never
    in the user's cache folder. Numbered here, not by tmp_path_factory.mktemp: that lists the
    whole base folder to number each new folder, a cost per test that grew with the suite."""
    folder = _cache_homes / str(next(_CACHE_HOME_NUMBERS))
    folder.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))


class Templates:
    """Trees that many tests start from (a git repository with the strategy committed, say),
    built once a session, in each xdist worker, and copied for each test: a copy costs a
    fraction of the git commands, lock and lint runs that build one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fill(self, name: str, build: Callable[[Path], object], folder: Path) -> None:
        """Make in ``folder`` what ``build(folder)`` makes there. ``build`` must give the same
        tree wherever it runs: it runs once, in a folder of its own, for every test."""
        template = self.folder / name
        if not template.exists():
            building = self.folder / f"{name}.building"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            build(building)
            building.rename(template)
        shutil.copytree(template, folder, symlinks=True, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


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


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[None]:
    """Let pytest keep the test modules it rewrote (for its assert messages) in __pycache__,
    even where PYTHONDONTWRITEBYTECODE is set, as it is on the shared development machine:
    without, every run, and every xdist worker of it, rewrote all of them again, 2 to 4 s of
    each worker's start. Only while collecting (what is imported then is cached too, as
    Python does by default); the tests run with the setting as it was."""
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = dont_write


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
