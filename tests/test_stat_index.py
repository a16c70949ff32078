"""The stat index (stratlint.speed.statindex): a warm check does not read the files whose stat
signature is unchanged, and never gives another result for it: every run here is compared
with a --no-cache run of the same files."""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from stratlint.load import strategy as strategy_module
from stratlint.load.loader import Source, SourceChanged, content_key
from stratlint.load.read import read_bounded
from stratlint.load.strategy import Signature
from stratlint.speed import statindex
from stratlint.speed.cache import CACHE_FOLDER, read_signed, write_signed

from conftest import check_in

Reads = Counter[str]


@pytest.fixture(autouse=True)
def _default_cache_home(home: Path) -> Path:
    return home


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    generate(root, 120, seed=7)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust an entry as soon as the run that wrote it began after the file's last change,
    so that a test need not wait out the margin (the files here were all just written)."""
    monkeypatch.setattr(statindex, "RACY_MARGIN_NS", 0)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    """How often each strategy file was read (when listed, or late, when its bytes were asked for)."""
    counted: Reads = Counter()

    def counting(path: str, max_bytes: int) -> bytes | object:
        counted[Path(path).name] += 1
        return read_bounded(path, max_bytes)

    monkeypatch.setattr(strategy_module, "read_bounded", counting)
    return counted


def _same_as_no_cache(repo: Path) -> tuple[int, dict[str, Any]]:
    checked = check_in(repo)
    assert checked == check_in(repo, "--no-cache")
    return checked


def _files(repo: Path) -> list[Path]:
    return sorted((repo / "strategy").rglob("*.yaml"))


def _with_findings(checked: tuple[int, dict[str, Any]]) -> set[str]:
    """The files a finding points into: the run reads them for the report's code frames."""
    return {Path(d["path"]).name for d in checked[1]["diagnostics"] if d["line"] is not None}


def _plan_file(repo: Path, checked: tuple[int, dict[str, Any]]) -> Path:
    """A roadmap file without findings."""
    found = _with_findings(checked)
    return next(path for path in _files(repo) if "product" in path.parts and path.name not in found)


def _stats_file(repo: Path) -> Path:
    (path,) = (repo / CACHE_FOLDER).glob("*.stats")
    return path


def _rewrite_same_size(path: Path, old: str, new: str) -> os.stat_result:
    """Replace ``old`` with ``new`` (as long) in place, and put the modification time back:
    size and mtime say nothing changed."""
    assert len(old) == len(new)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with path.open("r+", encoding="utf-8") as handle:  # in place: the same inode
        handle.write(text.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    return after


@pytest.mark.usefixtures("no_margin")
def test_a_warm_run_reads_only_the_files_it_needs(repo: Path, reads: Reads) -> None:
    cold = _same_as_no_cache(repo)
    reads.clear()
    warm = check_in(repo)
    assert warm == cold
    # Nothing changed: the snapshot is the result, and only the files whose lines the report
    # shows are read, once each.
    assert reads == Counter(_with_findings(warm))
    assert len(reads) < len(_files(repo)) / 4
    target = _plan_file(repo, cold)
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("\ntitle: ", "\ntitle: Reworded, ", 1), encoding="utf-8")
    reads.clear()
    edited = check_in(repo)
    assert reads[target.name] == 1, "the edited file is read"
    assert edited == check_in(repo, "--no-cache")
    # The index keeps the edited file's new signature: the next run does not read it.
    reads.clear()
    assert check_in(repo) == edited
    assert target.name not in reads


@pytest.mark.usefixtures("no_margin")
def test_an_edit_that_keeps_the_size_and_the_mtime_is_seen(repo: Path, reads: Reads) -> None:
    before = _same_as_no_cache(repo)
    target = _plan_file(repo, before)
    # Same length, same mtime: only the change time (set by the write and by utime) tells.
    _rewrite_same_size(target, "\nid: ", "\nix: ")
    reads.clear()
    after = _same_as_no_cache(repo)
    assert reads[target.name] >= 1
    assert after != before
    assert target.name in _with_findings(after)


def _frozen_times(monkeypatch: pytest.MonkeyPatch, when: Callable[[], int]) -> Callable[[str], Signature | None]:
    """Every signature's times frozen at ``when()`` (asked once, at the first signature), as
    a file system whose timestamps are coarse shows them after an edit soon after a run."""
    real = strategy_module.signature
    frozen: list[int] = []

    def coarse(path: str) -> Signature | None:
        seen = real(path)
        if seen is None:
            return None
        if not frozen:
            frozen.append(when())
        return (*seen[:3], frozen[0], frozen[0])

    monkeypatch.setattr(strategy_module, "signature", coarse)
    return coarse


def test_an_edit_within_the_racy_window_is_seen(repo: Path, reads: Reads, monkeypatch: pytest.MonkeyPatch) -> None:
    """Times frozen at the first run's start: the signature is blind to a same-size edit, and
    only the racy rule (times not older than the run's start by the margin) tells the index
    not to trust it."""
    coarse = _frozen_times(monkeypatch, time.time_ns)
    before = _same_as_no_cache(repo)
    target = _plan_file(repo, before)
    blind = coarse(str(target))
    _rewrite_same_size(target, "\nid: ", "\nix: ")
    assert coarse(str(target)) == blind, "the signature is blind to the edit"
    reads.clear()
    after = _same_as_no_cache(repo)
    assert after != before
    assert set(reads) == {path.name for path in _files(repo)}, "no entry is trusted: each file is read"


