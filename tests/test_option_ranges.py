"""Out-of-range numbers on the command line and in the configuration are one-line usage
errors (exit 2), never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import invoke
from strategy_trees import make_repo


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--max-proof-age-months", "24400", "more than 1200"),
        ("--max-proof-age-months", str(2**63 - 1), "more than 1200"),
        ("--max-proof-age-months", "0", "0"),
        ("--jobs", "100000", "not in the range 1<=x<=64"),
        ("--jobs", "0", "not in the range"),
        ("--max-file-size", "0", "0"),
    ],
)
def test_out_of_range_flags_are_usage_errors(tmp_path: Path, flag: str, value: str, words: str) -> None:
    repo, _ = make_repo(tmp_path)
    result = invoke("check", "strategy", flag, value, cwd=repo)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith("stratlint: ") and words in line, line
    assert "internal error" not in line


@pytest.mark.parametrize(
    "table", ["max-proof-age-months = 9223372036854775807", "[rules.stale-proof-point]\nmax-age-months = 24400"]
)
def test_out_of_range_configuration_is_a_configuration_error(tmp_path: Path, table: str) -> None:
    repo, _ = make_repo(tmp_path)
    (repo / "stratlint.toml").write_text(table + "\n", encoding="utf-8")
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("stratlint: stratlint.toml: "), result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("command", ["check", "baseline"])
def test_an_empty_output_path_is_a_usage_error(tmp_path: Path, command: str) -> None:
    repo, _ = make_repo(tmp_path)
    result = invoke(command, "strategy", "--output", "", cwd=repo)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert "the path is empty" in line, line
