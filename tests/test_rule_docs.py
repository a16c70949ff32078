"""docs/rules/: a page per rule, from the registry (tests/test_generated.py keeps them current).
Each page says what the registry says, and the example a page shows is reported as it says."""

from __future__ import annotations

import re
import shutil
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from stratlint.rules import rule_infos
from stratlint_dev.rule_docs import index_page, rule_pages, rules_folder

from conftest import PROJECT
from rules_harness import BASE, TODAY
from strategy_trees import stamp

PAGES = rules_folder(PROJECT)
INFOS = {rule.code: rule for rule in rule_infos()}
EXAMPLE = re.compile(r"this file \(`strategy/(?P<path>[^`]+)`\).*?```yaml\n(?P<body>.*?)```", re.DOTALL)
MARK = re.compile(r"\s*# <- (SL\d{3}(?:\s*,\s*SL\d{3})*)$")


def test_every_rule_has_a_page_and_the_index_links_each() -> None:
    expected = {f"{code}.md" for code in INFOS} | {"README.md"}
    assert {path.name for path in rule_pages(PROJECT)} == expected
    index = (PAGES / "README.md").read_text(encoding="utf-8")
    assert index == index_page(list(INFOS.values()))
    linked = set(re.findall(r"\]\((SL\d{3}\.md)\)", index))
    assert linked == {f"{code}.md" for code in INFOS}
    assert all((PAGES / name).is_file() for name in linked)


@pytest.mark.parametrize("code", sorted(INFOS))
def test_a_page_says_what_the_registry_says(code: str) -> None:
    rule = INFOS[code]
    page = (PAGES / f"{code}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {code} `{rule.name}`\n")
    assert f"Severity: **{rule.severity.label}**" in page
    assert rule.summary in page
    first_words = rule.explanation.split()[:8]
    assert " ".join(first_words) in " ".join(page.split())
    for option in rule.options:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{option.name}` |"))
        assert ("none" if option.default == "None" else option.default.strip("'")) in row
    # Every TOML block on the page is TOML stratlint's configuration reads.
    for block in re.findall(r"```toml\n(.*?)```", page, re.DOTALL):
        tomllib.loads(block)


EXAMPLES = sorted(code for code in INFOS if EXAMPLE.search((PAGES / f"{code}.md").read_text(encoding="utf-8")))


def test_most_rules_show_an_example() -> None:
    assert len(EXAMPLES) >= len(INFOS) // 2, EXAMPLES


@pytest.mark.parametrize("code", EXAMPLES)
def test_the_example_is_reported_on_the_lines_it_marks(code: str, tmp_path: Path) -> None:
    from stratlint.analysis.check import lint
    from stratlint.analysis.settings import Settings

    match = EXAMPLE.search((PAGES / f"{code}.md").read_text(encoding="utf-8"))
    assert match is not None
    root = tmp_path / "strategy"
    shutil.copytree(BASE, root)
    marked: Counter[int] = Counter()
    lines = []
    for number, line in enumerate(match["body"].splitlines(), start=1):
        found = MARK.search(line)
        if found:
            marked[number] += [c.strip() for c in found.group(1).split(",")].count(code)
            line = line[: found.start()]
        lines.append(line)
    target = root / match["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp(root, tmp_path)
    result = lint(Settings(root=root, repo_root=tmp_path, today=TODAY, cache=False))
    reported = Counter(d.line for d in result.diagnostics if d.code == code and d.path == f"strategy/{match['path']}")
    assert reported, f"the example on {code}.md is not reported"
    assert reported == +marked
