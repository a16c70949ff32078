"""stratlint format: strategy files written one way, never changing what they say.

Every bundled strategy file, every rule fixture, every case of the YAML test suite and a
fuzz corpus (hypothesis) is formatted, and three things are asserted of each: it reads as the same model (for YAML that
is not a strategy file, the same data), every comment is still there, and formatting it
again changes nothing. What it reads as is asked of stratlint's own parser, and which
comments it holds of PyYAML's scanner, not of the formatter's own code.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratlint.format import NotFormatted, format_text, model_of_file, parse
from stratlint.format.order import key_order
from stratlint.load.artifact import load_bytes
from stratlint.load.yaml import parse_yaml
from stratlint.model import KINDS
from stratlint.model.roadmap import RoadmapItem

from conftest import PROJECT, SHARED, STRATEGY, invoke

FIXTURES = PROJECT / "tests" / "fixtures"
SUITE = SHARED / "corpora" / "yaml-test-suite"


# -- the oracles ------------------------------------------------------------------------------


def typed(data: Any) -> Any:
    """``data`` with every value's type spelt out and mapping order left out: 1, 1.0, True and
    '1' all differ, NaN equals NaN."""
    if isinstance(data, dict):
        return ("map", sorted((key, typed(value)) for key, value in data.items()))
    if isinstance(data, list):
        return ("seq", [typed(value) for value in data])
    if isinstance(data, float) and math.isnan(data):
        return ("float", "nan")
    return (type(data).__name__, data)


def read(text: str) -> Any:
    parsed = parse_yaml(text.encode("utf-8"))
    assert parsed.problems == [], parsed.problems
    return typed(parsed.data)


def comments(text: str) -> Counter[str]:
    """Every comment in ``text``, found in the gaps between PyYAML's tokens (and after a
    block text's header, which its token holds)."""
    found: Counter[str] = Counter()

    def in_gap(gap: str) -> None:
        for line in gap.split("\n"):
            match = re.search(r"(?:^|[ \t])(#.*)$", line)
            if match:
                found[match.group(1).rstrip(" \t\r")] += 1

    position = 0
    for token in yaml.scan(text, Loader=yaml.CSafeLoader):
        start, end = token.start_mark.index, token.end_mark.index
        in_gap(text[position:start])
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            header = text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]
            match = re.search(r"[ \t](#.*)$", header)
            if match:
                found[match.group(1).rstrip(" \t\r")] += 1
        position = max(position, end)
    in_gap(text[position:])
    return found


def model_and_problems(text: str) -> tuple[Any, list[tuple[str, str, str]]]:
    artifact = load_bytes(text.encode("utf-8"), "file.yaml")
    return artifact.model, sorted((problem.kind, problem.message, problem.pointer) for problem in artifact.problems)


def assert_formats_safely(text: str) -> str:
    """Format ``text`` and assert the three things; return the result."""
    model = model_of_file(parse(text).data)
    once = format_text(text, model=model)
    assert read(once) == read(text), "the formatted file reads as other data"
    if model is not None:
        assert model_and_problems(once) == model_and_problems(text), "the formatted file reads as another model"
    assert comments(once) == comments(text), "a comment was lost or changed"
    assert format_text(once, model=model) == once, "formatting twice differs from formatting once"
    return once


def _strategy_files() -> list[Path]:
    return sorted(STRATEGY.rglob("*.yaml"))


def _fixture_files() -> list[Path]:
    return sorted(FIXTURES.rglob("*.yaml"))


def _id(path: Path) -> str:
    return path.relative_to(PROJECT).as_posix()


# -- every file the project has ------------------------------------------------------------------


@pytest.mark.parametrize("path", _strategy_files(), ids=_id)
def test_the_bundled_strategy_formats_without_changing_what_it_says(path: Path) -> None:
    assert_formats_safely(path.read_text(encoding="utf-8"))


def test_the_formatted_bundled_strategy_checks_as_before(strategy_copy: Path) -> None:
    before = invoke("check", strategy_copy, "--format", "json")
    result = invoke("format", strategy_copy)
    assert result.exit_code == 0, result.output
    after = invoke("check", strategy_copy, "--format", "json")
    assert after.exit_code == before.exit_code == 0

    def summary(output: str) -> Any:
        import json

        document = json.loads(output)
        return document["summary"]["alignment"], [(d["code"], d["message"]) for d in document["diagnostics"]]

    assert summary(after.stdout) == summary(before.stdout)


