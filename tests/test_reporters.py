"""Every output format, produced from a copy of the bundled strategy with planted errors,
parsed and checked field by field against the diagnostics it reports."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stratlint
from stratlint import DOCS_URL
from stratlint.analysis.check import lint
from stratlint.analysis.result import Report, Summary
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Diagnostic, RelatedLocation, Severity, Span, fingerprint
from stratlint.report import REPORTERS, ReportOptions, github, gitlab, junit, markdown, sarif
from stratlint.rules import RULES

from conftest import PROJECT, STRATEGY, needs_shared

DANGLING_FILE = "strategy/product/close-automation.yaml"
DUPLICATE_FILE = "strategy/marketing/launches.yaml"
VALUE_FILE = "strategy/value.yaml"


@dataclasses.dataclass
class Planted:
    repo: Path
    base: Report
    result: Report
    dangling_line: int


def plant(repo: Path) -> int:
    """Three planted problems: a dangling reference, a duplicate id (an error with a related
    location) and a belief nothing references (a warning). Returns the dangling line."""
    path = repo / DANGLING_FILE
    text = path.read_text()
    match = re.search(r"narrative: \[([a-z0-9.-]+)", text)
    assert match
    path.write_text(text[: match.start(1)] + match.group(1) + "-typo" + text[match.end(1) :])
    dangling_line = text[: match.start()].count("\n") + 1

    path = repo / DUPLICATE_FILE
    text = path.read_text()
    ids = re.findall(r"^  - id: ([a-z0-9.-]+)$", text, re.MULTILINE)
    path.write_text(text.replace(f"  - id: {ids[1]}\n", f"  - id: {ids[0]}\n", 1))

    path = repo / VALUE_FILE
    text = path.read_text()
    path.write_text(
        text.replace(
            "beliefs:\n",
            "beliefs:\n  - id: belief.nobody-cites-this\n    statement: Nothing in the strategy builds on this.\n",
            1,
        )
    )
    return dangling_line


def copy_strategy(target: Path) -> Path:
    shutil.copytree(STRATEGY, target / "strategy")
    return target


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    repo = copy_strategy(tmp_path_factory.mktemp("repo"))
    settings = Settings(root=repo / "strategy", repo_root=repo)
    base = lint(settings)
    line = plant(repo)
    result = lint(settings)
    return Planted(repo, base, result, line)


def render(name: str, result: Report) -> str:
    return REPORTERS[name](result, ReportOptions())


def test_the_planted_strategy_has_errors_warnings_and_related_locations(planted: Planted) -> None:
    found = planted.result.diagnostics
    assert {d.code for d in found} >= {"SL201", "SL101", "SL304"}
    assert any(d.related for d in found)
    assert {d.severity for d in found} == {Severity.ERROR, Severity.WARNING}


# -- SARIF ------------------------------------------------------------------------------------


def sarif_document(result: Report) -> dict[str, Any]:
    return json.loads(render("sarif", result))


def validate_against_official_schema(document: dict[str, Any]) -> None:
    schema = json.loads(needs_shared("schemas", "sarif-2.1.0.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers, "pip install -e '.[test]' (rfc3986-validator)"
    errors = sorted(
        validator_class(schema, format_checker=checker).iter_errors(document), key=lambda e: list(e.absolute_path)
    )
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def check_github_requirements(document: dict[str, Any]) -> None:
    """What code scanning needs beyond the schema, and what SARIF says about URIs."""
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stratlint" and driver["version"]
    for rule in driver["rules"]:
        for field in ("shortDescription", "fullDescription", "help"):
            assert rule[field]["text"].strip(), (rule["id"], field)
        assert rule["help"]["markdown"].strip()
    for uri in [driver.get("informationUri"), *(rule.get("helpUri") for rule in driver["rules"])]:
        assert uri is None or urlsplit(uri).scheme in ("http", "https"), f"{uri} is not an absolute URI"
    assert len(run["results"]) <= sarif.MAX_RESULTS
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert not urlsplit(location["uri"]).scheme and not location["uri"].startswith("/")
        assert location["uriBaseId"] in run["originalUriBaseIds"]


def test_sarif_is_valid_against_the_official_schema(planted: Planted) -> None:
    validate_against_official_schema(sarif_document(planted.result))


def test_sarif_of_a_clean_strategy_is_valid_too(planted: Planted) -> None:
    document = sarif_document(planted.base)
    assert document["runs"][0]["results"] == []
    check_github_requirements(document)
    validate_against_official_schema(document)


def test_sarif_meets_code_scanning_requirements(planted: Planted) -> None:
    check_github_requirements(sarif_document(planted.result))


def test_sarif_describes_every_registered_rule_from_the_registry(planted: Planted) -> None:
    rules = sarif_document(planted.result)["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in RULES]
    for descriptor, rule in zip(rules, RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["text"] == rule.docs()
        assert descriptor["defaultConfiguration"]["level"] == sarif.LEVELS[rule.default_severity]
        assert "strategy" in descriptor["properties"]["tags"]


def test_sarif_results_match_the_diagnostics(planted: Planted) -> None:
    run = sarif_document(planted.result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    diagnostics = planted.result.diagnostics
    assert len(run["results"]) == len(diagnostics)
    for found, diagnostic in zip(run["results"], diagnostics, strict=True):
        assert found["ruleId"] == diagnostic.code
        assert rules[found["ruleIndex"]]["id"] == diagnostic.code
        assert found["level"] == {"error": "error", "warning": "warning", "info": "note"}[diagnostic.severity.label]
        assert found["message"]["text"] == diagnostic.message
        location = found["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": diagnostic.path, "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": diagnostic.span.line,
            "startColumn": diagnostic.span.column,
            "endLine": diagnostic.span.end_line,
            "endColumn": diagnostic.span.end_column,
        }
        assert found["partialFingerprints"] == {sarif.FINGERPRINT_KEY: fingerprint(diagnostic)}
        related = [
            (r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"])
            for r in found.get("relatedLocations", [])
        ]
        assert related == [(item.path, item.span.line) for item in diagnostic.related]
    dangling = next(r for r in run["results"] if r["ruleId"] == "SL201")
    assert dangling["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == DANGLING_FILE
    assert dangling["locations"][0]["physicalLocation"]["region"]["startLine"] == planted.dangling_line
    # The base names no path of the machine that made the report.
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    assert str(planted.repo.resolve()) not in json.dumps(run)


def test_sarif_fingerprints_stay_when_unrelated_lines_move(planted: Planted, tmp_path: Path) -> None:
    repo = copy_strategy(tmp_path)
    plant(repo)
    for relative in (DANGLING_FILE, DUPLICATE_FILE, VALUE_FILE):
        path = repo / relative
        lines = path.read_text().splitlines(keepends=True)
        # Below the schema comment, above every finding: a new note of five lines.
        path.write_text("".join([lines[0], *(f"# note {n}\n" for n in range(5)), *lines[1:]]))
    moved = lint(Settings(root=repo / "strategy", repo_root=repo))

    def by_fingerprint(result: Report) -> dict[str, int]:
        results = sarif_document(result)["runs"][0]["results"]
        return {
            r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r["locations"][0]["physicalLocation"]["region"][
                "startLine"
            ]
            for r in results
        }

    before, after = by_fingerprint(planted.result), by_fingerprint(moved)
    assert set(before) == set(after)
    assert all(after[key] == before[key] + 5 for key in before)


def synthetic_result(diagnostics: list[Diagnostic], base_summary: Summary | None = None) -> Report:
    counts = {s.label: sum(d.severity is s for d in diagnostics) for s in reversed(Severity)}
    summary = Summary(files=1, counts=counts, alignment=())
    return Report(tuple(diagnostics), summary, Path("/repo"), Severity.ERROR, base_summary)


def diagnostic(message: str = "Message 'm' is wrong.", **changes: Any) -> Diagnostic:
    values: dict[str, Any] = {
        "code": "SL201",
        "name": "dangling-reference",
        "severity": Severity.ERROR,
        "message": message,
        "path": "strategy/marketing/launch.yaml",
        "span": Span(14, 9, 14, 30),
        "subject": "m",
    }
    values.update(changes)
    return Diagnostic(**values)


def test_sarif_maps_info_to_note_and_keeps_unknown_codes_without_an_index() -> None:
    result = synthetic_result(
        [diagnostic(severity=Severity.INFO), diagnostic(code="SL999", name="from-elsewhere", subject="x")]
    )
    found = sarif_document(result)["runs"][0]["results"]
    assert found[0]["level"] == "note"
    assert "ruleIndex" not in found[1] and found[1]["ruleId"] == "SL999"
    check_github_requirements(sarif_document(result))


def test_sarif_uris_are_uri_references_for_any_file_name() -> None:
    # A space, '%', '<', '"' and non-ASCII letters: upload-sarif rejects what is not a
    # uri-reference, so the official schema is checked with format checking on.
    assert "uri-reference" in jsonschema.FormatChecker().checkers, "pip install -e '.[test]' (rfc3986-validator)"
    names = ["strategy/Q1 launch plan.yaml", "strategy/100% growth.yaml", 'strategy/<a "b">.yaml', "strategy/café.yaml"]
    found = [diagnostic(path=name, subject=name) for name in names]
    document = sarif_document(synthetic_result(found))
    schema = json.loads(needs_shared("schemas", "sarif-2.1.0.json").read_text())
    errors = list(jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(document))
    assert errors == [], [error.message for error in errors[:5]]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert uris == [
        "strategy/Q1%20launch%20plan.yaml",
        "strategy/100%25%20growth.yaml",
        "strategy/%3Ca%20%22b%22%3E.yaml",
        "strategy/caf%C3%A9.yaml",
    ]


def test_sarif_gives_identical_findings_distinct_fingerprints() -> None:
    twins = [diagnostic(span=Span(3, 1, 3, 4)), diagnostic(span=Span(9, 1, 9, 4)), diagnostic(span=Span(12, 1, 12, 4))]
    results = sarif_document(synthetic_result(twins))["runs"][0]["results"]
    prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results]
    assert prints[0] == fingerprint(twins[0])
    assert len(set(prints)) == 3


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code scanning's cap (25,000 results), made small: the rule at the cap is the same at
    any size, and rendering 25,000 results takes seconds."""
    assert sarif.MAX_RESULTS == 25_000
    monkeypatch.setattr(sarif, "MAX_RESULTS", 50)


