"""Builds rule fixture trees and reads the findings they expect.

A fixture (``tests/fixtures/rules/<CODE>-<name>/bad`` or ``.../good``) is an overlay on the
shared clean strategy in ``tests/fixtures/rules/_base``:

- a file at the same relative path replaces the base file; a new path adds a file;
- ``<name>.delete`` deletes ``<name>`` from the base;
- a fixture holding ``standalone.txt`` is a complete tree of its own, not an overlay (its
  text says why); tests/test_drift_rules.py checks those;
- ``make.py`` (optional) runs in the built strategy folder, to create what cannot be kept
  as text (FIFOs, bad bytes, very large or very deep files);
- ``stratlint.toml`` (optional) is the run's configuration, e.g. for ``extra-schemas``; it is
  read as ``--config`` would read it, and paths in it are relative to the strategy folder;
- unless the fixture brings a ``stratlint.lock`` of its own, the built tree is stamped as
  ``stratlint lock`` would stamp it, as in a repository that commits its lock; fixtures
  about the lock itself (SL601, SL604, SL605) bring theirs;
- expected findings are marked on their line with a trailing ``# expect: SL201`` comment
  (several: ``# expect: SL303, SL303``), or listed in ``expect.txt`` as
  ``<path relative to the fixture> <line> <CODE>`` (``.`` is the strategy folder itself).

The tree is built as ``<tmp>/strategy``; lint it with ``repo_root=<tmp>`` so that paths in
diagnostics read ``strategy/...``.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.diagnostics import Diagnostic
from stratlint.drift.lockfile import LOCK_FILENAME

from strategy_trees import stamp

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
BASE = FIXTURES / "_base"
STRATEGY = "strategy"

EXPECT_FILE = "expect.txt"
MAKE_FILE = "make.py"
CONFIG_FILE = "stratlint.toml"
DELETE_SUFFIX = ".delete"
STANDALONE_FILE = "standalone.txt"
_CONTROL_FILES = {EXPECT_FILE, MAKE_FILE, STANDALONE_FILE}
TODAY = datetime.date(2026, 11, 24)
"""Every fixture is linted as of this day, so rules about age give the same answer forever."""

_MARKER = re.compile(r"#\s*expect:\s*(SL\d{3}(?:\s*,\s*SL\d{3})*)\s*$")
_CODE = re.compile(r"SL\d{3}\Z")

Finding = tuple[str, str, int]
"""(code, path relative to the tmp folder, line)."""


def fixture_files(fixture: Path) -> list[Path]:
    """The overlay files of a fixture (control files left out), relative to it, sorted."""
    return sorted(
        path.relative_to(fixture)
        for path in fixture.rglob("*")
        if path.is_file() and path.relative_to(fixture).as_posix() not in _CONTROL_FILES
    )


def build_tree(fixture: Path, tmp: Path) -> Path:
    """Copy the base to ``tmp/strategy``, apply the fixture's overlay, run its make.py."""
    root = tmp / STRATEGY
    shutil.copytree(BASE, root)
    for relative in fixture_files(fixture):
        if relative.name.endswith(DELETE_SUFFIX):
            target = root / relative.with_name(relative.name.removesuffix(DELETE_SUFFIX))
            assert target.is_file(), f"{fixture / relative}: there is no base file {target.name} to delete"
            target.unlink()
            continue
        destination = root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture / relative, destination)
    make = fixture / MAKE_FILE
    if make.is_file():
        subprocess.run([sys.executable, str(make)], cwd=root, check=True, timeout=60)
    if not (root / LOCK_FILENAME).exists():
        stamp(root, tmp)
    return root


def lint_tree(tmp: Path) -> list[Diagnostic]:
    """Lint ``tmp/strategy`` with ``tmp`` as the repository root, at default settings or with
    the fixture's own stratlint.toml, as of the pinned day."""
    root = tmp / STRATEGY
    settings = Settings(root=root, repo_root=tmp, today=TODAY)
    config = root / CONFIG_FILE
    if config.is_file():
        settings = replace(resolve_settings(root, CommandLineOptions(config=config)), repo_root=tmp, today=TODAY)
    return list(lint(settings).diagnostics)


def _in_tree(relative: str) -> str:
    return STRATEGY if relative in (".", "") else f"{STRATEGY}/{relative}"


def expected_findings(fixture: Path) -> Counter[Finding]:
    """Every finding the fixture marks: inline ``# expect:`` comments and expect.txt lines."""
    expected: Counter[Finding] = Counter()
    for relative in fixture_files(fixture):
        if relative.name.endswith(DELETE_SUFFIX):
            continue
        text = (fixture / relative).read_bytes().decode("utf-8", "replace")
        for number, line in enumerate(text.split("\n"), start=1):
            match = _MARKER.search(line)
            if match:
                for code in match.group(1).split(","):
                    expected[(code.strip(), _in_tree(relative.as_posix()), number)] += 1
    listing = fixture / EXPECT_FILE
    if listing.is_file():
        for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split()
            assert len(parts) == 3 and parts[1].isdigit() and _CODE.match(parts[2]), (
                f"{listing}:{number}: expected '<path> <line> <CODE>', got {line!r}"
            )
            expected[(parts[2], _in_tree(parts[0]), int(parts[1]))] += 1
    return expected


def found_findings(diagnostics: list[Diagnostic]) -> Counter[Finding]:
    return Counter((diagnostic.code, diagnostic.path, diagnostic.line) for diagnostic in diagnostics)


def describe(diagnostics: list[Diagnostic]) -> str:
    """One line per diagnostic, for assertion messages."""
    return "\n".join(
        f"  {d.path}:{d.line}:{d.column} {d.code} {d.message}" for d in sorted(diagnostics, key=Diagnostic.sort_key)
    )