@pytest.mark.parametrize("path", _fixture_files(), ids=_id)
def test_every_rule_fixture_formats_without_changing_what_it_says(path: Path) -> None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        parse(text)
    except (UnicodeDecodeError, NotFormatted):
        return  # a fixture stratlint cannot read: `format` leaves it as it is (tested below)
    assert_formats_safely(text)


def _comment_fixtures() -> list[Path]:
    """The rule fixtures whose findings depend on comments and on which line what stands:
    suppressions, text cut by a comment, the schema modeline."""
    prefixes = ("SL017", "SL018", "SL9")
    return sorted(case for case in (FIXTURES / "rules").glob("*/*") if case.parent.name.startswith(prefixes))


@pytest.mark.parametrize("case", _comment_fixtures(), ids=_id)
def test_formatting_a_fixture_leaves_its_findings_as_they_were(case: Path, tmp_path: Path) -> None:
    import json
    import shutil

    root = tmp_path / "strategy"
    shutil.copytree(case, root)

    def findings() -> list[tuple[str, str, str]]:
        result = invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path)
        return sorted((d["code"], d["message"], d["path"]) for d in json.loads(result.stdout)["diagnostics"])

    before = findings()
    assert invoke("format", root, cwd=tmp_path).exit_code in (0, 1)
    assert findings() == before


DECLINED = {
    # ruamel.yaml, which writes the result, cannot read these, which libyaml reads.
    "4QFQ": "ruamel.yaml, which formats, cannot read it",
    "DC7X": "ruamel.yaml, which formats, cannot read it",
    "DK95/05": "ruamel.yaml, which formats, cannot read it",
    "DK95/07": "ruamel.yaml, which formats, cannot read it",
    "DWX9": "ruamel.yaml, which formats, cannot read it",
    "HS5T": "ruamel.yaml, which formats, cannot read it",
    "J3BT": "ruamel.yaml, which formats, cannot read it",
    "K54U": "ruamel.yaml, which formats, cannot read it",
    "NB6Z": "ruamel.yaml, which formats, cannot read it",
    "P94K": "ruamel.yaml, which formats, cannot read it",
    "T26H": "ruamel.yaml, which formats, cannot read it",
    "UV7Q": "ruamel.yaml, which formats, cannot read it",
    "WZ62": "ruamel.yaml, which formats, cannot read it",
    # ruamel.yaml reads these otherwise than stratlint does (an empty key as null, an anchor
    # with a ':' in its name): what it would write reads as other data, so the proof refuses.
    "DFF7": "formatting it would change it: the text written reads as other data",
    "FH7J": "formatting it would change it: the text written reads as other data",
    "UKK6/02": "formatting it would change it: the text written reads as other data",
    "Y2GN": "formatting it would change it: the text written reads as other data",
}
"""Cases of the YAML test suite that stratlint reads and the formatter leaves as they are,
each with the reason it gives. This list must not grow."""


def test_the_yaml_test_suite_formats_without_changing_what_it_says() -> None:
    if not SUITE.exists():
        pytest.skip(f"{SUITE} is absent: the shared test material (../shared beside the project) is not here")
    cases = sorted(path.parent for path in SUITE.rglob("in.yaml"))
    assert len(cases) == 402
    failures: list[str] = []
    declined: dict[str, str] = {}
    formatted = 0
    for case in cases:
        name = case.relative_to(SUITE).as_posix()
        try:
            text = (case / "in.yaml").read_bytes().decode("utf-8")
            parse(text)
        except (UnicodeDecodeError, NotFormatted):
            continue  # stratlint does not read it, so `format` leaves it as it is
        try:
            assert_formats_safely(text)
            formatted += 1
        except NotFormatted as error:
            declined[name] = error.message
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert failures == []
    assert sorted(declined) == sorted(DECLINED)
    for name, message in declined.items():
        assert message.startswith(DECLINED[name]), (name, message)
    assert formatted >= 190


# -- what it writes -----------------------------------------------------------------------------


def _roadmap(body: str) -> str:
    return "stratlint: 1\nkind: roadmap\nid: roadmap.core\n" + body


