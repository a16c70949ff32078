"""In CI on a pull request every file of the repository is the proposer's: what stratlint
writes (--output, the baseline, the lock, the cache) and reads (the baseline, the
configuration, the lock) must not be steered by what the repository holds there: a link
that leads outside, a FIFO that never ends, a device without end. Real folders, the real
command line."""

from __future__ import annotations

import errno
import json
import os
import resource
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stratlint.analysis.check import lint
from stratlint.drift.lockfile import LOCK_FILENAME
from stratlint.speed.cache import CACHE_FOLDER, cache_file

from conftest import invoke, run_stratlint
from drift_repo import CLAIM_LINE, REWORDED_LINE, make_locked_repo
from strategy_trees import edit, make_repo


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return stderr


def _tree(folder: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry under ``folder`` (links not followed): its type, and its bytes or target."""
    found: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content: bytes | str = (
            os.readlink(path) if stat.S_ISLNK(info.st_mode) else path.read_bytes() if path.is_file() else b""
        )
        found[path.relative_to(folder).as_posix()] = (stat.S_IFMT(info.st_mode), content)
    return found


@pytest.fixture
def no_replacing_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the fix, --output /dev/null renamed a file over the machine's /dev/null: here
    a rename into /dev fails instead, so a regression fails the test and breaks nothing."""
    real_replace = os.replace

    def guarded(source: Any, destination: Any, *args: Any, **kwargs: Any) -> None:
        if os.path.abspath(destination).startswith("/dev/"):
            raise OSError(errno.EPERM, "the test refuses to replace a file in /dev", str(destination))
        real_replace(source, destination, *args, **kwargs)

    monkeypatch.setattr(os, "replace", guarded)  # what stratlint.fileio calls


# -- 1. check --output --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.sarif", "value.yaml", "marketing/messaging.yaml"])
def test_output_inside_the_strategy_root_is_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    repo, strategy = make_repo(tmp_path)
    before = _tree(strategy)
    completed = run_stratlint("check", "strategy", "--format", "sarif", "--output", f"strategy/{name}", cwd=repo)
    assert completed.returncode == 2
    assert _one_line(completed.stderr).startswith(f"stratlint: cannot write strategy/{name}: it is inside the strategy")
    assert completed.stdout == ""
    assert _tree(strategy) == before


def test_output_into_a_fifo_is_written_into_and_the_fifo_stays(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:  # waits for stratlint to open it for writing
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    completed = run_stratlint("check", "strategy", "--format", "json", "--output", fifo, cwd=repo)
    reader.join(timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a regular file"
    assert not reader.is_alive(), "stratlint never wrote into the FIFO"
    assert json.loads(received[0])["summary"]["counts"]["error"] == 0
    assert "All checks passed" in completed.stdout


@pytest.mark.usefixtures("no_replacing_devices")
def test_output_to_dev_null_stays_a_character_device(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    before = set(os.listdir("/dev"))
    result = invoke("check", "strategy", "--format", "sarif", "--output", "/dev/null", cwd=repo)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert [name for name in set(os.listdir("/dev")) - before if name.startswith(".null.")] == []


@pytest.mark.usefixtures("no_replacing_devices")
def test_output_to_dev_stdout_writes_into_standard_output(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    repo, _ = make_repo(tmp_path)
    link = os.readlink("/dev/stdout")
    result = invoke("check", "strategy", "--format", "json", "--output", "/dev/stdout", cwd=repo)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert os.readlink("/dev/stdout") == link, "/dev/stdout is still the link it was"
    assert json.loads(capfd.readouterr().out)["summary"]["counts"]["error"] == 0  # the real standard output
    assert "All checks passed" in result.stdout  # the terminal's text report


@pytest.mark.usefixtures("no_replacing_devices")
def test_baseline_to_dev_stdout_writes_into_standard_output(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    repo, _ = make_repo(tmp_path)
    link = os.readlink("/dev/stdout")
    result = invoke("baseline", "strategy", "--output", "/dev/stdout", cwd=repo)
    assert result.exit_code == 0, result.output
    assert os.readlink("/dev/stdout") == link, "/dev/stdout is still the link it was"
    assert json.loads(capfd.readouterr().out) == {"stratlint-baseline": 1, "findings": []}


def test_a_link_is_never_replaced_by_a_written_file(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep\n")
    (repo / ".stratlint-baseline.json").symlink_to(elsewhere)
    result = invoke("baseline", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert _one_line(result.stderr).endswith("it is a link, so it is not replaced\n")
    assert (repo / ".stratlint-baseline.json").is_symlink() and elsewhere.read_text() == "keep\n"


@pytest.mark.parametrize("shape", ["the file is a link", "its folder is a link"])
def test_output_through_a_link_that_leads_outside_is_refused(tmp_path: Path, shape: str) -> None:
    repo, _ = make_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.sarif").write_text("keep\n")
    if shape == "the file is a link":
        (repo / "report.sarif").symlink_to(outside / "victim.sarif")
        typed = "report.sarif"
    else:
        (repo / "reports").symlink_to(outside)
        typed = "reports/victim.sarif"
    before = _tree(outside)
    completed = run_stratlint("check", "strategy", "--format", "sarif", "--output", typed, cwd=repo)
    assert completed.returncode == 2
    message = _one_line(completed.stderr)
    assert message.startswith(f"stratlint: cannot write {typed}: it leads through a link to ")
    assert "outside the repository" in message
    assert _tree(outside) == before
    assert (repo / typed.split("/")[0]).is_symlink()


def test_output_through_a_link_that_stays_inside_writes_its_target(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    (repo / "reports").mkdir()
    (repo / "latest.sarif").symlink_to("reports/2026.sarif")
    completed = run_stratlint("check", "strategy", "--format", "sarif", "--output", "latest.sarif", cwd=repo)
    assert completed.returncode == 0, completed.stderr
    assert (repo / "latest.sarif").is_symlink()
    assert json.loads((repo / "reports" / "2026.sarif").read_text())["version"] == "2.1.0"


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    (repo / "reports").mkdir()
    completed = run_stratlint("check", "strategy", "--output", "reports", cwd=repo)
    assert completed.returncode == 2
    assert "reports" in _one_line(completed.stderr) and "is a directory" in completed.stderr
    assert os.listdir(repo / "reports") == []


def test_output_dash_is_standard_output(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    before = set(os.listdir(repo))
    completed = run_stratlint("check", "strategy", "--format", "json", "--output", "-", cwd=repo)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["summary"]["counts"]["error"] == 0
    assert set(os.listdir(repo)) - before <= {CACHE_FOLDER}, "no file named '-'"


def test_an_empty_output_path_is_a_usage_error(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    completed = run_stratlint("check", "strategy", "--output", "", cwd=repo)
    assert completed.returncode == 2
    message = _one_line(completed.stderr)
    assert "--output" in message and "empty" in message and "'-' for standard output" in message
    assert "busy" not in message
    assert completed.stdout == ""


# -- 2. new files get the umask's permissions ---------------------------------------------


@pytest.fixture(params=[(0o022, 0o644), (0o027, 0o640)], ids=["umask 022", "umask 027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Set the umask for the test; give the mode a new file should get."""
    mask, expected = request.param
    old = os.umask(mask)
    try:
        yield expected
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (("check", "strategy", "--format", "sarif", "--output", "report.sarif"), "report.sarif"),
        (("baseline", "strategy"), ".stratlint-baseline.json"),
        (("lock", "strategy"), f"strategy/{LOCK_FILENAME}"),
    ],
    ids=["check --output", "baseline", "lock"],
)
def test_new_files_get_what_the_umask_allows(tmp_path: Path, umask: int, args: tuple[str, ...], written: str) -> None:
    repo, _ = make_repo(tmp_path)
    if args[0] == "lock":
        (repo / "strategy" / LOCK_FILENAME).unlink()
    result = invoke(*args, cwd=repo)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((repo / written).stat().st_mode) == umask


def test_an_existing_report_keeps_its_permissions(tmp_path: Path, umask: int) -> None:
    repo, _ = make_repo(tmp_path)
    report = repo / "report.sarif"
    report.write_text("old\n")
    report.chmod(0o600)
    assert invoke("check", "strategy", "--format", "sarif", "--output", report, cwd=repo).exit_code == 0
    assert report.read_text() != "old\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


# -- 3. every file stratlint reads is read within bounds ----------------------------------


def test_a_fifo_as_baseline_is_refused_without_blocking(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    os.mkfifo(repo / "known.json")
    started = time.monotonic()
    completed = run_stratlint("check", "strategy", "--baseline", "known.json", cwd=repo)
    assert time.monotonic() - started < 60
    assert completed.returncode == 2
    message = _one_line(completed.stderr)
    assert "known.json" in message and "not a regular file" in message


def _limit_memory() -> None:
    """Without the fix, /dev/zero was read until memory ran out: keep that to 2 GiB."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_dev_zero_as_baseline_is_refused_without_reading_it(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    completed = run_stratlint("check", "strategy", "--baseline", "/dev/zero", cwd=repo, preexec_fn=_limit_memory)
    assert completed.returncode == 2
    message = _one_line(completed.stderr)
    assert "/dev/zero" in message and "not a regular file" in message and "MemoryError" not in message


def test_a_configuration_file_is_read_within_bounds(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    (repo / "stratlint.toml").write_text('fail-on = "error"\n' + "# padding\n" * 200_000)
    completed = run_stratlint("check", "strategy", cwd=repo)
    assert completed.returncode == 2
    message = _one_line(completed.stderr)
    assert "stratlint.toml" in message and "larger than" in message and "max-file-size" not in message


def test_a_lock_that_becomes_a_fifo_before_it_is_compared_never_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is read once to lint and once more, before writing, to compare: a FIFO in its
    place by then is refused at once, and left as it is."""
    repo, strategy = make_repo(tmp_path)
    lock_file = strategy / LOCK_FILENAME
    lines = lock_file.read_text(encoding="utf-8").splitlines(keepends=True)
    first_edge = next(index for index, line in enumerate(lines) if line.startswith("edge "))
    del lines[first_edge]  # a reference without its stamp, so the lock is rewritten
    lock_file.write_text("".join(lines), encoding="utf-8")
    done = threading.Event()

    def release_a_blocked_reader() -> None:  # so that a regression fails instead of hanging
        deadline = time.monotonic() + 15
        while not done.is_set() and time.monotonic() < deadline:
            try:
                os.close(os.open(lock_file, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:
                time.sleep(0.05)

    def lint_then_swap(settings: Any, **kwargs: Any) -> Any:
        result = lint(settings, **kwargs)
        lock_file.unlink()
        os.mkfifo(lock_file)
        threading.Thread(target=release_a_blocked_reader, daemon=True).start()
        return result

    monkeypatch.setattr("stratlint.cli.lock.lint", lint_then_swap)
    started = time.monotonic()
    try:
        result = invoke("lock", "strategy", cwd=repo)
    finally:
        done.set()
    assert time.monotonic() - started < 10, "the FIFO was read, and blocked"
    assert result.exit_code == 2
    assert _one_line(result.stderr).startswith(f"stratlint: cannot write strategy/{LOCK_FILENAME}: ")
    assert stat.S_ISFIFO(lock_file.lstat().st_mode)


# -- 4. the cache folder is never followed through a link ---------------------------------


def _json_check(repo: Path, *extra: str) -> tuple[int, Any]:
    completed = run_stratlint("check", "strategy", "--format", "json", *extra, cwd=repo)
    assert completed.stderr == ""
    return completed.returncode, json.loads(completed.stdout)


@pytest.mark.usefixtures("home")
def test_a_committed_cache_link_writes_nothing_where_it_leads(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    edit(strategy / "marketing" / "messaging.yaml", "    priority: prio-mid-market\n", "    priority: prio-nope\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / CACHE_FOLDER).symlink_to(outside)
    expected = _json_check(repo, "--no-cache")
    assert expected[0] == 1
    assert _json_check(repo) == expected
    assert _json_check(repo) == expected
    assert os.listdir(outside) == []
    assert (repo / CACHE_FOLDER).is_symlink()


@pytest.mark.usefixtures("home")
def test_links_inside_the_cache_folder_are_never_followed(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(b"keep")
    folder = repo / CACHE_FOLDER
    folder.mkdir()
    for name in (".gitignore", "CACHEDIR.TAG"):
        (folder / name).symlink_to(outside / name)  # leads nowhere yet
    for suffix in ("cache", "results", "stats"):
        cache_file(folder, strategy, suffix).symlink_to(outside / "victim")
    links = _tree(folder)
    expected = _json_check(repo, "--no-cache")
    assert _json_check(repo) == expected
    assert _json_check(repo) == expected
    assert _tree(outside) == {"victim": (stat.S_IFREG, b"keep")}
    assert _tree(folder) == links


# -- 5. a relative XDG_CACHE_HOME is ignored ----------------------------------------------


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = make_repo(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    completed = run_stratlint("check", repo / "strategy", cwd=elsewhere)
    assert completed.returncode == 0, completed.stderr
    assert os.listdir(elsewhere) == [], "nothing is written in the folder the run starts in"
    assert list((repo / CACHE_FOLDER).glob("*.cache")), "the cache is where it is without XDG_CACHE_HOME"
    assert (home / ".cache" / "stratlint" / "secret").is_file()


# -- 6. a lock that cannot be written is one line -----------------------------------------


def _failing(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Writes fail as on a read-only folder (EACCES, creating the temporary file) or on a
    full disk (ENOSPC, writing it out): tests run as root, which no permission stops."""

    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    target: tuple[Any, str] = (tempfile, "mkstemp") if code == errno.EACCES else (os, "fsync")  # as fileio calls them
    monkeypatch.setattr(*target, fail)


_REASONS: dict[int, str] = {errno.EACCES: "Permission denied", errno.ENOSPC: "No space left on device"}


@pytest.mark.parametrize("code", list(_REASONS), ids=["read-only folder", "full disk"])
def test_lock_that_cannot_be_written_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    repo, strategy = make_repo(tmp_path)
    (strategy / LOCK_FILENAME).unlink()
    _failing(monkeypatch, code)
    result = invoke("lock", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == f"stratlint: cannot write strategy/{LOCK_FILENAME}: {_REASONS[code]}\n"
    assert not (strategy / LOCK_FILENAME).exists()
    assert [name for name in os.listdir(strategy) if name.endswith(".tmp")] == []


@pytest.mark.parametrize("code", list(_REASONS), ids=["read-only folder", "full disk"])
def test_review_accept_that_cannot_write_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    lock = repo / "strategy" / LOCK_FILENAME
    before = lock.read_bytes()
    _failing(monkeypatch, code)
    result = invoke("review", "strategy", "--accept", "msg-close-in-days", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == f"stratlint: cannot write strategy/{LOCK_FILENAME}: {_REASONS[code]}\n"
    assert lock.read_bytes() == before