@pytest.mark.usefixtures("small_cap")
def test_sarif_keeps_errors_first_at_the_cap() -> None:
    infos = [
        diagnostic(severity=Severity.INFO, subject=f"i{n}", span=Span(n + 1, 1, n + 1, 5))
        for n in range(sarif.MAX_RESULTS)
    ]
    errors = [diagnostic(severity=Severity.ERROR, subject=f"e{n}", span=Span(n + 1, 1, n + 1, 5)) for n in range(3)]
    warning = [diagnostic(severity=Severity.WARNING, subject="w", span=Span(1, 1, 1, 5))]
    run = sarif_document(synthetic_result([*infos, *warning, *errors]))["runs"][0]
    levels = [r["level"] for r in run["results"]]
    assert levels.count("error") == 3 and levels.count("warning") == 1
    assert len(levels) == sarif.MAX_RESULTS


@pytest.mark.usefixtures("small_cap")
def test_sarif_stops_at_the_code_scanning_limit_and_says_so() -> None:
    many = [diagnostic(subject=str(n), span=Span(n + 1, 1, n + 1, 5)) for n in range(sarif.MAX_RESULTS + 3)]
    run = sarif_document(synthetic_result(many))["runs"][0]
    assert len(run["results"]) == sarif.MAX_RESULTS
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "3 more findings" in notification["message"]["text"]


