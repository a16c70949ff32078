"""stratlint init: a new strategy repository that checks clean, in a real git repository."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from gitrepo import commit_all, git, new_repository, pre_commit, replace_in

from stratlint.cli import cli
from stratlint.editor import shipped_schemas
from stratlint.model import KINDS
from stratlint.scaffold import DEFAULT, GITHUB_WORKFLOW, GITLAB_CI, Answers, derive_ids, plan, slug, strategy_files

from conftest import PROJECT, invoke

STRATEGY_FILES = [
    "strategy/value.yaml",
    "strategy/narrative.yaml",
    "strategy/priorities.yaml",
    "strategy/governance.yaml",
    "strategy/market.yaml",
    "strategy/product/roadmap.yaml",
    "strategy/marketing/messaging.yaml",
    "strategy/sales/playbook.yaml",
    "strategy/releases/first-launch.yaml",
]
REPOSITORY_FILES = [
    "strategy/stratlint.lock",
    ".pre-commit-config.yaml",
    ".github/workflows/strategy.yml",
    ".gitlab-ci.yml",
    ".vscode/settings.json",
    *(f"schemas/{name}" for name in shipped_schemas()),
]


def _release() -> str:
    return plan(DEFAULT, datetime.date.today()).release_id


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    repo = new_repository(tmp_path / "team", with_strategy=False)
    result = invoke("init", repo, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return repo


def test_init_writes_every_file_and_the_strategy_checks_clean(scaffolded: Path) -> None:
    for relpath in STRATEGY_FILES + REPOSITORY_FILES:
        assert (scaffolded / relpath).is_file(), relpath
    result = invoke("check", scaffolded / "strategy", "--format", "json", cwd=scaffolded)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["diagnostics"] == []
    assert document["summary"]["files"] == len(STRATEGY_FILES)
    for function in ("product", "marketing", "sales"):
        assert document["summary"]["alignment"][function]["score"] == 1.0


def test_every_strategy_file_is_one_of_each_kind_and_already_formatted(scaffolded: Path) -> None:
    kinds = sorted(yaml.safe_load((scaffolded / path).read_text(encoding="utf-8"))["kind"] for path in STRATEGY_FILES)
    assert kinds == sorted(KINDS)
    result = invoke("format", "--check", scaffolded / "strategy", cwd=scaffolded)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(STRATEGY_FILES)} files already formatted.\n"


def test_each_plan_file_has_guidance_for_the_function_that_owns_it(scaffolded: Path) -> None:
    for path, reader, words in (
        ("strategy/product/roadmap.yaml", "Product's roadmap", "an item here must build toward it"),
        ("strategy/marketing/messaging.yaml", "Marketing's messages", "cite the proof point behind every number"),
        ("strategy/sales/playbook.yaml", "Sales plays", "ask product marketing to add it"),
    ):
        text = (scaffolded / path).read_text(encoding="utf-8")
        guidance = text.split("\nstratlint: 1\n", 1)[0]
        assert reader in guidance and words in guidance, path


def test_the_scaffolded_release_is_no_go_as_the_readme_says(scaffolded: Path) -> None:
    gate = invoke("gate", _release(), scaffolded / "strategy", cwd=scaffolded)
    assert gate.exit_code == 1, gate.output
    assert "NO-GO: 5 thing(s) block the release." in gate.stdout
    assert "It is draft, not live: it is not ready to go out." in gate.stdout
    assert "It is draft, not active: it is not ready to go out." in gate.stdout
    for who in ("head-of-product", "head-of-marketing", "head-of-sales"):
        assert f"{who} has not approved yet (pending)" in gate.stdout
    readiness = invoke("gate", _release(), scaffolded / "strategy", "--readiness", cwd=scaffolded)
    assert readiness.exit_code == 1
    assert "NOT READY" in readiness.stdout
    # What the README's section shows: the same verdict on the same checklist.
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Starting a strategy repository\n", 1)[1].split("\n## ", 1)[0]
    assert "NO-GO: 5 thing(s) block the release." in section


def test_the_lock_is_the_one_stratlint_lock_writes(scaffolded: Path, tmp_path: Path) -> None:
    written = (scaffolded / "strategy" / "stratlint.lock").read_bytes()
    (scaffolded / "strategy" / "stratlint.lock").unlink()
    result = invoke("lock", scaffolded / "strategy", cwd=scaffolded)
    assert result.exit_code == 0, result.output
    assert (scaffolded / "strategy" / "stratlint.lock").read_bytes() == written


def test_the_schemas_and_editor_settings_are_those_stratlint_schemas_writes(scaffolded: Path, tmp_path: Path) -> None:
    other = new_repository(tmp_path / "other", with_strategy=False)
    (other / "strategy").mkdir()
    result = invoke("schemas", other / "strategy", "--vscode", cwd=other)
    assert result.exit_code == 0, result.output
    for relpath in [".vscode/settings.json", *(f"schemas/{name}" for name in shipped_schemas())]:
        assert (scaffolded / relpath).read_bytes() == (other / relpath).read_bytes(), relpath


def test_the_ci_workflows_are_the_ones_docs_ci_describes() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (PROJECT / "docs" / "ci.md").read_text(encoding="utf-8"), re.DOTALL)
    github, gitlab = (block for block in blocks if block.startswith(("# .github/", "# .gitlab-ci")))
    assert GITHUB_WORKFLOW.endswith(github)
    assert GITLAB_CI.endswith(gitlab)


def test_the_pre_commit_config_has_stratlints_hooks_and_is_valid(scaffolded: Path) -> None:
    config = yaml.safe_load((scaffolded / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [local] = config["repos"]
    assert local["repo"] == "local"
    entries = {hook["id"]: hook["entry"] for hook in local["hooks"]}
    assert entries == {
        "stratlint-format": "stratlint format",
        "stratlint-lock": "stratlint lock --stage",
        "stratlint": "stratlint check --staged",
    }
    # The same ids, and entries, as the hooks stratlint publishes.
    published = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert entries == {hook["id"]: hook["entry"] for hook in published}
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=scaffolded,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_never_overwrites_a_file_and_says_which_it_skipped(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "team", with_strategy=False)
    mine = {
        "strategy/value.yaml": "# our own value definition, kept\n",
        ".gitlab-ci.yml": "# our own pipeline\n",
        ".vscode/settings.json": '{"editor.tabSize": 2}\n',
    }
    for relpath, text in mine.items():
        (repo / relpath).parent.mkdir(parents=True, exist_ok=True)
        (repo / relpath).write_text(text, encoding="utf-8")
    result = invoke("init", repo, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    for relpath, text in mine.items():
        assert (repo / relpath).read_text(encoding="utf-8") == text
        assert re.search(rf"^  {re.escape(relpath)} +already there", result.stdout, re.MULTILINE), result.stdout
    assert "Skipped 3 files, left as they are:" in result.stdout
    assert (repo / "strategy" / "narrative.yaml").is_file()
    again = invoke("init", repo, cwd=tmp_path)
    assert again.exit_code == 0
    assert again.stdout.startswith(f"Nothing written in {repo.as_posix()}.\n")
    assert "schemas/                               10 JSON Schemas, already there" in again.stdout


def test_init_does_not_write_through_a_link_that_leads_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = new_repository(tmp_path / "team", with_strategy=False)
    (repo / ".github").symlink_to(outside, target_is_directory=True)
    result = invoke("init", repo, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []
    assert ".github/workflows/strategy.yml" in result.stdout and "leads outside the folder" in result.stdout


def test_interactive_init_fills_in_the_company_its_segments_and_its_pillars(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "team", with_strategy=False)
    answers = 'Acme: "The" Company #1\nMid-market finance teams, Café owners, 日本企業, Mid-market finance teams!\n'
    answers += "Close in days, Trust: the numbers\n"
    result = CliRunner().invoke(cli, ["init", str(repo), "--interactive"], input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Company name [Example Co]:" in result.output
    value = yaml.safe_load((repo / "strategy" / "value.yaml").read_text(encoding="utf-8"))
    assert value["title"] == 'Acme: "The" Company #1 value definition'
    assert [(segment["id"], segment["name"]) for segment in value["segments"]] == [
        ("seg.mid-market-finance-teams", "Mid-market finance teams"),
        ("seg.cafe-owners", "Café owners"),
        ("seg.segment-3", "日本企業"),
        ("seg.mid-market-finance-teams-2", "Mid-market finance teams!"),
    ]
    narrative = yaml.safe_load((repo / "strategy" / "narrative.yaml").read_text(encoding="utf-8"))
    assert [(pillar["id"], pillar["name"]) for pillar in narrative["pillars"]] == [
        ("pillar.close-in-days", "Close in days"),
        ("pillar.trust-the-numbers", "Trust: the numbers"),
    ]
    checked = invoke("check", repo / "strategy", "--format", "json", cwd=repo)
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["diagnostics"] == []


def test_interactive_init_takes_the_defaults_on_enter(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "team", with_strategy=False)
    result = CliRunner().invoke(cli, ["init", str(repo), "-i"], input="\n\n\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (repo / "strategy" / "value.yaml").read_text(encoding="utf-8") == strategy_files(
        DEFAULT, datetime.date.today()
    )["strategy/value.yaml"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mid-market finance teams", "mid-market-finance-teams"),
        ("  C++ & Rust shops  ", "c-rust-shops"),
        ("Éclair Café", "eclair-cafe"),
        ("PE-backed (buy & build)", "pe-backed-buy-build"),
        ("日本企業", ""),
        ("a" * 60, "a" * 40),
        ("the quick brown fox jumps over the lazy dog again", "the-quick-brown-fox-jumps-over-the-lazy"),
    ],
)
def test_ids_are_derived_safely_from_names(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_ids_are_unique_and_valid() -> None:
    ids = derive_ids("seg", ["Core", "core", "CORE!", "", "¿?"], "segment")
    assert ids == ["seg.core", "seg.core-2", "seg.core-3", "seg.segment-4", "seg.segment-5"]


@pytest.mark.parametrize("today", [datetime.date(2026, 1, 1), datetime.date(2026, 11, 30), datetime.date(2027, 6, 30)])
def test_the_release_goes_out_in_the_next_quarter_on_any_day(tmp_path: Path, today: datetime.date) -> None:
    files = strategy_files(Answers("Co", ("Seg",), ("Pillar",)), today)
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text, encoding="utf-8")
    result = invoke("check", tmp_path / "strategy", "--format", "json", "--select", "SL7", cwd=tmp_path)
    assert json.loads(result.stdout)["diagnostics"] == []


# -- the real pre-commit ---------------------------------------------------------------------------


def _stratlint_on_path(folder: Path) -> str:
    """A PATH whose `stratlint` is this source tree's, as the scaffold's `language: system`
    hooks expect an installed stratlint."""
    folder.mkdir()
    shim = folder / "stratlint"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{PROJECT}" exec "{sys.executable}" -m stratlint "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return os.pathsep.join([str(folder), str(Path(sys.executable).parent), os.environ.get("PATH", "")])


@pytest.mark.integration
def test_the_scaffolded_pre_commit_hooks_pass_then_block_a_broken_reference(scaffolded: Path, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    path = _stratlint_on_path(tmp_path / "bin")
    home = tmp_path / "pre-commit-home"
    commit_all(scaffolded, "Our strategy, from stratlint init")
    run = pre_commit("run", "--all-files", cwd=scaffolded, home=home, path=path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert len(re.findall(r"\.Passed$", output, re.MULTILINE)) == 3, output
    assert git(scaffolded, "status", "--porcelain") == ""

    replace_in(scaffolded / "strategy" / "product" / "roadmap.yaml", "priority: prio.primary", "priority: prio.primry")
    git(scaffolded, "add", "-A")
    broken = pre_commit("run", cwd=scaffolded, home=home, path=path)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "SL201 [error]" in output and "did you mean 'prio.primary'?" in output


@pytest.mark.integration
def test_the_published_hooks_pass_on_the_scaffold(scaffolded: Path, tmp_path: Path) -> None:
    """stratlint's own hooks (.pre-commit-hooks.yaml), installed by pre-commit from this source
    tree with `pre-commit try-repo`, on a scaffolded repository."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit installs hooks from one")
    # try-repo copies the source tree with its uncommitted changes; a copy without the
    # virtualenv and caches keeps that quick.
    source = tmp_path / "stratlint"
    listed = git(PROJECT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        if (PROJECT / name).is_file() and not (PROJECT / name).is_symlink():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PROJECT / name, source / name)
    git(source, "init", "-q", "-b", "main")
    commit_all(source, "stratlint as under test")
    (scaffolded / ".pre-commit-config.yaml").unlink()  # try-repo brings its own configuration
    commit_all(scaffolded, "Our strategy, from stratlint init")
    home = tmp_path / "pre-commit-home"
    path = os.environ.get("PATH", "")
    for hook in ("stratlint-format", "stratlint-lock", "stratlint"):
        run = pre_commit("try-repo", str(source), hook, "--all-files", cwd=scaffolded, home=home, path=path)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output
        assert "Passed" in output, output
    assert git(scaffolded, "status", "--porcelain") == ""
