"""docs/ci.md: the workflows are valid YAML and every stratlint command in them is one stratlint accepts."""

from __future__ import annotations

import re
import shlex

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