def test_sarif_links_each_rule_to_its_page_under_the_docs_address(planted: Planted) -> None:
    document = json.loads(REPORTERS["sarif"](planted.result, ReportOptions(docs_url="https://example.org/sl/docs/")))
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/sl/docs/rules/README.md"
    assert {rule["id"]: rule["helpUri"] for rule in driver["rules"]} == {
        rule.code: f"https://example.org/sl/docs/rules/{rule.code}.md" for rule in RULES
    }
    check_github_requirements(document)
    validate_against_official_schema(document)


def test_sarif_links_by_default_to_pages_of_the_repository(planted: Planted) -> None:
    """The default address is the repository's own docs/ folder, and every page it names exists there."""
    driver = sarif_document(planted.result)["runs"][0]["tool"]["driver"]
    pages = [driver["informationUri"], *(rule["helpUri"] for rule in driver["rules"])]
    assert all(page.startswith(DOCS_URL) for page in pages)
    missing = [page for page in pages if not (PROJECT / "docs" / page.removeprefix(DOCS_URL)).is_file()]
    assert missing == []


def test_sarif_help_markdown_puts_examples_in_code_blocks() -> None:
    for rule in RULES:
        text = sarif.help_markdown(rule.info())
        assert text.count("```") % 2 == 0, rule.code
        if "\n    " in rule.docs():
            assert "```yaml" in text, rule.code