def test_keys_follow_the_model_and_comments_move_with_their_keys() -> None:
    text = """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
id: roadmap.core   # the file's id
kind: roadmap
stratlint: 1
items:
    # The first thing we build.
    - owner: pm-core
      priority: prio.core
      # Shipped last quarter.
      status: shipped
      title:   Continuous matching
      id: rm.matching
      horizon: 2026-Q3
      value: [seg.core]
      narrative: [claim.continuous]
"""
    assert (
        assert_formats_safely(text)
        == """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
stratlint: 1
kind: roadmap
id: roadmap.core  # the file's id
items:
  # The first thing we build.
  - id: rm.matching
    title: Continuous matching
    # Shipped last quarter.
    status: shipped
    horizon: 2026-Q3
    owner: pm-core
    value: [seg.core]
    narrative: [claim.continuous]
    priority: prio.core
"""
    )


def test_keys_the_model_does_not_know_keep_their_order_after_the_known_ones() -> None:
    text = "zeta: 1\nowner: pm\nstratlint: 1\nalpha: 2\nkind: roadmap\nid: roadmap.core\n"
    assert (
        assert_formats_safely(text) == "stratlint: 1\nkind: roadmap\nid: roadmap.core\nowner: pm\nzeta: 1\nalpha: 2\n"
    )
    # YAML that is not a strategy file keeps its order.
    assert assert_formats_safely("b: 1\na:   2\n") == "b: 1\na: 2\n"


def test_an_entry_opens_with_its_own_fields_and_closes_with_its_dates() -> None:
    assert key_order(RoadmapItem) == (
        "id", "title", "summary", "status", "horizon", "owner", "segments", "tier",
        "value", "narrative", "priority", "use_cases", "rationale", "tags", "links", "notes",
        "short_name", "aliases", "created", "updated",
    )  # fmt: skip
    for model in KINDS.values():
        assert key_order(model)[:3] == ("stratlint", "kind", "id")
        assert set(key_order(model)) == set(model.model_fields)


QUOTING = [
    # (as written, as formatted): quotes only where they are needed, and never so that a
    # value reads as anything else, to stratlint (YAML 1.2) or to a YAML 1.1 reader.
    ("'pillar-speed'", "pillar-speed"),
    ('"Build it"', "Build it"),
    ("'1'", "'1'"),
    ('"1.5"', "'1.5'"),
    ("'0o17'", "'0o17'"),
    ("'0x1F'", "'0x1F'"),
    ('"true"', "'true'"),
    ("'null'", "'null'"),
    ("'~'", "'~'"),
    ("''", "''"),
    ("'.inf'", "'.inf'"),
    # Text to YAML 1.2, not to YAML 1.1: written as the author wrote it, quoted or not.
    ("no", "no"),
    ("'no'", "'no'"),
    ('"on"', "'on'"),
    ("2026-01-15", "2026-01-15"),
    ("'2026-01-15'", "'2026-01-15'"),
    ("1_000", "1_000"),
    ("'1_000'", "'1_000'"),
    # Text whose syntax needs quotes.
    ("'a: b'", "'a: b'"),
    ("'#hash'", "'#hash'"),
    ("'a #b'", "'a #b'"),
    ("' leading'", "' leading'"),
    ("'-'", "'-'"),
    ("'[x]'", "'[x]'"),
    ("'@handle'", "'@handle'"),
    ('"it\'s"', "it's"),
    ('"bell\\a"', '"bell\\a"'),
    ('"tab\\tinside"', '"tab\\tinside"'),
    # Other values as they are.
    ("1", "1"),
    ("1.5", "1.5"),
    ("true", "true"),
    ("0o17", "0o17"),
    ("~", ""),  # null, written as YAML writes it after a key: nothing
]


@pytest.mark.parametrize(("written", "formatted"), QUOTING)
def test_quotes_where_needed_and_plain_where_safe(written: str, formatted: str) -> None:
    text = f"key: {written}\n"
    result = assert_formats_safely(text)
    assert result == f"key: {formatted}".rstrip(" ") + "\n"
    assert read(result) == read(text)


def test_a_list_is_written_in_brackets_when_it_fits_and_one_item_a_line_when_not() -> None:
    long_items = ", ".join(f"claim.a-rather-long-claim-identifier-{n}" for n in range(4))
    text = _roadmap(f"tags: [a, b]\nlinks: [{{url: x}}]\nitems:\n- id: rm.a\n  narrative: [{long_items}]\n")
    result = assert_formats_safely(text)
    assert "tags: [a, b]\n" in result
    assert "links:\n  - url: x\n" in result
    assert "    narrative:\n      - claim.a-rather-long-claim-identifier-0\n" in result


