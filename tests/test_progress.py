"""The progress line of a long run: on a real terminal (a pseudo-terminal) it appears on
stderr and is erased when the run ends; piped, in CI, or with a machine format, never."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import PROJECT, STRATEGY

ERASE = "\r\x1b[2K"


def _run(*args: str, terminal: bool, env: dict[str, str]) -> tuple[int, str, str]:
    """Run stratlint with stderr on a pseudo-terminal (or a pipe); stdout is always a pipe."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    full_env.update({"PYTHONPATH": str(PROJECT), "TERM": "xterm", **env})
    command = [sys.executable, "-m", "stratlint", "check", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    # stdout to a file: a report larger than a pipe holds would block the run while only the
    # terminal is read.
    stdout = tempfile.TemporaryFile()  # noqa: SIM115 (closed below, once the run ended)
    process = subprocess.Popen(command, stdout=stdout, stderr=follower, env=full_env)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the run ended
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(leader)
    stdout.seek(0)
    out = stdout.read().decode()
    stdout.close()
    return process.returncode, out, seen.decode("utf-8", "replace")


@pytest.fixture
def slow() -> dict[str, str]:
    """Show the line at once, so any run counts as long, and load without the cache."""
    return {"STRATLINT_PROGRESS_AFTER": "0"}


def test_a_terminal_sees_the_line_and_then_it_is_gone(slow: dict[str, str]) -> None:
    status, out, err = _run(str(STRATEGY), "--no-cache", terminal=True, env=slow)
    assert status == 0, err
    assert f"stratlint: checking {STRATEGY.as_posix()}/ ..." in err
    assert err.endswith(ERASE), repr(err[-80:])  # erased: nothing of it stays on the screen
    assert "\x1b" not in out and "checking" not in out  # the report itself is untouched


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ((), {"CI": "true"}),
        (("--format", "json"), {}),
        (("--format", "sarif"), {}),
        ((), {"TERM": "dumb"}),
    ],
    ids=["ci", "json", "sarif", "dumb-terminal"],
)
def test_never_in_ci_machine_formats_or_a_dumb_terminal(
    args: tuple[str, ...], env: dict[str, str], slow: dict[str, str]
) -> None:
    status, _, err = _run(str(STRATEGY), "--no-cache", *args, terminal=True, env={**slow, **env})
    assert status == 0, err
    assert "checking" not in err and ERASE not in err


def test_never_when_stderr_is_piped(slow: dict[str, str]) -> None:
    status, _, err = _run(str(STRATEGY), "--no-cache", terminal=False, env=slow)
    assert status == 0, err
    assert err == ""


def test_a_quick_run_shows_nothing() -> None:
    """Without the test's override, a run of the small bundled strategy ends before the line is due."""
    status, _, err = _run(str(STRATEGY), terminal=True, env={"STRATLINT_PROGRESS_AFTER": "30"})
    assert status == 0, err
    assert "checking" not in err