# -- GitHub annotations ----------------------------------------------------------------------


def test_github_annotation_escapes_message_and_properties() -> None:
    tricky = diagnostic(
        "100% sure: claims a, b and c\nsecond line\r\nthird",
        path="strategy/odd,name:1%.yaml",
        name="dangling-reference",
    )
    line = github.annotation(tricky)
    assert line == (
        "::error file=strategy/odd%2Cname%3A1%25.yaml,line=14,col=9,endLine=14,endColumn=30,"
        "title=SL201 dangling-reference::100%25 sure: claims a, b and c%0Asecond line%0D%0Athird"
    )
    assert "\n" not in line and "\r" not in line


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command back as the runner does: split, then unescape."""

    def unescape(text: str) -> str:
        for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, plain)
        return text

    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in properties.items()}, unescape(match.group(3))


@pytest.mark.parametrize(
    "message", ["plain", "50% of 'a, b': c", "line\nbreak", "%0A is not a newline", "ends with %", "a::b,c=d"]
)
@pytest.mark.parametrize("path", ["strategy/x.yaml", "strategy/a,b:c%20.yaml"])
def test_github_annotations_read_back_exactly(message: str, path: str) -> None:
    command, properties, data = parse_workflow_command(github.annotation(diagnostic(message, path=path)))
    assert command == "error"
    assert data == message
    assert properties["file"] == path
    assert properties["title"] == "SL201 dangling-reference"


def test_github_annotations_for_the_planted_strategy(planted: Planted) -> None:
    lines = render("github", planted.result).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(planted.result.diagnostics)
    for line, found in zip(commands, planted.result.diagnostics, strict=True):
        command, properties, data = parse_workflow_command(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[found.severity.label]
        assert properties == {
            "file": found.path,
            "line": str(found.span.line),
            "col": str(found.span.column),
            "endLine": str(found.span.end_line),
            "endColumn": str(found.span.end_column),
            "title": f"{found.code} {found.name}",
        }
        assert data == found.message
    assert lines[-1].startswith("Found ")


def test_github_info_is_a_notice() -> None:
    assert github.annotation(diagnostic(severity=Severity.INFO)).startswith("::notice ")
    assert github.annotation(diagnostic(severity=Severity.WARNING)).startswith("::warning ")


# -- JUnit -----------------------------------------------------------------------------------


def test_junit_has_a_suite_per_file_and_a_failing_case_per_finding(planted: Planted) -> None:
    root = ET.fromstring(render("junit", planted.result))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    files = {item.path for item in planted.result.graph.loaded}
    assert set(suites) == files
    total_failures = 0
    for path, suite in suites.items():
        expected = [d for d in planted.result.diagnostics if d.path == path]
        cases = suite.findall("testcase")
        failures = [case.find("failure") for case in cases if case.find("failure") is not None]
        assert int(suite.get("failures", "-1")) == len(failures) == len(expected)
        assert int(suite.get("tests", "-1")) == len(cases) == max(len(expected), 1)
        for failure, found in zip(failures, expected, strict=True):
            assert failure is not None
            assert failure.get("type") == found.code
            assert failure.get("message") == found.message
            assert f"{found.path}:{found.line}:{found.column}" in (failure.text or "")
        if not expected:
            assert cases[0].find("failure") is None
        assert suite.get("file") == path
        for case in cases:
            assert case.get("classname") == path
            assert "file" not in case.attrib and "line" not in case.attrib  # junit-10.xsd allows neither
        for case, found in zip([c for c in cases if c.find("failure") is not None], expected, strict=True):
            assert case.findtext("system-out") == f"{found.path}:{found.line}:{found.column}"
        total_failures += len(expected)
    assert int(root.get("failures", "-1")) == total_failures == len(planted.result.diagnostics)
    assert int(root.get("tests", "-1")) == sum(int(s.get("tests", "0")) for s in suites.values())


def test_junit_lists_related_places_in_the_failure_text(planted: Planted) -> None:
    root = ET.fromstring(render("junit", planted.result))
    duplicate = next(d for d in planted.result.diagnostics if d.related)
    texts = [f.text or "" for f in root.iter("failure") if f.get("message") == duplicate.message]
    related = duplicate.related[0]
    assert any(f"{related.path}:{related.span.line}:" in text for text in texts)


def test_junit_stays_well_formed_whatever_the_message_holds() -> None:
    nasty = "Claim <b>'a & b'</b> \"quoted\" ]]> \x00\x1b control"
    root = ET.fromstring(junit.render(synthetic_result([diagnostic(nasty, path="strategy/<odd>&.yaml")])))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == nasty.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert root.find("testsuite").get("name") == "strategy/<odd>&.yaml"  # type: ignore[union-attr]


# -- GitLab Code Quality -----------------------------------------------------------------------


def test_gitlab_report_field_by_field(planted: Planted) -> None:
    issues = json.loads(render("gitlab", planted.result))
    assert isinstance(issues, list)
    assert len(issues) == len(planted.result.diagnostics)
    for issue, found in zip(issues, planted.result.diagnostics, strict=True):
        assert found.message in issue["description"]
        assert issue["check_name"] == found.code
        assert issue["fingerprint"] == fingerprint(found)
        assert issue["severity"] == {"error": "major", "warning": "minor", "info": "info"}[found.severity.label]
        assert issue["location"] == {"path": found.path, "lines": {"begin": found.line, "end": found.span.end_line}}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_are_unique_when_findings_share_one() -> None:
    twins = [diagnostic(span=Span(3, 1, 3, 4)), diagnostic(span=Span(9, 1, 9, 4)), diagnostic(span=Span(12, 1, 12, 4))]
    assert len({fingerprint(d) for d in twins}) == 1
    issues = json.loads(gitlab.render(synthetic_result(twins)))
    prints = [issue["fingerprint"] for issue in issues]
    assert prints[0] == fingerprint(twins[0])
    assert len(set(prints)) == 3
    assert prints == [issue["fingerprint"] for issue in json.loads(gitlab.render(synthetic_result(twins)))]


# -- JSON and text ------------------------------------------------------------------------------


def test_json_report_field_by_field(planted: Planted) -> None:
    document = json.loads(render("json", planted.result))
    assert document["version"] == stratlint.__version__
    assert "base_summary" not in document and "alignment_change" not in document
    for item, found in zip(document["diagnostics"], planted.result.diagnostics, strict=True):
        assert item == {
            "code": found.code,
            "name": found.name,
            "severity": found.severity.label,
            "message": found.message,
            "path": found.path,
            "line": found.span.line,
            "column": found.span.column,
            "end_line": found.span.end_line,
            "end_column": found.span.end_column,
            "pointer": found.pointer,
            "related": [
                {"path": r.path, "line": r.span.line, "column": r.span.column, "message": r.message}
                for r in found.related
            ],
        }
    assert document["summary"]["counts"] == planted.result.summary.counts
    assert document["summary"]["files"] == planted.result.summary.files


def compared(planted: Planted) -> Report:
    return dataclasses.replace(planted.result, base_summary=planted.base.summary)


def changed_function(planted: Planted) -> tuple[str, str, str]:
    """The function whose score the planted errors moved, with its score before and after."""
    before = {score.function: score.percent() for score in planted.base.summary.alignment}
    for score in planted.result.summary.alignment:
        if score.function != "overall" and before[score.function] != score.percent():
            return score.function, before[score.function], score.percent()
    raise AssertionError("the planted errors moved no alignment score")


def test_json_shows_the_change_against_a_base(planted: Planted) -> None:
    document = json.loads(render("json", compared(planted)))
    assert document["base_summary"] == planted.base.summary.as_dict()
    function, _, _ = changed_function(planted)
    change = document["alignment_change"][function]
    base = next(s for s in planted.base.summary.alignment if s.function == function)
    head = next(s for s in planted.result.summary.alignment if s.function == function)
    assert change["base"] == round(base.score, 4) and change["head"] == round(head.score, 4)  # type: ignore[arg-type]
    assert change["points"] == round(head.score * 100) - round(base.score * 100) < 0  # type: ignore[operator]


def test_text_shows_the_change_against_a_base(planted: Planted) -> None:
    function, before, after = changed_function(planted)
    plain = render("text", planted.result)
    assert "\u2192" not in plain
    text = render("text", compared(planted))
    row = next(line for line in text.splitlines() if line.startswith(f"  {function} "))
    assert f"{before} \u2192 {after}" in row


# -- Markdown ------------------------------------------------------------------------------------


def test_markdown_has_headline_scores_and_linked_findings(planted: Planted) -> None:
    text = render("markdown", planted.result)
    counts = planted.result.summary.counts
    assert text.splitlines()[0].startswith("## ")
    assert "failed" in text.splitlines()[0]
    assert f"{counts['error']} errors" in text.splitlines()[0]
    for score in planted.result.summary.alignment:
        assert re.search(rf"^\| (\*\*)?{score.function}(\*\*)? \| {score.percent()} \|", text, re.MULTILINE)
    for found in planted.result.diagnostics:
        assert f"]({found.path}#L{found.line})" in text
    # Errors come first.
    rows = [line for line in text.splitlines() if line.startswith("| :")]
    severities = [":x:" if row.startswith("| :x:") else "other" for row in rows]
    assert severities == sorted(severities, key=lambda s: s != ":x:")


def test_markdown_shows_each_score_change_against_a_base(planted: Planted) -> None:
    function, before, after = changed_function(planted)
    assert "\u2192" not in render("markdown", planted.result)
    text = render("markdown", compared(planted))
    row = next(line for line in text.splitlines() if line.startswith(f"| {function} |"))
    assert f"{before} \u2192 {after}" in row


def test_markdown_passing_headline(planted: Planted) -> None:
    first = render("markdown", planted.base).splitlines()[0]
    assert "passed" in first and "failed" not in first


def table_cells(row: str) -> list[str]:
    """Split a Markdown table row on unescaped pipes."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def test_markdown_cells_escape_pipes_newlines_and_markup() -> None:
    message = "Claim 'a | b'\nsays <script>x</script> and **bold** [link](http://x)"
    text = markdown.render(synthetic_result([diagnostic(message)]))
    rows = [line for line in text.splitlines() if line.startswith("| :x:")]
    assert len(rows) == 1
    cells = table_cells(rows[0])
    assert len(cells) == 4
    assert "<script>" not in rows[0] and "**bold**" not in rows[0] and "[link](" not in rows[0]
    assert cells[3].replace("<br>", "\n").replace("\\", "") == message


