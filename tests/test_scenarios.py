"""End-to-end scenarios on a copy of the bundled strategy: each break gives exit 1 and a
finding at the right file and line, in text and in JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import invoke


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def delete_value_definition(root: Path) -> tuple[str, str, int | None]:
    (root / "value.yaml").unlink()
    return "SL102", "strategy", None  # about the strategy as a whole: the folder, no line


def break_reference(root: Path) -> tuple[str, str, int]:
    path = root / "product" / "close-automation.yaml"
    text = path.read_text()
    match = re.search(r"narrative: \[([a-z0-9.-]+)", text)
    assert match
    line = text[: match.start()].count("\n") + 1
    path.write_text(text[: match.start(1)] + match.group(1) + "-typo" + text[match.end(1) :])
    return "SL201", "strategy/product/close-automation.yaml", line


def duplicate_id(root: Path) -> tuple[str, str, int]:
    path = root / "marketing" / "launches.yaml"
    text = path.read_text()
    first = re.search(r"^  - id: ([a-z0-9.-]+)$", text, re.MULTILINE)
    second = re.search(r"^  - id: ([a-z0-9.-]+)$", text[first.end() :], re.MULTILINE)  # type: ignore[union-attr]
    assert first and second
    start = first.end() + second.start(1)
    path.write_text(text[:start] + first.group(1) + text[start + len(second.group(1)) :])
    return "SL101", "strategy/marketing/launches.yaml", text[:start].count("\n") + 1


def break_yaml_syntax(root: Path) -> tuple[str, str, int]:
    path = root / "sales" / "pe-backed.yaml"
    lines = path.read_text().splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("    name:"))
    lines[target] = lines[target].replace("    name:", "   name: [unclosed", 1)
    path.write_text("".join(lines))
    return "SL001", "strategy/sales/pe-backed.yaml", target + 1


def add_duplicate_key(root: Path) -> tuple[str, str, int]:
    path = root / "governance.yaml"
    text = path.read_text()
    line = _line_of(path, "title:")
    lines = text.splitlines(keepends=True)
    lines.insert(line, "title: A second title\n")
    path.write_text("".join(lines))
    return "SL002", "strategy/governance.yaml", line + 1


@pytest.mark.parametrize(
    "mutate", [delete_value_definition, break_reference, duplicate_id, break_yaml_syntax, add_duplicate_key]
)
def test_break_is_reported_at_file_and_line(
    strategy_copy: Path, mutate: Callable[[Path], tuple[str, str, int | None]]
) -> None:
    code, path, line = mutate(strategy_copy)
    cwd = strategy_copy.parent

    text = invoke("check", "strategy", "--no-color", cwd=cwd)
    assert text.exit_code == 1, text.output
    where = re.escape(path) if line is None else rf"{re.escape(path)}:{line}:\d+"
    assert re.search(rf"^{where}: {code} \[error\] ", text.output, re.MULTILINE), text.output

    as_json = invoke("check", "strategy", "--format", "json", cwd=cwd)
    assert as_json.exit_code == 1
    found = json.loads(as_json.output)["diagnostics"]
    assert any(d["code"] == code and d["path"] == path and d["line"] == line for d in found), found


def test_bundled_strategy_is_clean_at_every_severity() -> None:
    from conftest import STRATEGY, check_json

    status, document = check_json(STRATEGY, "--fail-on", "info")
    assert status == 0
    assert document["diagnostics"] == []
    assert document["summary"]["files"] >= 10
    for function in ("product", "marketing", "sales"):
        assert document["summary"]["alignment"][function]["entries"] >= 20


def test_a_file_that_fails_to_load_reports_its_own_errors_not_their_consequences(strategy_copy: Path) -> None:
    """One typo in a roadmap file must not make its items 'missing' everywhere else: no claim
    becomes unbacked, no pillar uncovered, no node an orphan. The summary says why."""
    path = strategy_copy / "product" / "consolidation.yaml"
    path.write_text(path.read_text().replace("    owner:", "    ownr:", 1))
    result = invoke("check", "strategy", "--format", "json", cwd=strategy_copy.parent)
    assert result.exit_code == 1
    document = json.loads(result.output)
    codes = {d["code"] for d in document["diagnostics"]}
    assert codes == {"SL003"}, document["diagnostics"]
    assert all(d["path"] == "strategy/product/consolidation.yaml" for d in document["diagnostics"])
    # The misspelled field is taken for the one it names, so the file, and every item in it,
    # still loads: nothing needs to be said about a file that could not be read.
    assert not [note for note in document["summary"]["notes"] if "could not be read" in note]
    assert document["summary"]["alignment"]["product"]["entries"] == 30
