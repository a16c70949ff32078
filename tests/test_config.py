"""Configuration: discovery, precedence of file and flags, provenance, and errors (exit 2, one
line naming the file and the key, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratlint.config import CommandLineOptions, find_config_file, resolve_config, resolve_settings
from stratlint.diagnostics import Severity

from conftest import invoke, run_stratlint
from strategy_trees import make_repo, plant_dangling_priority, plant_orphan_differentiator


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_json(*args: str | Path, cwd: Path) -> dict[str, object]:
    result = invoke("config", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# -- discovery -------------------------------------------------------------------------------


def test_config_is_found_by_walking_up_from_the_target(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    config = write(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.stratlint]\nfail-on = "warning"\n')
    assert find_config_file(strategy) == config
    assert find_config_file(strategy / "marketing" / "messaging.yaml") == config


def test_pyproject_without_a_stratlint_table_does_not_count(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(strategy / "pyproject.toml", '[project]\nname = "x"\n')
    outer = write(repo / "stratlint.toml", 'fail-on = "info"\n')
    assert find_config_file(strategy) == outer


def test_nearest_folder_wins_and_within_a_folder_the_dotted_file_first(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "stratlint.toml", 'fail-on = "info"\n')
    inner_pyproject = write(strategy / "pyproject.toml", '[tool.stratlint]\nfail-on = "warning"\n')
    assert find_config_file(strategy) == inner_pyproject
    inner_plain = write(strategy / "stratlint.toml", 'fail-on = "warning"\n')
    assert find_config_file(strategy) == inner_plain
    inner_dotted = write(strategy / ".stratlint.toml", 'fail-on = "warning"\n')
    assert find_config_file(strategy) == inner_dotted


def test_config_flag_overrides_discovery(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "stratlint.toml", 'fail-on = "info"\n')
    other = write(tmp_path / "elsewhere" / "ci.toml", 'fail-on = "warning"\n')
    settings = resolve_settings(strategy, CommandLineOptions(config=other))
    assert settings.fail_on is Severity.WARNING


def test_no_config_means_defaults(tmp_path: Path) -> None:
    make_repo(tmp_path)
    document = config_json("repo/strategy", cwd=tmp_path)
    assert document["config_file"] is None
    options = document["options"]
    assert isinstance(options, dict)
    assert {item["source"] for item in options.values()} == {"default", "command line"}
    assert options["root"] == {"value": "repo/strategy", "source": "command line"}
    assert options["select"] == {"value": ["ALL"], "source": "default"}


# -- precedence and effect -------------------------------------------------------------------


def test_root_is_relative_to_the_config_file_and_used_when_no_path_is_given(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    (strategy).rename(repo / "gtm")
    write(repo / "pyproject.toml", '[tool.stratlint]\nroot = "gtm"\n')
    plant_dangling_priority(repo / "gtm")
    work = repo / "docs"
    work.mkdir()
    result = invoke("check", "--format", "json", cwd=work)
    assert result.exit_code == 1, result.output
    paths = {d["path"] for d in json.loads(result.stdout)["diagnostics"]}
    assert paths == {"gtm/marketing/messaging.yaml"}
    root = config_json(cwd=work)["options"]["root"]  # type: ignore[index]
    assert root == {"value": "../gtm", "source": "../pyproject.toml"}


def test_fail_on_from_the_file_and_from_the_flag(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_orphan_differentiator(strategy)
    assert invoke("check", strategy, cwd=repo).exit_code == 0  # a warning does not fail by default
    write(repo / "pyproject.toml", '[tool.stratlint]\nfail-on = "warning"\n')
    assert invoke("check", strategy, cwd=repo).exit_code == 1
    assert invoke("check", strategy, "--fail-on", "error", cwd=repo).exit_code == 0
    options = config_json(strategy, "--fail-on", "error", cwd=repo)["options"]
    assert options["fail-on"] == {"value": "error", "source": "command line"}  # type: ignore[index]


def test_severity_and_ignores_from_file_and_flags_combine(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_orphan_differentiator(strategy)
    plant_dangling_priority(strategy)
    write(repo / "stratlint.toml", '[severity]\norphan-node = "error"\n')

    def codes(*flags: str) -> dict[str, str]:
        result = invoke("check", strategy, "--format", "json", *flags, cwd=repo)
        return {d["code"]: d["severity"] for d in json.loads(result.stdout)["diagnostics"]}

    assert codes() == {"SL304": "error", "SL201": "error"}
    assert codes("--severity", "SL304=info") == {"SL304": "info", "SL201": "error"}
    assert codes("--ignore", "SL2") == {"SL304": "error"}
    assert codes("--select", "SL2") == {"SL201": "error"}
    assert codes("--select", "SL2", "--extend-select", "orphan-node") == {"SL201": "error", "SL304": "error"}
    assert codes("--per-path-ignores", "strategy/value.yaml=SL3,SL1") == {"SL201": "error"}


def test_file_lists_and_flag_lists_merge_with_provenance(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(
        repo / "pyproject.toml",
        '[tool.stratlint]\nignore = ["SL304"]\nselect = ["SL2", "SL3"]\n'
        '[tool.stratlint.per-path-ignores]\n"strategy/archive/*" = ["SL3"]\n',
    )
    options = config_json(strategy, "--ignore", "SL301,SL302", "--ignore", "SL303", cwd=repo)["options"]
    assert isinstance(options, dict)
    assert options["ignore"] == {
        "value": ["SL304", "SL301", "SL302", "SL303"],
        "source": "pyproject.toml + command line",
    }
    assert options["select"] == {"value": ["SL2", "SL3"], "source": "pyproject.toml"}
    assert options["per-path-ignores"]["source"] == "pyproject.toml"
    assert options["max-file-size"]["source"] == "default"
    settings = resolve_config(strategy, CommandLineOptions(ignore=("SL301",))).policy
    assert settings.ignore == ("SL304", "SL301")


def test_config_text_output_names_each_source(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / ".stratlint.toml", 'fail-on = "warning"\nmax-file-size = 2048\n')
    result = invoke("config", strategy, "--select", "SL2", cwd=repo)
    assert result.exit_code == 0
    lines = {line.split(" = ")[0]: line for line in result.stdout.splitlines()}
    assert lines["# Configuration file: .stratlint.toml"]
    assert lines["fail-on"].endswith("# .stratlint.toml") and '"warning"' in lines["fail-on"]
    assert lines["max-file-size"].split("#")[0].strip() == "max-file-size = 2048"
    assert lines["select"].endswith("# command line")
    assert lines["ignore"].endswith("# default")


def test_max_file_size_from_the_file_reaches_the_loader(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "stratlint.toml", "max-file-size = 200\n")
    result = invoke("check", strategy, "--format", "json", cwd=repo)
    too_large = {d["path"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL010"}
    large = {p.relative_to(repo).as_posix() for p in strategy.rglob("*.yaml") if p.stat().st_size > 200}
    assert too_large == large
    assert large


# -- errors ----------------------------------------------------------------------------------

PYPROJECT_ERRORS = [
    ('fail-on = "fatal"', "[tool.stratlint] fail-on: 'fatal' is not one of error, warning, info"),
    ('fial-on = "error"', "[tool.stratlint] fial-on: unknown key; did you mean 'fail-on'?"),
    ('select = "SL2"', "[tool.stratlint] select: should be a list of text values, not text"),
    ('select = ["SL999"]', "[tool.stratlint] select[0]: 'SL999' matches no rule"),
    ('ignore = ["SL2", "dangling-refrence"]', "ignore[1]: 'dangling-refrence' matches no rule (did you mean"),
    ('extend-select = [""]', "extend-select[0]: '' matches no rule"),
    ('severity = { SL304 = "fatal" }', "[tool.stratlint] severity.SL304: 'fatal' is not one of error"),
    ('severity = { SL999 = "info" }', "[tool.stratlint] severity.SL999: 'SL999' matches no rule"),
    ('per-path-ignores = { "a/*.yaml" = ["XX1"] }', "per-path-ignores.\"a/*.yaml\"[0]: 'XX1' matches no rule"),
    ('per-path-ignores = { "a/*.yaml" = "SL3" }', 'per-path-ignores."a/*.yaml": should be a list of text values'),
    ("max-file-size = 0", "[tool.stratlint] max-file-size: 0 should be a positive whole number"),
    ('max-file-size = "1MB"', "max-file-size: should be a whole number, not text"),
    ("root = 3", "[tool.stratlint] root: should be text, not a number"),
    ('extra-schemas = { messages = "x.json" }', "extra-schemas.messages: 'messages' is not a kind; did you mean"),
    ('extra-schemas = { messaging = "missing.json" }', "extra-schemas.messaging: the schema file 'missing.json' does"),
    ('extra-schemas = { messaging = "broken.json" }', "extra-schemas.messaging: the schema file 'broken.json' is not"),
    ('extra-schemas = { messaging = "bad-schema.json" }', "'bad-schema.json' is not a valid JSON Schema"),
]


@pytest.mark.parametrize(("body", "message"), PYPROJECT_ERRORS, ids=[body for body, _ in PYPROJECT_ERRORS])
def test_bad_configuration_exits_2_with_one_line_naming_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "broken.json", "{not json")
    write(repo / "bad-schema.json", '{"type": "no-such-type"}')
    write(repo / "pyproject.toml", f"[tool.stratlint]\n{body}\n")
    for command in ("check", "config"):
        result = invoke(command, strategy, cwd=repo)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("stratlint: pyproject.toml: "), result.stderr
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


def test_a_configured_root_that_is_not_a_folder(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    write(repo / "pyproject.toml", '[tool.stratlint]\nroot = "gtm"\n')
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == (
        "stratlint: pyproject.toml: [tool.stratlint] root: 'gtm' is not a folder (the path is relative to this file)\n"
    )
    assert invoke("check", "strategy", cwd=repo).exit_code == 0  # a path on the command line wins


def test_stratlint_toml_errors_name_the_file_without_a_table(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "stratlint.toml", 'fail-on = "fatal"\n')
    result = invoke("check", strategy, cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == "stratlint: stratlint.toml: fail-on: 'fatal' is not one of error, warning, info\n"


def test_unreadable_toml_names_the_file_and_position(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    write(repo / "stratlint.toml", 'fail-on = "error\n')
    result = invoke("check", strategy, cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("stratlint: stratlint.toml: not valid TOML: ")
    assert "line 1" in result.stderr


def test_explicit_config_problems(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    result = invoke("check", strategy, "--config", "nope.toml", cwd=repo)
    assert (result.exit_code, result.stderr) == (2, "stratlint: --config nope.toml: no such file\n")
    write(repo / "pyproject.toml", '[project]\nname = "x"\n')
    result = invoke("check", strategy, "--config", "pyproject.toml", cwd=repo)
    assert result.exit_code == 2
    assert "pyproject.toml: no [tool.stratlint] table" in result.stderr


FLAG_ERRORS = [
    (("--severity", "SL304=fatal"), "stratlint: --severity: 'fatal' is not one of error, warning, info"),
    (("--severity", "SL304"), "stratlint: --severity: 'SL304' should be written RULE=LEVEL"),
    (("--severity", "SL999=info"), "stratlint: --severity: 'SL999' matches no rule"),
    (("--select", "SL2,SL999"), "stratlint: --select: 'SL999' matches no rule"),
    (("--extend-select", "nonsense"), "stratlint: --extend-select: 'nonsense' matches no rule"),
    (("--per-path-ignores", "archive/*"), "stratlint: --per-path-ignores: 'archive/*' should be written GLOB=CODES"),
    (("--per-path-ignores", "archive/*=SL999"), "stratlint: --per-path-ignores: 'SL999' matches no rule"),
]


@pytest.mark.parametrize(("flags", "message"), FLAG_ERRORS, ids=[" ".join(flags) for flags, _ in FLAG_ERRORS])
def test_bad_flags_exit_2_with_one_line(tmp_path: Path, flags: tuple[str, ...], message: str) -> None:
    _, strategy = make_repo(tmp_path)
    result = invoke("check", strategy, *flags, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


def test_configuration_error_through_the_real_executable(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    write(repo / "pyproject.toml", '[tool.stratlint]\nfail-on = "fatal"\n')
    completed = run_stratlint("check", cwd=repo)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == (
        "stratlint: pyproject.toml: [tool.stratlint] fail-on: 'fatal' is not one of error, warning, info\n"
    )
