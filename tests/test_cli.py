"""The command line contract: output shape, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stratlint.analysis.engine import Engine
from stratlint.rules import RULES

from conftest import PROJECT, invoke, run_stratlint

LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SL\d{3}) \[(?P<sev>error|warning|info)\] .+$"
)


def test_check_without_argument_lints_bundled_strategy_cleanly() -> None:
    result = invoke("check", "--no-color", cwd=PROJECT)
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output
    for function in ("product", "marketing", "sales", "overall"):
        assert re.search(rf"^  {function}\s+\d+%", result.output, re.MULTILINE), function


def test_check_through_the_real_executable() -> None:
    completed = run_stratlint("check", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["diagnostics"] == []
    assert set(document["summary"]["alignment"]) == {"product", "marketing", "sales", "overall"}
    assert completed.stderr == ""


def test_text_lines_have_the_documented_shape(strategy_copy: Path) -> None:
    narrative = strategy_copy / "narrative.yaml"
    narrative.write_text(narrative.read_text().replace("thesis:", "thesiss:", 1))
    result = invoke("check", strategy_copy, "--no-color")
    assert result.exit_code == 1
    findings = [line for line in result.output.splitlines() if LINE.match(line)]
    assert findings, result.output
    assert all(LINE.match(line).group("code") for line in findings)  # type: ignore[union-attr]


def test_missing_folder_is_a_one_line_usage_error(tmp_path: Path) -> None:
    completed = run_stratlint("check", tmp_path / "nope")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert "no such folder" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_file_without_a_strategy_folder_is_a_usage_error(tmp_path: Path) -> None:
    # A file names a changed file (as a pre-commit hook passes them); the strategy root is
    # still the folder, here the default ./strategy, which is missing.
    target = tmp_path / "x.yaml"
    target.write_text("a: 1\n")
    result = invoke("check", target, cwd=tmp_path)
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_bad_option_exits_2() -> None:
    assert invoke("check", "--format", "nope").exit_code == 2
    assert invoke("check", "--fail-on", "fatal").exit_code == 2


def test_internal_error_is_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(Engine, "check_strategy", boom)
    result = invoke("check", "--no-cache", cwd=PROJECT)
    assert result.exit_code == 2
    assert "internal error: RuntimeError: simulated failure" in result.output
    assert "Traceback" not in result.output
    debug = invoke("check", "--no-cache", "--debug", cwd=PROJECT)
    assert debug.exit_code == 2
    assert "Traceback" in debug.output


def test_fail_on_warning_fails_on_warnings(strategy_copy: Path) -> None:
    # Retiring nothing and adding an unreferenced belief gives a warning (orphan-node) only.
    value = strategy_copy / "value.yaml"
    value.write_text(
        value.read_text().replace(
            "beliefs:\n", "beliefs:\n  - id: belief-unused\n    statement: Nobody cites this.\n", 1
        )
    )
    assert invoke("check", strategy_copy).exit_code == 0
    assert invoke("check", strategy_copy, "--fail-on", "warning").exit_code == 1


def test_rules_lists_every_rule() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    for rule in RULES:
        assert rule.code in result.output and rule.name in result.output
    listed = json.loads(invoke("rules", "--format", "json").output)
    assert [item["code"] for item in listed] == [rule.code for rule in RULES]


@pytest.mark.parametrize("key", ["SL201", "sl201", "dangling-reference"])
def test_explain_by_code_or_name(key: str) -> None:
    result = invoke("explain", key)
    assert result.exit_code == 0
    assert result.output.startswith("SL201 dangling-reference [error]")
    assert "Bad" in result.output and "Fix" in result.output


def test_explain_unknown_rule_exits_2() -> None:
    result = invoke("explain", "SL999")
    assert result.exit_code == 2
    assert "stratlint rules" in result.output


def test_color_only_when_asked(strategy_copy: Path) -> None:
    (strategy_copy / "value.yaml").unlink()
    plain = invoke("check", strategy_copy, "--no-color").output
    colored = invoke("check", strategy_copy, "--color").output
    assert "\x1b[" not in plain
    assert "\x1b[" in colored


def test_version() -> None:
    assert re.search(r"stratlint, version \d+\.\d+\.\d+", invoke("--version").output)


def test_every_command_is_listed_with_its_module() -> None:
    """Commands are imported on demand from the module COMMANDS names: a command missing
    there could never run, and one listed under the wrong module would fail."""
    import importlib
    import pkgutil

    import stratlint.cli as package
    from stratlint.cli import COMMANDS, cli

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"stratlint.cli.{module.name}")
    assert set(cli.commands) == set(COMMANDS)
    for name, module in COMMANDS.items():
        callback = cli.commands[name].callback
        assert callback is not None and callback.__module__ == f"stratlint.cli.{module}", name