def test_a_list_with_a_comment_beside_an_item_is_written_one_item_a_line() -> None:
    result = assert_formats_safely(_roadmap("tags: [a,  # why a\n  b]\n"))
    assert "tags:\n  - a  # why a\n  - b\n" in result


def test_long_text_is_folded_and_short_text_unfolded() -> None:
    long = " ".join(["Continuous matching reconciles every account before the period ends."] * 3)
    text = _roadmap(f"description: {long}\ntitle: >-\n  Short enough\n")
    result = assert_formats_safely(text)
    assert "title: Short enough\n" in result
    assert "description: >-\n  Continuous matching" in result
    assert max(len(line) for line in result.splitlines()) <= 100
    # A text someone folded keeps the places they broke it.
    refolded = _roadmap("description: >-\n" + "".join(f"  {'word ' * 15}line {n}\n" for n in range(3)))
    assert assert_formats_safely(refolded) == refolded


def test_text_with_line_breaks_is_a_block_and_a_block_stays_one() -> None:
    result = assert_formats_safely(_roadmap('notes: "first line\\nsecond line\\n"\n'))
    assert "notes: |\n  first line\n  second line\n" in result
    kept = _roadmap("notes: |\n  keep\n\n  these lines\n")
    assert assert_formats_safely(kept) == kept


def test_blank_lines_are_kept_between_entries_and_runs_made_one() -> None:
    text = _roadmap("\n\n\nitems:\n  - id: rm.a\n\n\n  - id: rm.b\n\n")
    assert assert_formats_safely(text) == _roadmap("\nitems:\n  - id: rm.a\n\n  - id: rm.b\n")


def test_crlf_line_endings_and_a_byte_order_mark_are_kept() -> None:
    text = "\ufeff" + _roadmap("items:\n    - id: rm.a   # first\n").replace("\n", "\r\n")
    result = format_text(text, model=KINDS["roadmap"])
    assert result == "\ufeff" + _roadmap("items:\n  - id: rm.a  # first\n").replace("\n", "\r\n")


def test_a_file_that_does_not_read_is_not_formatted() -> None:
    with pytest.raises(NotFormatted) as raised:
        format_text("a: [1\n")
    assert raised.value.line == 2
    with pytest.raises(NotFormatted, match="more than one"):
        format_text("a: 1\n---\nb: 2\n")


# -- the command --------------------------------------------------------------------------------

UNFORMATTED = "id: roadmap.core\nkind: roadmap\nstratlint: 1\nitems:\n    - id: 'rm.a'\n"
FORMATTED = "stratlint: 1\nkind: roadmap\nid: roadmap.core\nitems:\n  - id: rm.a\n"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "strategy"
    root.mkdir()
    (root / "roadmap.yaml").write_text(UNFORMATTED, encoding="utf-8")
    (root / "done.yaml").write_text(FORMATTED.replace("roadmap.core", "roadmap.done"), encoding="utf-8")
    return root


