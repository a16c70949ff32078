"""check --output FILE: the chosen format goes to the file, atomically; the terminal shows text."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from stratlint import fileio
from stratlint.report import REPORTERS

from conftest import STRATEGY, invoke, run_stratlint

TEXT_LINE = re.compile(r"^[^:\n]+:\d+:\d+: SL\d{3} \[(error|warning|info)\] .+$", re.MULTILINE)


@pytest.fixture
def broken_repo(tmp_path: Path) -> Path:
    """A repository folder holding a copy of the bundled strategy with one dangling reference."""
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    path = tmp_path / "strategy" / "product" / "close-automation.yaml"
    text = path.read_text()
    match = re.search(r"narrative: \[([a-z0-9.-]+)", text)
    assert match
    path.write_text(text[: match.end(1)] + "-typo" + text[match.end(1) :])
    (tmp_path / ".git").mkdir()  # the repository root, for relative paths
    return tmp_path


def test_sarif_to_a_file_and_text_to_the_terminal(broken_repo: Path) -> None:
    result = invoke("check", "strategy", "--format", "sarif", "--output", "out.sarif", "--no-color", cwd=broken_repo)
    assert result.exit_code == 1, result.output
    assert TEXT_LINE.search(result.stdout), result.stdout
    assert "Found 1 error" in result.stdout
    assert "$schema" not in result.stdout
    document = json.loads((broken_repo / "out.sarif").read_text())
    (found,) = document["runs"][0]["results"]
    assert found["ruleId"] == "SL201"
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "strategy/product/close-automation.yaml"
    )


@pytest.mark.parametrize("name", list(REPORTERS))
def test_the_file_holds_exactly_what_the_format_prints(broken_repo: Path, name: str) -> None:
    printed = invoke("check", "strategy", "--format", name, "--no-color", cwd=broken_repo)
    written = invoke("check", "strategy", "--format", name, "--output", f"report.{name}", "--no-color", cwd=broken_repo)
    assert printed.exit_code == written.exit_code == 1
    assert (broken_repo / f"report.{name}").read_text(encoding="utf-8") == printed.stdout
    assert written.stdout == invoke("check", "strategy", "--no-color", cwd=broken_repo).stdout


def test_the_file_never_gets_terminal_colors(broken_repo: Path) -> None:
    result = invoke("check", "strategy", "--output", "report.txt", "--color", cwd=broken_repo)
    assert "\x1b[" in result.stdout
    assert "\x1b[" not in (broken_repo / "report.txt").read_text()


def test_a_failed_write_exits_2_and_keeps_the_old_file(broken_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = broken_repo / "reports" / "stratlint.sarif"
    target.parent.mkdir()
    target.write_text("the previous report\n")

    def disk_full(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", disk_full)
    result = invoke("check", "strategy", "--format", "sarif", "--output", target, cwd=broken_repo)
    assert result.exit_code == 2
    assert result.stderr == f"stratlint: cannot write {target}: No space left on device\n"
    assert "Traceback" not in result.output
    assert target.read_text() == "the previous report\n"
    assert sorted(os.listdir(target.parent)) == ["stratlint.sarif"], "a temporary file was left behind"


def test_a_missing_folder_exits_2_with_one_line(broken_repo: Path) -> None:
    target = broken_repo / "no-such-folder" / "out.sarif"
    result = run_stratlint("check", "strategy", "--format", "sarif", "--output", target, cwd=broken_repo)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr and str(target) in result.stderr
    assert "does not exist; create it first" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.parent.exists()


def test_output_through_the_real_executable(broken_repo: Path) -> None:
    completed = run_stratlint(
        "check", "strategy", "--format", "junit", "--output", "junit.xml", "--no-color", cwd=broken_repo
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == ""
    assert TEXT_LINE.search(completed.stdout)
    report = (broken_repo / "junit.xml").read_text()
    assert report.startswith("<?xml") and 'type="SL201"' in report
    assert not [name for name in os.listdir(broken_repo) if name.endswith(".tmp")]


def test_a_clean_strategy_writes_the_file_and_exits_0(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    result = invoke("check", "strategy", "--format", "gitlab", "--output", "gl.json", cwd=tmp_path)
    assert result.exit_code == 0
    assert json.loads((tmp_path / "gl.json").read_text()) == []
    assert "All checks passed" in result.stdout


def test_help_documents_output() -> None:
    help_text = invoke("check", "--help").output
    assert "--output" in help_text and "atomically" in help_text
