"""Hostile files on disk: links, loops, FIFOs, devices, permissions, sizes, git-ignored files.

Nothing is opened that could hang or leave the repository; each skipped file is one finding
at file:1:1; and the run goes on with the rest of the strategy.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stratlint import StratlintError
from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.load import read as read_module
from stratlint.load.artifact import DEFAULT_MAX_BYTES, read_bounded
from stratlint.load.yaml import LoadProblem

from conftest import PROJECT, STRATEGY, check_json, invoke, run_stratlint

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_REASON = "running as root, where file permissions do not apply; the simulated test covers this"
BROKEN = b"stratlint: 1\nkind: roadmapp\nid: roadmap-broken\nitems: []\n"
"""A file whose only finding is SL004 at 2:7, so it shows whether the file was read."""


def _git_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository in tmp_path/repo holding a copy of the bundled strategy."""
    root = _git_repo(tmp_path / "repo")
    shutil.copytree(STRATEGY, root / "strategy")
    return root


@pytest.fixture(scope="module")
def clean_count() -> int:
    return len([path for path in STRATEGY.rglob("*.yaml")])


def _found(document: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return [(d["code"], d["path"], d["line"], d["column"]) for d in document["diagnostics"]]


def _check(root: Path) -> tuple[int, dict[str, Any]]:
    return check_json(root)


class _OpenLog:
    """Records every path the loader opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = os.open

        def logged(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            self.paths.append(os.fspath(path))
            return real(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", logged)


# Links


def test_link_outside_the_repository_is_not_followed(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_count: int
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_bytes(BROKEN)
    (repo / "strategy" / "leak.yaml").symlink_to(outside / "secret.yaml")
    (repo / "strategy" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (repo / "strategy" / "zero.yaml").symlink_to("/dev/zero")
    opened = _OpenLog(monkeypatch)
    exit_code, document = _check(repo / "strategy")
    assert _found(document) == [
        ("SL015", "strategy/leak.yaml", 1, 1),
        ("SL015", "strategy/zero.yaml", 1, 1),
    ]
    assert all("outside the repository" in d["message"] for d in document["diagnostics"])
    assert not [path for path in opened.paths if path.startswith((str(outside), "/dev"))]
    assert document["summary"]["files"] == clean_count + 2
    assert exit_code == 1


def test_link_inside_the_repository_is_followed_and_read_once(repo: Path, clean_count: int) -> None:
    shared = repo / "shared"
    shared.mkdir()
    (shared / "extra.yaml").write_bytes(BROKEN)
    strategy = repo / "strategy"
    (strategy / "extra.yaml").symlink_to("../shared/extra.yaml")
    (strategy / "value-again.yaml").symlink_to("value.yaml")  # the same file a second time
    (strategy / "product-mirror").symlink_to("product", target_is_directory=True)
    exit_code, document = _check(strategy)
    # Reported under the real file's name; no artifact is loaded twice (no duplicate ids).
    assert _found(document) == [("SL004", "shared/extra.yaml", 2, 7)]
    assert document["summary"]["files"] == clean_count + 1
    assert exit_code == 1


def test_link_loops_and_broken_links_are_reported_without_hanging(repo: Path, clean_count: int) -> None:
    strategy = repo / "strategy"
    (strategy / "ping.yaml").symlink_to("pong.yaml")
    (strategy / "pong.yaml").symlink_to("ping.yaml")
    (strategy / "self.yaml").symlink_to("self.yaml")
    (strategy / "gone.yaml").symlink_to("missing.yaml")
    (strategy / "product" / "up").symlink_to("..", target_is_directory=True)  # a folder loop
    completed = run_stratlint("check", strategy, "--format", "json", cwd=repo)
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert _found(document) == [("SL015", f"strategy/{name}.yaml", 1, 1) for name in ("gone", "ping", "pong", "self")]
    assert all("broken or looping link" in d["message"] for d in document["diagnostics"])
    assert document["summary"]["files"] == clean_count + 4


# FIFOs and devices


def test_fifo_is_not_opened(repo: Path, clean_count: int) -> None:
    strategy = repo / "strategy"
    os.mkfifo(strategy / "pipe.yaml")
    # In a subprocess, so that a blocking open would time out rather than hang the suite.
    completed = run_stratlint("check", strategy, "--format", "json", cwd=repo)
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert _found(document) == [("SL015", "strategy/pipe.yaml", 1, 1)]
    assert "not a regular file" in document["diagnostics"][0]["message"]


def test_device_inside_the_tree_is_not_opened(repo: Path) -> None:
    strategy = repo / "strategy"
    try:
        os.mknod(strategy / "zero.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # like /dev/zero
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot create a device node here ({error}); the FIFO test covers the same guard")
    completed = run_stratlint("check", strategy, "--format", "json", cwd=repo)
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert _found(document) == [("SL015", "strategy/zero.yaml", 1, 1)]


def test_a_file_swapped_for_a_fifo_after_discovery_is_not_read(tmp_path: Path) -> None:
    # Discovery checks the file type, but the file can change before it is opened: the reader
    # opens without blocking and checks again on the open descriptor.
    os.mkfifo(tmp_path / "pipe.yaml")
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from stratlint.load.artifact import read_bounded\n"
        "for path in sys.argv[2:]: print(read_bounded(path, 1 << 20).message)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(PROJECT), str(tmp_path / "pipe.yaml"), "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["This is not a regular file; it is not read."] * 2


# Permissions


@pytest.mark.skipif(IS_ROOT, reason=ROOT_REASON)
def test_unreadable_file_is_reported(repo: Path) -> None:  # pragma: no cover - not run as root
    locked = repo / "strategy" / "locked.yaml"
    locked.write_bytes(BROKEN)
    locked.chmod(0)
    try:
        _, document = _check(repo / "strategy")
    finally:
        locked.chmod(0o644)
    assert _found(document) == [("SL015", "strategy/locked.yaml", 1, 1)]


def test_unreadable_file_is_reported_simulated(repo: Path, monkeypatch: pytest.MonkeyPatch, clean_count: int) -> None:
    locked = repo / "strategy" / "locked.yaml"
    locked.write_bytes(BROKEN)
    real = os.open

    def denied(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path).endswith("locked.yaml"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    exit_code, document = _check(repo / "strategy")
    assert _found(document) == [("SL015", "strategy/locked.yaml", 1, 1)]
    assert "Permission denied" in document["diagnostics"][0]["message"]
    assert document["summary"]["files"] == clean_count + 1
    assert exit_code == 1


@pytest.mark.skipif(IS_ROOT, reason=ROOT_REASON)
def test_unreadable_folder_is_reported(repo: Path) -> None:  # pragma: no cover - not run as root
    locked = repo / "strategy" / "locked"
    locked.mkdir()
    (locked / "x.yaml").write_bytes(BROKEN)
    locked.chmod(0)
    try:
        _, document = _check(repo / "strategy")
    finally:
        locked.chmod(0o755)
    assert _found(document) == [("SL015", "strategy/locked", 1, 1)]


def test_unreadable_folder_is_reported_simulated(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = repo / "strategy" / "locked"
    locked.mkdir()
    (locked / "x.yaml").write_bytes(BROKEN)
    real = os.scandir

    def denied(path: Any) -> Any:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", denied)
    _, document = _check(repo / "strategy")
    assert _found(document) == [("SL015", "strategy/locked", 1, 1)]


@pytest.mark.skipif(IS_ROOT, reason=ROOT_REASON)
def test_unreadable_root_exits_2_with_one_line(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    root = tmp_path / "strategy"
    root.mkdir()
    root.chmod(0)
    try:
        completed = run_stratlint("check", root, cwd=tmp_path)
    finally:
        root.chmod(0o755)
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert "cannot be read" in completed.stderr


def test_unreadable_root_exits_2_with_one_line_simulated(strategy_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(StratlintError, match="the folder cannot be read"):
        lint(Settings(root=strategy_copy))
    result = invoke("check", strategy_copy)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("stratlint: ")
    assert "not readable" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--format", "nope"),
        ("check", "--fail-on", "fatal"),
        ("check", "--no-such-option"),
        ("chek",),
        ("check", "a", "b"),
    ],
    ids=" ".join,
)
def test_bad_option_exits_2_with_one_line(args: tuple[str, ...]) -> None:
    completed = run_stratlint(*args)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("stratlint: ")
    assert "--help" in completed.stderr
    assert "Traceback" not in completed.stderr


# Folders and ignored files


def test_folder_named_like_a_yaml_file_is_a_folder(repo: Path, clean_count: int) -> None:
    # A folder is walked whatever its name; only regular files are read as artifacts.
    folder = repo / "strategy" / "more.yaml"
    folder.mkdir()
    (folder / "inner.yaml").write_bytes(BROKEN)
    _, document = _check(repo / "strategy")
    assert _found(document) == [("SL004", "strategy/more.yaml/inner.yaml", 2, 7)]
    assert document["summary"]["files"] == clean_count + 1


def test_git_ignored_files_are_not_linted(repo: Path, clean_count: int) -> None:
    strategy = repo / "strategy"
    (repo / ".gitignore").write_text("drafts/\n*.local.yaml\n")
    (strategy / ".gitignore").write_text("scratch.yaml\n")
    (strategy / "drafts").mkdir()
    for name in ("drafts/wip.yaml", "mine.local.yaml", "scratch.yaml", "kept.yaml"):
        (strategy / name).write_bytes(BROKEN)
    _, document = _check(strategy)
    assert _found(document) == [("SL004", "strategy/kept.yaml", 2, 7)]
    assert document["summary"]["files"] == clean_count + 1


def test_without_git_nothing_is_ignored(strategy_copy: Path) -> None:
    (strategy_copy / ".gitignore").write_text("scratch.yaml\n")
    (strategy_copy / "scratch.yaml").write_bytes(BROKEN)
    _, document = _check(strategy_copy)
    assert [d["code"] for d in document["diagnostics"]] == ["SL004"]


# Size


def _lint_codes(root: Path, **settings: Any) -> dict[str, list[str]]:
    result = lint(Settings(root=root, repo_root=root, **settings))
    found: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        found.setdefault(diagnostic.path, []).append(diagnostic.code)
    return found


def test_size_limit_is_configurable_and_inclusive(tmp_path: Path) -> None:
    (tmp_path / "at-limit.yaml").write_bytes(b"#" * 99 + b"\n")
    (tmp_path / "over-limit.yaml").write_bytes(b"#" * 100 + b"\n")
    found = _lint_codes(tmp_path, max_file_size=100)
    assert (found["at-limit.yaml"], found["over-limit.yaml"]) == (["SL005"], ["SL010"])
    assert _lint_codes(tmp_path)["over-limit.yaml"] == ["SL005"]


class _ReadCounter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.total = 0
        real = os.read

        def counted(fd: int, size: int) -> bytes:
            chunk = real(fd, size)
            self.total += len(chunk)
            return chunk

        monkeypatch.setattr(os, "read", counted)


def test_huge_sparse_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GiB, sparse: no disk space used
    reads = _ReadCounter(monkeypatch)
    problem = read_bounded(str(huge), DEFAULT_MAX_BYTES)
    assert isinstance(problem, LoadProblem)
    assert problem.kind == "file-too-large"
    assert reads.total <= DEFAULT_MAX_BYTES + 1


def test_a_file_larger_than_it_claims_is_read_to_the_limit_plus_one_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file that grows after it is measured, or reports no size: the read itself is bounded.
    grown = tmp_path / "grown.yaml"
    grown.write_bytes(b"# " * (3 * DEFAULT_MAX_BYTES))
    real_fstat = os.fstat

    def small(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(read_module.os, "fstat", small)
    reads = _ReadCounter(monkeypatch)
    problem = read_bounded(str(grown), DEFAULT_MAX_BYTES)
    assert isinstance(problem, LoadProblem)
    assert problem.kind == "file-too-large"
    assert reads.total == DEFAULT_MAX_BYTES + 1


def test_over_limit_file_beside_the_strategy(strategy_copy: Path, clean_count: int) -> None:
    with (strategy_copy / "export.yaml").open("wb") as handle:
        handle.truncate(2 * 1024**3)
    exit_code, document = _check(strategy_copy)
    assert [(d["code"], d["line"], d["column"]) for d in document["diagnostics"]] == [("SL010", 1, 1)]
    assert document["diagnostics"][0]["path"].endswith("strategy/export.yaml")
    assert document["summary"]["files"] == clean_count + 1
    assert exit_code == 1


def test_control_characters_in_names_and_values_are_printed_escaped(repo: Path) -> None:
    # A file name and a value that would clear the screen and print a fake line of output.
    fake = "\x1b[2J\x1b[H\nstrategy/value.yaml:1:1: SL000 [info] All checks passed"
    (repo / "strategy" / f"evil{fake.replace('/', '-')}.yaml").write_bytes(BROKEN)
    (repo / "strategy" / "escaped.yaml").write_bytes(
        b'stratlint: 1\nkind: roadmap\nid: "x\\e[2J\\nstrategy/value.yaml:1:1: SL000 [info] ok"\nitems: []\n'
    )
    completed = run_stratlint("check", "strategy", "--no-color", cwd=repo)
    assert completed.returncode == 1, completed.stderr
    assert "\x1b" not in completed.stdout
    lines = completed.stdout.split("\n\n", 1)[0].splitlines()
    # The code frame under a finding quotes the file in lines of its own, each starting with
    # its gutter ('   |' or '3 |'); any other line is a finding.
    findings = [line for line in lines if not re.match(r"\s*\d*\s*\|", line)]
    # Two findings, two lines: nothing injected a line of its own.
    assert len(findings) == 2
    assert not [line for line in lines if line.startswith("strategy/value.yaml")]
    assert findings[0].startswith("strategy/escaped.yaml:3:5: SL003 [error]")
    assert findings[1].startswith("strategy/evil\\x1b[2J\\x1b[H\\x0astrategy-value.yaml")
    assert all("\\x1b[2J" in line for line in findings)


def test_names_that_are_not_utf8_are_reported_not_fatal(repo: Path, clean_count: int) -> None:
    strategy = os.fsencode(repo / "strategy")
    with open(strategy + b"/caf\xe9.yaml", "wb") as handle:
        handle.write(BROKEN)
    os.mkdir(strategy + b"/notes-\xff")
    with open(strategy + b"/notes-\xff/inner.yaml", "wb") as handle:
        handle.write(BROKEN)
    for output_format in ("text", "json"):
        completed = run_stratlint("check", "strategy", "--format", output_format, cwd=repo)
        assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert _found(document) == [
        ("SL015", "strategy/caf\\xe9.yaml", 1, 1),
        ("SL015", "strategy/notes-\\xff", 1, 1),
    ]
    assert document["summary"]["files"] == clean_count + 2
