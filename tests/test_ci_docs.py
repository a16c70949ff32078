"""docs/ci.md: the workflows are valid YAML and every stratlint command in them is one stratlint accepts."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stratlint.cli.check import check

from conftest import PROJECT

CI_DOC = PROJECT / "docs" / "ci.md"
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)```", re.DOTALL)


def _blocks(lang: str) -> list[str]:
    return [m["body"] for m in BLOCK.finditer(CI_DOC.read_text(encoding="utf-8")) if m["lang"] == lang]


def _commands() -> list[str]:
    found = []
    for body in _blocks("yaml") + _blocks("sh"):
        for line in body.splitlines():
            line = line.strip().removeprefix("- ").removeprefix("run: ")
            if line.startswith("stratlint check"):
                found.append(line.split(" || ")[0].split(" > ")[0])
    return found


def test_workflows_are_valid_yaml_with_the_reports_wired() -> None:
    github, gitlab = (yaml.safe_load(body) for body in _blocks("yaml"))
    steps = github["jobs"]["stratlint"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert github["permissions"]["security-events"] == "write"
    job = gitlab["stratlint"]
    assert job["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json", "junit": "stratlint-junit.xml"}
    assert any(line.startswith("git fetch --depth=1 origin") for line in job["script"])


def test_every_documented_command_parses() -> None:
    commands = _commands()
    formats = set()
    for command in commands:
        args = shlex.split(re.sub(r"\$\{?(\w+)\}?", r"\1", command))[2:]
        context = check.make_context("check", args)  # raises on an unknown option or a bad value
        formats.add(context.params["output_format"])
        assert context.params["diff_base"], f"{command}: reviews compare with the base"
    assert {"sarif", "markdown", "gitlab", "junit"} <= formats


PIN = re.compile(r'pip install "stratlint @ git\+(?P<url>https://[^@"]+)@(?P<rev>[^"]+)"')


def _installs() -> list[str]:
    lines = [line.strip() for body in _blocks("yaml") + _blocks("sh") for line in body.splitlines()]
    return [line for line in lines if "pip install" in line]


def test_ci_installs_stratlint_from_the_repository_at_a_pinned_commit() -> None:
    """No release is on the package index yet: every install names the repository and a commit."""
    installs = _installs()
    assert len(installs) >= 3
    for line in installs:
        match = PIN.search(line)
        assert match, f"{line}: install from the repository at a pinned commit, not from the package index"
        rev = match["rev"]
        assert re.fullmatch(r"[0-9a-f]{40}|\$\{?STRATLINT_REV\}?|<commit id>", rev), line
    github, gitlab = (yaml.safe_load(body) for body in _blocks("yaml"))
    env = next(step["env"] for step in github["jobs"]["stratlint"]["steps"] if "STRATLINT_REV" in step.get("env", {}))
    for rev in (env["STRATLINT_REV"], gitlab["stratlint"]["variables"]["STRATLINT_REV"]):
        assert re.fullmatch(r"[0-9a-f]{40}", rev), rev


@pytest.mark.slow
def test_the_pinned_install_is_one_pip_resolves(tmp_path: Path) -> None:
    """The documented requirement, with the address replaced by a local clone at one commit."""
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository to clone")
    clone = tmp_path / "stratlint"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(PROJECT), str(clone)], check=True, timeout=120)
    rev = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    match = PIN.search(_installs()[0])
    assert match
    requirement = match.group(0).removeprefix("pip install ").strip('"')
    # file://localhost/: older pips take a file:/// address for a path, not a URL.
    local = "file://localhost" + clone.as_posix()
    requirement = requirement.replace(match["url"], local).replace(f"@{match['rev']}", f"@{rev}")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "--report",
            "-",
            "--quiet",
            requirement,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    (item,) = json.loads(installed.stdout)["install"]
    assert item["metadata"]["name"] == "stratlint"
    assert item["download_info"]["vcs_info"]["commit_id"] == rev