def test_markdown_caps_the_findings_table() -> None:
    many = [diagnostic(subject=str(n), span=Span(n + 1, 1, n + 1, 5)) for n in range(markdown.MAX_ROWS + 7)]
    text = markdown.render(synthetic_result(many))
    assert sum(line.startswith("| :x:") for line in text.splitlines()) == markdown.MAX_ROWS
    assert "7 more findings not shown" in text


# -- every format ---------------------------------------------------------------------------------


def test_every_format_is_listed_in_check_help() -> None:
    from conftest import invoke

    help_text = invoke("check", "--help").output
    for name in REPORTERS:
        assert name in help_text
    assert "--output" in help_text


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_renders_an_empty_strategy(name: str) -> None:
    assert render(name, synthetic_result([])).strip()


def test_related_locations_survive_into_sarif_with_messages() -> None:
    related = (RelatedLocation("strategy/narrative.yaml", Span(3, 5, 3, 20), "defined here"),)
    found = sarif_document(synthetic_result([diagnostic(related=related)]))["runs"][0]["results"][0]
    (location,) = found["relatedLocations"]
    assert location["message"]["text"] == "defined here"
    assert location["physicalLocation"]["region"]["startLine"] == 3


# -- any text at all -------------------------------------------------------------------------------


@given(message=st.text(min_size=1), path=st.text(min_size=1))
def test_any_message_and_path_read_back_from_an_annotation(message: str, path: str) -> None:
    line = github.annotation(diagnostic(message, path=path))
    assert "\n" not in line and "\r" not in line
    _, properties, data = parse_workflow_command(line)
    assert data == message
    assert properties["file"] == path


@given(message=st.text())
def test_any_message_stays_inside_its_markdown_cell(message: str) -> None:
    escaped = markdown.cell(message)
    assert "\n" not in escaped and "\r" not in escaped
    assert len(table_cells(f"| {escaped} |")) == 1


@given(message=st.text(), path=st.text(min_size=1))
def test_any_message_makes_well_formed_junit(message: str, path: str) -> None:
    root = ET.fromstring(junit.render(synthetic_result([diagnostic(message, path=path)])))
    assert len(root.findall("testsuite/testcase/failure")) == 1
