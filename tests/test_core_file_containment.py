"""One unreadable core file stays one file's findings.

The value definition, the narrative, the priorities and the governance file are what
everything else cites. When one of them cannot be read (a syntax error, a misspelt kind),
the run reports that file's own errors and holds back everything that depends on it, with
one note, instead of hundreds of dangling references.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import invoke

CORE = ("value", "narrative", "priorities", "governance")


def _file_of_kind(root: Path, kind: str) -> Path:
    for path in sorted(root.rglob("*.yaml")):
        if re.search(rf"^kind: {kind}\s*$", path.read_text(encoding="utf-8"), re.MULTILINE):
            return path
    raise AssertionError(f"no {kind} file under {root}")


def _syntax_error(text: str, kind: str) -> str:
    return text + "\nbroken: [unclosed\n"


def _misspelt_kind(text: str, kind: str) -> str:
    return re.sub(rf"^kind: {kind}\s*$", f"kind: {kind[:-1]}", text, count=1, flags=re.MULTILINE)


@pytest.mark.parametrize("kind", CORE)
@pytest.mark.parametrize("breakage", [_syntax_error, _misspelt_kind])
def test_an_unreadable_core_file_is_reported_once(strategy_copy: Path, kind: str, breakage: object) -> None:
    assert callable(breakage)
    path = _file_of_kind(strategy_copy, kind)
    path.write_text(breakage(path.read_text(encoding="utf-8"), kind), encoding="utf-8")
    relpath = path.relative_to(strategy_copy.parent).as_posix()
    result = invoke("check", "strategy", "--format", "json", cwd=strategy_copy.parent)
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    found = [(d["code"], d["path"]) for d in document["diagnostics"]]
    assert found, "the broken file is reported"
    assert {where for _, where in found} == {relpath}, found
    assert len(found) <= 2, found
    notes = document["summary"]["notes"]
    assert any("could not be read in full" in note for note in notes), notes
