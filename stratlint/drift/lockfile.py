"""The review lock, ``stratlint.lock``: reading and writing its text. No strategy knowledge here.

The file is line-oriented and sorted, so a pull request shows one line per re-stamped
reference, and git merges two branches that stamped different references without conflict::

    # comments
    edge <dependent-id> <field> <target-id> <fingerprint>
    node <target-id> <fingerprint> <canonical JSON of the target's meaningful fields>

An ``edge`` line records the fingerprint of the target when the dependent was last reviewed.
A ``node`` line keeps the target's meaningful fields as they were at that fingerprint, so a
suspect reference can show what changed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from stratlint.load.read import read_bounded
from stratlint.problems import ProblemKind

LOCK_FILENAME = "stratlint.lock"

HEADER = (
    "# stratlint.lock -- review stamps. Written by 'stratlint lock' and 'stratlint review --accept';\n"
    "# do not edit by hand. 'edge' lines: the fingerprint of a strategy node when the entry that\n"
    "# references it was last reviewed. 'node' lines: that node's meaningful fields at that fingerprint.\n"
)

_TOKEN = r"[a-z0-9]+(?:[.-][a-z0-9]+)*"
_FIELD = r"[a-z_][a-z0-9_]*"
_FINGERPRINT = r"[0-9a-f]{16}"
_EDGE = re.compile(rf"^edge ({_TOKEN}) ({_FIELD}) ({_TOKEN}) ({_FINGERPRINT})$")
_NODE = re.compile(rf"^node ({_TOKEN}) ({_FINGERPRINT}) (\{{.*\}})$")
_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")

EdgeKey = tuple[str, str, str]
"""(dependent id, field, target id)."""


@dataclass(frozen=True, slots=True)
class LockProblem:
    line: int
    message: str


@dataclass(slots=True)
class Lock:
    """The parsed lock. ``present`` is False when there is no lock file at all."""

    path: str = LOCK_FILENAME
    """Relative to the repository root, with forward slashes."""
    present: bool = False
    edges: dict[EdgeKey, str] = field(default_factory=dict)
    """(dependent, field, target) -> the target's fingerprint when the dependent was reviewed."""
    edge_lines: dict[EdgeKey, int] = field(default_factory=dict)
    snapshots: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """(target, fingerprint) -> the target's meaningful fields at that fingerprint."""
    problems: list[LockProblem] = field(default_factory=list)


def parse_lock(text: str, path: str = LOCK_FILENAME) -> Lock:
    """Parse the lock's text. Never raises: every bad line becomes a problem at its line."""
    lock = Lock(path=path, present=True)
    unreadable, first_unreported = 0, 0
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(_MARKERS):
            lock.problems.append(
                LockProblem(
                    number,
                    "The lock file has an unresolved merge conflict. Keep the lines of both sides, delete the "
                    "conflict markers, and keep one line where both sides stamped the same reference; then run "
                    "'stratlint lock'.",
                )
            )
            continue
        if match := _EDGE.match(line):
            key = (match[1], match[2], match[3])
            if key in lock.edges and lock.edges[key] != match[4]:
                lock.problems.append(
                    LockProblem(
                        number,
                        f"The lock file stamps '{key[0]}' -> '{key[2]}' ({key[1]}) twice, with different "
                        f"fingerprints (first at line {lock.edge_lines[key]}). Keep one of the two lines.",
                    )
                )
                continue
            lock.edges[key] = match[4]
            lock.edge_lines.setdefault(key, number)
        elif (match := _NODE.match(line)) and isinstance(snapshot := _json_object(match[3]), dict):
            lock.snapshots[(match[1], match[2])] = snapshot
        else:
            unreadable += 1
            if unreadable <= MAX_LINE_PROBLEMS:
                lock.problems.append(
                    LockProblem(
                        number,
                        "This line of the lock file is not a review stamp ('edge <entry> <field> <node> "
                        "<fingerprint>' or 'node <node> <fingerprint> {...}'). Restore it from version control, "
                        "or delete it and run 'stratlint lock'.",
                    )
                )
            elif unreadable == MAX_LINE_PROBLEMS + 1:
                first_unreported = number
    if unreadable > MAX_LINE_PROBLEMS:
        more = unreadable - MAX_LINE_PROBLEMS
        lock.problems.append(
            LockProblem(
                first_unreported,
                f"{more:,} more line{'s' if more != 1 else ''} of the lock file, from this one on, "
                f"{'are' if more != 1 else 'is'} not review stamps either; only the first "
                f"{MAX_LINE_PROBLEMS} are reported one by one. Restore the file from version control, "
                "or delete it and run 'stratlint lock'.",
            )
        )
    return lock


MAX_LINE_PROBLEMS = 20
"""Unreadable lines reported one by one; the rest are one finding with their count."""


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def canonical_json(value: Any) -> str:
    """One line, keys sorted, no insignificant whitespace: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def render_lock(edges: dict[EdgeKey, str], snapshots: dict[tuple[str, str], dict[str, Any]]) -> str:
    """The lock's text: the header, then every edge line sorted, then every node line still used."""
    used = {(target, fingerprint) for (_, _, target), fingerprint in edges.items()}
    lines = [f"edge {dependent} {field_name} {target} {fp}" for (dependent, field_name, target), fp in edges.items()]
    lines.sort()
    nodes = [
        f"node {target} {fp} {canonical_json(snapshot)}"
        for (target, fp), snapshot in snapshots.items()
        if (target, fp) in used
    ]
    nodes.sort()
    return HEADER + "".join(line + "\n" for line in lines + nodes)


def read_lock(path: str, relpath: str, *, max_bytes: int = 16 * 1024 * 1024) -> Lock:
    """Read the lock file at ``path``. A missing file is an absent lock, not a problem. Never raises."""
    if not os.path.lexists(path):
        return Lock(path=relpath, present=False)
    raw = read_bounded(path, max_bytes)
    if not isinstance(raw, bytes):
        lock = Lock(path=relpath, present=True)
        if raw.kind is ProblemKind.FILE_TOO_LARGE:
            # max-file-size is for strategy files; a lock this large is not one stratlint wrote.
            reason = (
                f"it is larger than {max_bytes // (1024 * 1024)} MB, far more than any strategy needs, so it is not "
                "read. Restore it from version control, or delete it and run 'stratlint lock'."
            )
        else:
            reason = raw.message[:1].lower() + raw.message[1:]
        lock.problems.append(LockProblem(1, f"The lock file cannot be used: {reason}"))
        return lock
    return lock_from_bytes(raw, relpath)


def lock_from_bytes(data: bytes, relpath: str) -> Lock:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        lock = Lock(path=relpath, present=True)
        line = data.count(b"\n", 0, error.start) + 1
        lock.problems.append(
            LockProblem(
                line,
                "The lock file is not UTF-8 text. Restore it from version control, or delete it "
                "and run 'stratlint lock'.",
            )
        )
        return lock
    return parse_lock(text, relpath)
