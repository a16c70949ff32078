"""Nothing lost: `check` never writes into the strategy repository, and writes that do happen
are atomic, even when the writing process is killed mid-write."""

from __future__ import annotations

import errno
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stratlint.fileio import atomic_write
from stratlint.report import REPORTERS

from conftest import PROJECT, STRATEGY, invoke, run_stratlint

Snapshot = dict[str, tuple[str, bytes, int, int]]


def _snapshot(root: Path) -> Snapshot:
    """Every entry under ``root`` (hidden ones and git's own files included): its type, its
    bytes, its modification time and its mode."""
    found: Snapshot = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                kind, content = "file", path.read_bytes()
            elif stat.S_ISLNK(info.st_mode):
                kind, content = "link", os.readlink(path).encode()
            else:
                kind, content = "other", b""
            found[path.relative_to(root).as_posix()] = (kind, content, info.st_mtime_ns, info.st_mode)
    return found


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository holding the bundled strategy and a few broken files, committed."""
    root = tmp_path / "repo"
    shutil.copytree(STRATEGY, root / "strategy")
    strategy = root / "strategy"
    (strategy / "broken.yaml").write_bytes(b"stratlint: 1\nkind: roadmap\nid: [\n")
    (strategy / "dup.yaml").write_bytes(b"stratlint: 1\nkind: roadmap\nid: roadmap-dup\nitems: []\nitems: []\n")
    (strategy / "link.yaml").symlink_to("value.yaml")
    (root / ".gitignore").write_text("ignored.yaml\n")
    (strategy / "ignored.yaml").write_bytes(b"\xff\xfe")
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_check_never_writes_into_the_repository(output_format: str, repository: Path) -> None:
    before = _snapshot(repository)
    for extra in ([], ["--fail-on", "info"], ["--color"], ["--no-color"]):
        result = invoke("check", "strategy", "--format", output_format, *extra, cwd=repository)
        assert result.exit_code == 1, result.output
    completed = run_stratlint("check", "strategy", "--format", output_format, cwd=repository)
    assert completed.returncode == 1, completed.stderr
    assert _snapshot(repository) == before


def test_other_read_only_commands_never_write(repository: Path) -> None:
    before = _snapshot(repository)
    for args in (["rules"], ["explain", "SL001"], ["check", "--format", "nope"], ["check"]):
        run_stratlint(*args, cwd=repository / "strategy")
    assert _snapshot(repository) == before


def test_the_snapshot_sees_a_change(repository: Path) -> None:
    # The snapshot is sensitive to content, mode and time.
    before = _snapshot(repository)
    target = repository / "strategy" / "value.yaml"
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1))
    assert _snapshot(repository) != before


# Atomic writes

_SLOW_WRITER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from stratlint import fileio

    real_fdopen = os.fdopen

    class SlowFile:
        # Writes in small chunks and says when it is halfway, then dawdles.
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()
        def write(self, data):
            half = len(data) // 2
            for start in range(0, len(data), 4096):
                self.handle.write(data[start : start + 4096])
                if start <= half < start + 4096:
                    self.handle.flush()
                    print("halfway", flush=True)
                    time.sleep(60)
        def flush(self):
            self.handle.flush()
        def fileno(self):
            return self.handle.fileno()

    fileio.os.fdopen = lambda fd, mode: SlowFile(real_fdopen(fd, mode))
    fileio.atomic_write(Path(sys.argv[2]), b"new content\\n" * 200_000)
    print("finished", flush=True)
    """
)


def _temporaries(folder: Path, name: str) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.startswith(f".{name}.") and path.name.endswith(".tmp"))


def test_killed_mid_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "roadmap.yaml"
    old = b"stratlint: 1\nkind: roadmap\nid: roadmap\nitems: []\n"
    target.write_bytes(old)
    target.chmod(0o640)
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(PROJECT), str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)  # never wait forever
        assert ready, "the writer did not start"
        assert child.stdout.readline() == "halfway\n", child.stderr.read() if child.stderr else ""
        leftover = _temporaries(tmp_path, target.name)
        assert len(leftover) == 1
        assert leftover[0].stat().st_size > 0  # the new content is really half-written
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # The old file is intact, with its permissions.
    assert target.read_bytes() == old
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # A kill cannot be cleaned up after: the half-written temporary file stays, hidden, beside
    # the target, and names the dead writer. The next write to the same file removes it.
    assert [path.name.split(".")[3] for path in _temporaries(tmp_path, target.name)] == [str(child.pid)]
    atomic_write(target, "stratlint: 1\n")
    assert target.read_text() == "stratlint: 1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temporaries(tmp_path, target.name) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "value.yaml"
    target.write_text("old\n")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["value.yaml"]


def test_live_writers_and_other_files_temporaries_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "value.yaml"
    target.write_text("old\n")
    live = tmp_path / f".value.yaml.{os.getpid()}.abcd1234.tmp"  # a writer still at work
    other = tmp_path / ".value.yaml.bak.99999999.abcd1234.tmp"  # another file's temporary
    for path in (live, other):
        path.write_text("in progress\n")
    atomic_write(target, "new\n")
    assert target.read_text() == "new\n"
    assert live.exists()
    assert other.exists()


def test_atomic_write_creates_new_files(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    atomic_write(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["new.yaml"]
