"""The baseline: today's findings, recorded by fingerprint, so a team can adopt stratlint on
a repository with known problems and fail only on new ones.

The file is JSON with one finding per line, sorted, so that a diff of the baseline reads
as the list of findings fixed (or accepted):

    {"stratlint-baseline": 1, "findings": [
    {"fingerprint": "...", "count": 1, "code": "SL304", "path": "strategy/value.yaml", "message": "..."}
    ]}

Fingerprints leave out lines and columns, so moving lines does not make an old finding
new. Several findings can share a fingerprint; the count says how many are accepted.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stratlint.diagnostics import Diagnostic, mark_known
from stratlint.fileio import write_file
from stratlint.load.read import read_bounded, unread_reason

FORMAT = 1
DEFAULT_FILENAME = ".stratlint-baseline.json"
MAX_BYTES = 64 * 1024 * 1024
"""The largest baseline read: a quarter of a million findings, far more than any repository
records. Beyond it, or anything but a regular file (a FIFO, a device), is refused."""


class BaselineError(Exception):
    """The baseline file cannot be used."""


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    counts: Mapping[str, int] = field(default_factory=dict)

    def split(self, diagnostics: Iterable[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """The findings that are not in the baseline, and those it hides.

        ``diagnostics`` should be in report order: when a fingerprint has more findings than
        the baseline accepts, the later ones are new."""
        marked = mark_known(diagnostics, self.counts)
        return [d for d, known in marked if not known], [d for d, known in marked if known]

    def filter(self, diagnostics: Iterable[Diagnostic]) -> tuple[list[Diagnostic], int]:
        """The findings that are not in the baseline, and how many it hid."""
        kept, hidden = self.split(diagnostics)
        return kept, len(hidden)


def render_baseline(diagnostics: Iterable[Diagnostic]) -> str:
    """The baseline file's text for these findings: sorted, one entry per line."""
    counts: Counter[str] = Counter()
    first: dict[str, Diagnostic] = {}
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        key = diagnostic.fingerprint
        counts[key] += 1
        first.setdefault(key, diagnostic)
    entries = sorted(
        (
            {
                "fingerprint": key,
                "count": counts[key],
                "code": first[key].code,
                "path": first[key].path,
                "message": first[key].message,
            }
            for key in counts
        ),
        key=lambda entry: (entry["path"], entry["code"], entry["message"], entry["fingerprint"]),
    )
    lines = [json.dumps(entry, ensure_ascii=False) for entry in entries]
    body = ",\n".join(lines)
    return f'{{"stratlint-baseline": {FORMAT}, "findings": [\n{body}{chr(10) if lines else ""}]}}\n'


def save_baseline(path: Path, diagnostics: Iterable[Diagnostic]) -> None:
    """Write the baseline file atomically (into it, when it is a device or a FIFO); raise
    BaselineError with a readable reason."""
    try:
        write_file(path, render_baseline(diagnostics))
    except OSError as error:
        raise BaselineError(f"{path}: the baseline file cannot be written: {error.strerror or error}") from None


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; raise BaselineError with a readable reason."""
    if not os.path.lexists(path):
        raise BaselineError(f"{path}: no such baseline file. Create it with 'stratlint baseline --output {path}'.")
    raw = read_bounded(str(path), MAX_BYTES)
    if not isinstance(raw, bytes):
        raise BaselineError(f"{path}: the baseline file cannot be read: {unread_reason(raw, MAX_BYTES)}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BaselineError(f"{path}: the baseline file cannot be read: {error}") from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{path}: the baseline file is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}). Recreate it with 'stratlint baseline'."
        ) from None
    if not isinstance(document, dict) or document.get("stratlint-baseline") != FORMAT:
        raise BaselineError(
            f'{path}: not a stratlint baseline file (expected "stratlint-baseline": {FORMAT}). '
            "Recreate it with 'stratlint baseline'."
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(
            f"{path}: the baseline file has no \"findings\" list. Recreate it with 'stratlint baseline'."
        )
    counts: Counter[str] = Counter()
    for index, entry in enumerate(findings):
        key = entry.get("fingerprint") if isinstance(entry, dict) else None
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not isinstance(key, str) or not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(
                f'{path}: finding {index + 1} in the baseline file needs a "fingerprint" text and a '
                "positive \"count\". Recreate it with 'stratlint baseline'."
            )
        counts[key] += count
    return Baseline(path, dict(counts))
