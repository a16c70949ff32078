"""The lock file's text: parse, render, and every malformed line as a problem at its line."""

from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stratlint.drift.lockfile import MAX_LINE_PROBLEMS, lock_from_bytes, parse_lock, read_lock, render_lock
from stratlint.rules.drift import months_before

FP_A, FP_B = "0123456789abcdef", "fedcba9876543210"


def test_render_then_parse_round_trips_and_is_sorted() -> None:
    edges = {("rm-b", "narrative", "claim-x"): FP_A, ("msg-a", "value", "diff-y"): FP_B}
    snapshots = {("claim-x", FP_A): {"statement": "Close in 3 days\nreally"}, ("diff-y", FP_B): {"statement": "é"}}
    text = render_lock(edges, {**snapshots, ("claim-x", FP_B): {"statement": "unused"}})
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == sorted(body)
    assert not any("unused" in line for line in body)
    lock = parse_lock(text)
    assert lock.problems == []
    assert lock.edges == edges
    assert lock.snapshots == snapshots


def test_duplicate_stamp_with_different_fingerprints_is_a_problem_at_the_second_line() -> None:
    text = f"edge msg-a value diff-y {FP_A}\nedge msg-a value diff-y {FP_A}\nedge msg-a value diff-y {FP_B}\n"
    lock = parse_lock(text)
    assert [problem.line for problem in lock.problems] == [3]
    assert "twice" in lock.problems[0].message


def test_merge_markers_and_garbage_are_problems_at_their_lines() -> None:
    text = "# header\n<<<<<<< HEAD\nedge a b c 12\n=======\n>>>>>>> theirs\nnode x 0123456789abcdef [1]\n"
    lock = parse_lock(text)
    assert [problem.line for problem in lock.problems] == [2, 3, 4, 5, 6]
    assert "merge conflict" in lock.problems[0].message


def test_a_byte_order_mark_is_not_a_problem() -> None:
    text = render_lock({("msg-a", "value", "diff-y"): FP_A}, {})
    lock = lock_from_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), "strategy/stratlint.lock")
    assert lock.problems == []
    assert lock.edges == {("msg-a", "value", "diff-y"): FP_A}


def test_garbage_is_reported_line_by_line_up_to_a_cap_then_counted() -> None:
    text = f"edge msg-a value diff-y {FP_A}\n" + "".join(f"garbage {n}\n" for n in range(1000))
    lock = parse_lock(text)
    assert len(lock.problems) == MAX_LINE_PROBLEMS + 1
    assert [problem.line for problem in lock.problems[:MAX_LINE_PROBLEMS]] == list(range(2, MAX_LINE_PROBLEMS + 2))
    last = lock.problems[-1]
    assert last.line == MAX_LINE_PROBLEMS + 2
    assert f"{1000 - MAX_LINE_PROBLEMS:,} more lines of the lock file" in last.message
    assert lock.edges == {("msg-a", "value", "diff-y"): FP_A}


def test_a_lock_too_large_to_read_does_not_point_at_max_file_size(tmp_path: Path) -> None:
    path = tmp_path / "stratlint.lock"
    path.write_bytes(b"# header\n" * 300_000)
    lock = read_lock(str(path), "strategy/stratlint.lock", max_bytes=1024 * 1024)
    [problem] = lock.problems
    assert "larger than 1 MB" in problem.message and "stratlint lock" in problem.message
    assert "max-file-size" not in problem.message


@given(st.text())
def test_parsing_never_raises(text: str) -> None:
    lock = parse_lock(text)
    assert all(problem.line >= 1 for problem in lock.problems)


def test_months_before_clamps_to_the_end_of_shorter_months() -> None:
    assert months_before(datetime.date(2026, 11, 24), 18) == datetime.date(2025, 5, 24)
    assert months_before(datetime.date(2026, 8, 31), 18) == datetime.date(2025, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 1) == datetime.date(2025, 12, 15)