def test_the_racy_rule_is_what_reads_a_blind_signature(
    repo: Path, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same frozen signatures, an hour old: now trusted, so the previous test's reads are
    the racy rule's doing."""
    _frozen_times(monkeypatch, lambda: time.time_ns() - 3600 * 10**9)
    first = _same_as_no_cache(repo)
    reads.clear()
    assert check_in(repo) == first
    assert reads == Counter(_with_findings(first))


@pytest.mark.usefixtures("no_margin")
@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), id="one byte flipped"),
        pytest.param(lambda blob: os.urandom(len(blob)), id="random"),
        pytest.param(lambda blob: b"", id="empty"),
    ],
)
def test_a_corrupt_index_is_ignored_and_rewritten(repo: Path, reads: Reads, spoil: Callable[[bytes], bytes]) -> None:
    expected = _same_as_no_cache(repo)
    stats = _stats_file(repo)
    stats.write_bytes(spoil(stats.read_bytes()))
    reads.clear()
    assert check_in(repo) == expected
    assert set(reads) == {path.name for path in _files(repo)}
    reads.clear()
    assert check_in(repo) == expected
    assert reads == Counter(_with_findings(expected)), "the index was written anew"


@pytest.mark.usefixtures("no_margin")
def test_an_index_signed_by_anyone_else_is_ignored(repo: Path, reads: Reads, home: Path) -> None:
    expected = _same_as_no_cache(repo)
    stats = _stats_file(repo)
    secret = (home / ".cache" / "stratlint" / "secret").read_bytes()
    payload = read_signed(stats, secret)
    assert payload is not None
    # Entries that would be right, signed with another key (committed by someone, say).
    write_signed(stats, os.urandom(len(secret)), bytes(payload))
    reads.clear()
    assert check_in(repo) == expected
    assert set(reads) == {path.name for path in _files(repo)}


@pytest.mark.usefixtures("no_margin")
def test_no_cache_neither_reads_nor_writes_the_index(repo: Path, reads: Reads) -> None:
    check_in(repo, "--no-cache")
    assert not (repo / CACHE_FOLDER).exists()
    check_in(repo)
    stats = _stats_file(repo)
    written = stats.read_bytes()
    reads.clear()
    check_in(repo, "--no-cache")
    assert set(reads) == {path.name for path in _files(repo)}
    assert stats.read_bytes() == written


def _replace_by_inside_link(repo: Path, target: Path) -> None:
    elsewhere = repo / "elsewhere" / "moved.yaml"
    elsewhere.parent.mkdir()
    target.rename(elsewhere)
    target.symlink_to(elsewhere)


def _replace_by_outside_link(repo: Path, target: Path) -> None:
    outside = repo.parent / "outside.yaml"
    outside.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(outside)


def _replace_by_fifo(repo: Path, target: Path) -> None:
    target.unlink()
    os.mkfifo(target)


def _remove(repo: Path, target: Path) -> None:
    target.unlink()


def _add(repo: Path, target: Path) -> None:
    (target.parent / "added.yaml").write_bytes(target.read_bytes().replace(b"\nid: ", b"\nid: added-", 1))


@pytest.mark.usefixtures("no_margin")
@pytest.mark.parametrize(
    "change",
    [_replace_by_inside_link, _replace_by_outside_link, _replace_by_fifo, _remove, _add],
    ids=["link inside", "link outside", "FIFO", "removed", "added"],
)
def test_a_file_replaced_removed_or_added_is_seen(
    repo: Path, reads: Reads, change: Callable[[Path, Path], None]
) -> None:
    before = _same_as_no_cache(repo)
    target = _plan_file(repo, before)
    change(repo, target)
    after = _same_as_no_cache(repo)
    assert after != before
    # And the index after it is right too.
    assert _same_as_no_cache(repo) == after


@pytest.mark.usefixtures("no_margin")
def test_a_file_that_changes_before_its_late_read_makes_the_run_start_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file not read when listed (its signature unchanged) that changes before its bytes
    are asked for: the run starts again, reading every file, and reports the new bytes."""
    before = _same_as_no_cache(repo)
    # A file whose lines the report shows: a warm run reads it late, for the code frame.
    target = next(path for path in _files(repo) if path.name in _with_findings(before))
    edited = target.read_text(encoding="utf-8").replace("\nid: ", "\nix: ", 1)
    calls: Reads = Counter()

    def racing(path: str, max_bytes: int) -> bytes | object:
        calls[Path(path).name] += 1
        if Path(path) == target.resolve() and calls[target.name] == 1:
            target.write_text(edited, encoding="utf-8")  # after the stat, before the read
        return read_bounded(path, max_bytes)

    changed: list[str] = []
    real_raw = Source.raw

    def watched(source: Source) -> bytes | None:
        try:
            return real_raw.__get__(source)
        except SourceChanged as error:
            changed.append(error.path)
            raise

    with monkeypatch.context() as patch:
        patch.setattr(strategy_module, "read_bounded", racing)
        patch.setattr(Source, "raw", property(watched))
        during = check_in(repo)
    assert changed == [target.relative_to(repo).as_posix()]
    assert calls[target.name] == 2, "read late (changed), then again by the run that started over"
    assert during != before
    assert during == check_in(repo, "--no-cache")
    assert _same_as_no_cache(repo) == during


def test_a_source_read_late_is_checked_against_its_key(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"kind: value\n")
    key = content_key("a.yaml", b"kind: value\n")
    assert Source.unread("a.yaml", key, lambda: read_bounded(str(path), 100)).raw == b"kind: value\n"
    path.write_bytes(b"kind: other\n")
    late = Source.unread("a.yaml", key, lambda: read_bounded(str(path), 100))
    with pytest.raises(SourceChanged):
        _ = late.raw
    with pytest.raises(SourceChanged):
        _ = late.raw  # still: a changed file never reads as empty
    path.unlink()
    with pytest.raises(SourceChanged):
        _ = Source.unread("a.yaml", key, lambda: read_bounded(str(path), 100)).raw
