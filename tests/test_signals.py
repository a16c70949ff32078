"""Ctrl-C and SIGTERM stop a run, parallel loading included, promptly and cleanly.

The signal goes to the whole process group, as a terminal's Ctrl-C and a CI runner's
cancellation do. The run must end within seconds (no worker left blocked on a full pipe),
with the shell's status (130, 143), one line on stderr and no traceback, and the cache
folder must hold no half-written file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate

from conftest import PROJECT

pytestmark = pytest.mark.slow

FILES = 3000
"""Enough files that loading runs in parallel workers and takes a while."""


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("large")
    generate(out, FILES, seed=3, git=True)
    return out


def _start(repo: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env["XDG_CACHE_HOME"] = str(repo / "xdg")
    return subprocess.Popen(
        [sys.executable, "-m", "stratlint", "check", "strategy", "--jobs", "2", "--format", "json"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, which the signal is sent to
    )


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_a_signal_to_the_process_group_ends_the_run_promptly(
    large: Path, signum: signal.Signals, status: int, delay: float
) -> None:
    process = _start(large)
    time.sleep(delay)
    if process.poll() is not None:
        process.communicate()
        pytest.skip(f"the run ended within {delay} s, before the signal; the other delays cover it")
    os.killpg(process.pid, signum)
    sent = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"the run did not end within 10 s of {signum.name}")
    assert time.monotonic() - sent < 5
    assert "Traceback" not in stderr, stderr
    assert process.returncode == status, stderr
    assert stderr.strip().splitlines() == ["stratlint: interrupted; nothing was left half-written"]
    leftovers = [path for path in large.rglob("*.tmp")]
    assert leftovers == [], "no half-written file is left behind"
