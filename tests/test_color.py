"""Colour follows the conventions: --color/--no-color win; then NO_COLOR turns it off,
FORCE_COLOR on, TERM=dumb off; otherwise only a terminal gets colour."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stratlint.cli.options import use_color

from conftest import PROJECT
from strategy_trees import make_repo, plant_dangling_priority


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("flag", "environment", "terminal", "expected"),
    [
        (None, {}, True, True),
        (None, {}, False, False),
        (None, {"NO_COLOR": "1"}, True, False),
        (None, {"NO_COLOR": ""}, True, True),
        (None, {"FORCE_COLOR": "1"}, False, True),
        (None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        (None, {"TERM": "dumb"}, True, False),
        (None, {"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
        (True, {"NO_COLOR": "1", "TERM": "dumb"}, False, True),
        (False, {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_the_conventions_in_their_order(
    monkeypatch: pytest.MonkeyPatch, flag: bool | None, environment: dict[str, str], terminal: bool, expected: bool
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    stream = _Terminal() if terminal else io.StringIO()
    assert use_color(flag, stream) is expected


@pytest.mark.parametrize(("environment", "coloured"), [({"FORCE_COLOR": "1"}, True), ({"NO_COLOR": "1"}, False)])
def test_the_real_executable_follows_them(tmp_path: Path, environment: dict[str, str], coloured: bool) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(environment, PYTHONPATH=str(PROJECT))
    completed = subprocess.run(
        [sys.executable, "-m", "stratlint", "check", "strategy"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 1, completed.stderr
    assert ("\x1b[" in completed.stdout) is coloured