def test_check_prints_a_diff_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    result = invoke("format", "--check", root, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "--- strategy/roadmap.yaml\n+++ strategy/roadmap.yaml (formatted)\n" in result.stdout
    assert "-    - id: 'rm.a'\n" in result.stdout and "+  - id: rm.a\n" in result.stdout
    assert "1 file would be formatted, 1 file already formatted." in result.stdout
    assert (root / "roadmap.yaml").read_text(encoding="utf-8") == UNFORMATTED


def test_format_writes_only_the_files_that_change(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "roadmap.yaml").chmod(0o640)
    untouched = os.stat(root / "done.yaml")
    result = invoke("format", root, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 file formatted, 1 file already formatted.\n"
    assert (root / "roadmap.yaml").read_text(encoding="utf-8") == FORMATTED
    assert stat.S_IMODE(os.stat(root / "roadmap.yaml").st_mode) == 0o640
    after = os.stat(root / "done.yaml")
    assert (after.st_ino, after.st_mtime_ns) == (untouched.st_ino, untouched.st_mtime_ns)
    again = invoke("format", "--check", root, cwd=tmp_path)
    assert again.exit_code == 0 and again.stdout == "2 files already formatted.\n"


def test_files_that_do_not_read_or_are_not_strategy_files_are_left_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    broken, other = "kind: roadmap\nitems: [1\n", "jobs:\n    build: {runs-on: x}\n"
    (root / "broken.yaml").write_text(broken, encoding="utf-8")
    (root / "ci.yaml").write_text(other, encoding="utf-8")
    result = invoke("format", root, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("strategy/broken.yaml:3:1: not formatted: This file is not valid YAML")
    assert lines[1].startswith("strategy/ci.yaml:1:1: not a strategy file: The file has no 'kind:'.")
    assert (root / "broken.yaml").read_text(encoding="utf-8") == broken
    assert (root / "ci.yaml").read_text(encoding="utf-8") == other
    assert (root / "roadmap.yaml").read_text(encoding="utf-8") == FORMATTED
    assert "1 file formatted, 1 file already formatted, 1 file not formatted" in result.stdout


def test_a_yaml_file_that_is_not_a_strategy_file_alone_does_not_fail(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    result = invoke("format", tmp_path / "ci.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ci.yaml").read_text(encoding="utf-8") == "on: push\n"


def test_format_takes_several_files_as_pre_commit_passes_them(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    result = invoke("format", "strategy/roadmap.yaml", "strategy/done.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (root / "roadmap.yaml").read_text(encoding="utf-8") == FORMATTED


def test_a_named_link_that_leads_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(UNFORMATTED, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "linked.yaml").symlink_to(outside)
    result = invoke("format", "--check", "linked.yaml", cwd=repo)
    assert result.exit_code == 1
    assert (
        result.stderr
        == "linked.yaml:1:1: not formatted: it leads through a link outside the repository; it is not read\n"
    )
    assert "roadmap" not in result.stdout
    assert outside.read_text(encoding="utf-8") == UNFORMATTED
    # Found in a folder, as `check` finds files: named, not read.
    folder = invoke("format", repo, cwd=repo)
    assert folder.exit_code == 1
    assert folder.stderr.startswith("linked.yaml:1:1: not formatted: it is not read: it is a link that points outside")
    assert outside.read_text(encoding="utf-8") == UNFORMATTED


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    result = invoke("format", tmp_path / "nowhere", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_the_manifest_offers_the_format_hook() -> None:
    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [hook for hook in manifest if hook["id"] == "stratlint-format"]
    assert hook["entry"] == "stratlint format"
    assert hook["language"] == "python"
    assert hook["files"] == r"\.ya?ml$"
    assert hook.get("pass_filenames", True) is True


def test_ruamel_is_configured_in_one_module() -> None:
    import ast

    importers = sorted(
        path.relative_to(PROJECT).as_posix()
        for path in (PROJECT / "stratlint").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.Import) and any(alias.name.startswith("ruamel") for alias in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ruamel"))
    )
    assert set(importers) == {"stratlint/format/yamlfmt.py"}


# -- the fuzz corpus -----------------------------------------------------------------------------


def _fuzzed() -> st.SearchStrategy[str]:
    from yaml_strategies import dumped_yaml, mutated, yaml_fragments

    original = (STRATEGY / "product" / "close-automation.yaml").read_bytes()[:3000]
    return st.one_of(
        yaml_fragments(), dumped_yaml(), mutated(original).map(lambda data: data.decode("utf-8", "replace"))
    )


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_fuzzed())
def test_fuzzed_yaml_is_formatted_safely_or_left_as_it_is(text: str) -> None:
    """Broken YAML, YAML of any data and mutated strategy files: whatever stratlint reads is
    formatted without a change of data or comments, or left as it is with a reason."""
    try:
        parse(text)
        comments(text)
    except (NotFormatted, yaml.YAMLError):
        return  # stratlint (or the oracle) does not read it: nothing to compare
    try:
        assert_formats_safely(text)
    except NotFormatted as error:
        assert error.message  # left as it is, and the reason given


def test_a_file_the_loader_reports_as_unreadable_text_is_left_as_it_is() -> None:
    # A lone carriage return is a line break to ruamel.yaml and libyaml, and the loader
    # reports it: rewriting the file would drop what stands before it.
    text = "\r# a comment\nstratlint: 1\nkind: roadmap\nid: roadmap.x\n"
    with pytest.raises(NotFormatted, match="line separator U\\+000D"):
        format_text(text)
