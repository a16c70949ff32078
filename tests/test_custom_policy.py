"""The organisation's own rules (stratlint.custom): a declarative policy, read from the
configuration and from a YAML policy file, compiled into rules the engine runs as it runs
its own. Each built-in check reports exactly what its fixture plants, at the offending text;
the findings are ordinary findings (selection, suppressions, the baseline, every format);
a policy that cannot be read says where, at file:line; a hostile policy can run nothing."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.config import CommandLineOptions, ConfigError, resolve_config, resolve_settings
from stratlint.custom.model import PolicyRule
from stratlint.diagnostics import Diagnostic, Severity, Stage
from stratlint.report import REPORTERS, ReportOptions
from stratlint.rules import BUILT_IN

from conftest import PROJECT, invoke
from rules_harness import BASE, STRATEGY, TODAY, build_tree, describe, fixture_files, lint_tree

POLICY_FIXTURES = PROJECT / "tests" / "fixtures" / "policy"
CHECKS = POLICY_FIXTURES / "checks"
_MARKER = re.compile(r"#\s*expect:\s*([A-Z][A-Z0-9]*[0-9]{3}(?:\s*,\s*[A-Z][A-Z0-9]*[0-9]{3})*)\s*$")

Finding = tuple[str, str, int]


def marked(fixture: Path) -> Counter[Finding]:
    """The findings a fixture marks with '# expect: ACME001' (code, path in the tree, line)."""
    expected: Counter[Finding] = Counter()
    for relative in fixture_files(fixture):
        for number, line in enumerate((fixture / relative).read_text(encoding="utf-8").split("\n"), start=1):
            found = _MARKER.search(line)
            if found:
                for code in found.group(1).split(","):
                    expected[(code.strip(), f"{STRATEGY}/{relative.as_posix()}", number)] += 1
    return expected


def found(diagnostics: list[Diagnostic]) -> Counter[Finding]:
    return Counter((d.code, d.path, d.line) for d in diagnostics)


@pytest.fixture(scope="module")
def checks_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("policy-checks")
    build_tree(CHECKS, tmp)
    return tmp


@pytest.fixture(scope="module")
def checked(checks_tree: Path) -> list[Diagnostic]:
    return lint_tree(checks_tree)


def _settings(tmp: Path, **options: object) -> Settings:
    root = tmp / STRATEGY
    effective = resolve_settings(root, CommandLineOptions(config=root / "stratlint.toml", **options))  # type: ignore[arg-type]
    return replace(effective, repo_root=tmp, today=TODAY)


# -- every check, at the offending text ---------------------------------------------------------------


def test_every_check_reports_exactly_what_its_fixture_plants(checked: list[Diagnostic]) -> None:
    expected = marked(CHECKS)
    codes = {code for code, _, _ in expected}
    assert codes == {f"ACME{number:03d}" for number in range(1, 14)}, "one planted finding per check"
    assert found(checked) == expected, describe(checked)


# For each code, the text its finding starts at on its line (the value, the key, the word).
COLUMNS = {
    "ACME001": "msg-live-no-body",
    "ACME002": "notes",
    "ACME003": "cmp-spring",
    "ACME004": "fax",
    "ACME005": "A headline that runs on",
    "ACME006": "Too short.",
    "ACME007": "cheap",
    "ACME008": "Reconciliation that runs",
    "ACME009": "proof_points",
    "ACME010": "pillar-continuous-close",
    "ACME011": "msg-same-headline",
    "ACME012": "channels",
    "ACME013": "Close your books",
}


@pytest.mark.parametrize("code", sorted(COLUMNS))
def test_a_policy_finding_points_at_the_field(code: str, checked: list[Diagnostic], checks_tree: Path) -> None:
    (diagnostic,) = [d for d in checked if d.code == code]
    line = (checks_tree / diagnostic.path).read_text(encoding="utf-8").split("\n")[diagnostic.line - 1]
    assert diagnostic.column == line.index(COLUMNS[code]) + 1, f"{diagnostic}: {line!r}"


def test_a_forbidden_word_is_pointed_at_exactly(checked: list[Diagnostic], checks_tree: Path) -> None:
    (word,) = [d for d in checked if d.code == "ACME007"]
    line = (checks_tree / word.path).read_text(encoding="utf-8").split("\n")[word.line - 1]
    assert line[word.span.column - 1 : word.span.end_column - 1] == "cheap"
    assert "write 'affordable' instead" in word.message


def test_findings_carry_their_rule_and_fill_the_template(checked: list[Diagnostic]) -> None:
    by_code = {d.code: d for d in checked}
    assert by_code["ACME005"].message == (
        "Message 'msg-long-headline': the headline runs to 62 characters; keep it to 40."
    )
    assert by_code["ACME005"].name == "headline-too-long"
    assert by_code["ACME005"].severity is Severity.WARNING
    assert by_code["ACME006"].severity is Severity.INFO
    # cites names what it cites that does not count, and what is missing
    assert "'pp-acme-close' has no as_of" in by_code["ACME009"].message
    assert "proof point with as_of within 12 months" in by_code["ACME009"].message
    # unique_within points at the first, with a related location
    (related,) = by_code["ACME013"].related
    assert related.path == f"{STRATEGY}/marketing/messaging.yaml"
    assert all(d.message.rstrip().endswith((".", "?")) for d in checked)


# -- ordinary findings: selection, suppressions, the baseline, formats -------------------------------------


def test_selectors_and_severities_take_the_organisations_codes_and_names(checks_tree: Path) -> None:
    settings = _settings(checks_tree, ignore=("ACME",), extend_select=(), severity=("headline-too-long=error",))
    assert [d for d in lint(settings).diagnostics if d.code.startswith("ACME")] == []
    only = _settings(checks_tree, select=("ACME005",), severity=("headline-too-long=error",))
    (diagnostic,) = lint(only).diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("ACME005", Severity.ERROR)


def test_an_unknown_selector_still_names_no_rule(checks_tree: Path) -> None:
    with pytest.raises(ConfigError, match="'ACME999' matches no rule"):
        _settings(checks_tree, ignore=("ACME999",))


def test_a_comment_silences_a_policy_finding_and_an_unused_one_is_reported(tmp_path: Path) -> None:
    build_tree(CHECKS, tmp_path)
    webinars = tmp_path / STRATEGY / "marketing" / "webinars.yaml"
    text = webinars.read_text(encoding="utf-8")
    text = text.replace("  # expect: ACME005", "  # stratlint: disable=headline-too-long -- agreed with the brand team")
    text = text.replace("headline: Reconcile every day", "headline: Reconcile every day  # stratlint: disable=ACME007")
    webinars.write_text(text, encoding="utf-8")
    diagnostics = list(lint(_settings(tmp_path)).diagnostics)
    assert not [d for d in diagnostics if d.code == "ACME005"]
    (unused,) = [d for d in diagnostics if d.code == "SL901"]
    assert "cheap-words" in unused.message


def test_the_baseline_records_policy_findings(tmp_path: Path) -> None:
    build_tree(CHECKS, tmp_path)
    root = tmp_path / STRATEGY
    baseline = tmp_path / "baseline.json"
    result = invoke("baseline", root, "--config", root / "stratlint.toml", "--output", baseline)
    assert result.exit_code == 0, result.output
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert "ACME013" in json.dumps(recorded)
    after = invoke("check", root, "--config", root / "stratlint.toml", "--baseline", baseline, "--format", "json")
    assert [d["code"] for d in json.loads(after.stdout)["diagnostics"] if d["code"].startswith("ACME")] == []


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_every_format_shows_policy_findings(output_format: str, checks_tree: Path) -> None:
    report = lint(_settings(checks_tree)).report()
    text = REPORTERS[output_format](report, ReportOptions())
    assert "ACME013" in text or "repeated-headline" in text


def test_sarif_describes_the_organisations_rules(checks_tree: Path) -> None:
    report = lint(_settings(checks_tree)).report()
    document = json.loads(REPORTERS["sarif"](report, ReportOptions()))
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    acme = rules["ACME001"]
    assert acme["name"] == "live-message-without-body"
    assert acme["shortDescription"]["text"] == "A live message has no body copy."
    assert "helpUri" not in acme, "stratlint's documentation has no page for the organisation's rules"
    assert "policy" in acme["properties"]["tags"]
    assert "SL201" in rules and "helpUri" in rules["SL201"]
    results = document["runs"][0]["results"]
    assert {result["ruleId"] for result in results} >= {f"ACME{n:03d}" for n in range(1, 14)}


def test_rules_and_explain_list_the_organisations_rules_marked(checks_tree: Path) -> None:
    root = checks_tree / STRATEGY
    listing = invoke("rules", root)
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    assert lines[0].startswith("SL001")
    acme = [line for line in lines if line.startswith("ACME")]
    assert len(acme) == 13 and all(line.endswith("(the organisation's)") for line in acme)
    assert not any("organisation's)" in line for line in lines if line.startswith("SL"))
    as_json = json.loads(invoke("rules", root, "--format", "json").stdout)
    assert [rule["organisation"] for rule in as_json if rule["code"] == "ACME001"] == [True]
    explained = invoke("explain", "repeated-headline", root)
    assert explained.exit_code == 0, explained.output
    assert explained.stdout.startswith("ACME013 repeated-headline [error] (the organisation's own rule)")
    assert "from .stratlint/policy.yaml:" in explained.stdout or "policy.yaml:" in explained.stdout
    assert "unique_within: strategy" in explained.stdout
    assert invoke("explain", "ACME013").exit_code == 2, "outside the configuration, there is no such rule"


def _base_tree(tmp_path: Path) -> Path:
    """The clean base strategy alone, as tmp_path/strategy."""
    (tmp_path / "no-overlay").mkdir(parents=True, exist_ok=True)
    return build_tree(tmp_path / "no-overlay", tmp_path)


def test_without_a_policy_nothing_changes(tmp_path: Path) -> None:
    assert resolve_settings(_base_tree(tmp_path)).rule_set is BUILT_IN
    assert repr(BUILT_IN) == "RuleSet(0 of the organisation's, no policy)"


# -- errors at file:line ------------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str, policy: str | None = None) -> Path:
    shutil.copytree(BASE, tmp_path / STRATEGY, dirs_exist_ok=True)
    config = tmp_path / "stratlint.toml"
    config.write_text('root = "strategy"\n' + text, encoding="utf-8")
    if policy is not None:
        (tmp_path / "policy.yaml").write_text(policy, encoding="utf-8")
    return config


def _error(config: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        resolve_config(None, CommandLineOptions(config=config))
    return str(raised.value)


RULE = """
[[policy.rules]]
id = "ACME001"
severity = "error"
given = { type = "message", field = "headline" }
then = { max_length = 60 }
"""

TOML_ERRORS = [
    (RULE.replace('severity = "error"', 'severity = "fatal"'), 5, "policy.rules[0].severity", "not one of"),
    (RULE.replace('id = "ACME001"', 'id = "SL999"'), 4, "policy.rules[0].id", "starts with SL"),
    (RULE.replace('id = "ACME001"', 'id = "acme-1"'), 4, "policy.rules[0].id", "capital letters, then three digits"),
    (
        RULE.replace('field = "headline"', 'field = "headlin"'),
        6,
        "policy.rules[0].given.field",
        "not a field of message",
    ),
    (RULE.replace('type = "message"', 'type = "mesage"'), 6, "policy.rules[0].given.type", "not a type of entry"),
    (RULE.replace("max_length = 60", 'max_length = "sixty"'), 7, "policy.rules[0].then.max_length", "whole number"),
    (
        RULE.replace("max_length = 60", "max_lenght = 60"),
        7,
        "policy.rules[0].then.max_lenght",
        "did you mean 'max_length'",
    ),
    (RULE.replace("then = { max_length = 60 }", "then = {}"), 7, "policy.rules[0].then", "at least one check"),
    (RULE + 'message = "Too long: {lenght}."\n', 8, "policy.rules[0].message", "does not fill"),
    (RULE + 'message = "{label.__class__}"\n', 8, "policy.rules[0].message", "not a placeholder"),
    (RULE.replace("max_length = 60", 'pattern = "(?=x)"'), 7, "policy.rules[0].then.pattern", "look-around"),
    (
        RULE.replace('field = "headline" }', 'where = { as_of = { within = "a year" } } }').replace(
            "max_length = 60", "required = true"
        ),
        6,
        "policy.rules[0].given.where.as_of.within",
        "a span of time such as '12 months'",
    ),
    (
        RULE.replace('given = { type = "message", field = "headline" }', 'given = { type = "message" }'),
        7,
        "policy.rules[0].then.max_length",
        "name it in given.field",
    ),
    (RULE + RULE, 10, "policy.rules[1].id", "already the code of the rule at stratlint.toml:3"),
    (RULE + 'name = "dangling-reference"\n', 8, "policy.rules[0].name", "stratlint's rule SL201"),
]


@pytest.mark.parametrize(("text", "line", "key", "fragment"), TOML_ERRORS)
def test_a_policy_error_names_the_file_the_line_and_the_key(
    text: str, line: int, key: str, fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    message = _error(_config(tmp_path, text))
    assert message.startswith(f"stratlint.toml:{line}: {key}: "), message
    assert fragment in message, message


def test_a_policy_in_pyproject_names_its_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASE, tmp_path / STRATEGY)
    text = RULE.replace("[[policy.rules]]", "[[tool.stratlint.policy.rules]]").replace('"error"', '"fatal"')
    (tmp_path / "pyproject.toml").write_text('[tool.stratlint]\nroot = "strategy"\n' + text, encoding="utf-8")
    message = _error(tmp_path / "pyproject.toml")
    assert message.startswith("pyproject.toml:6: [tool.stratlint] policy.rules[0].severity: "), message


YAML_RULE = """rules:
  - id: ACME001
    severity: error
    given: {type: message, field: headline}
    then:
      max_length: 60
"""

YAML_ERRORS = [
    (
        YAML_RULE.replace("max_length: 60", "max_length: {chars: many}"),
        "policy.yaml:6:27: rules[0].then.max_length.chars",
    ),
    (YAML_RULE.replace("severity: error", "severity: fatal"), "policy.yaml:3:15: rules[0].severity"),
    (YAML_RULE.replace("    then:", "    thne:"), "policy.yaml:5:5: rules[0].thne: unknown key; did you mean 'then'?"),
    (YAML_RULE + "  - !!python/object:os.system {}\n", "policy.yaml:7:5:"),
    ("rules: [\n", "policy.yaml:2:1:"),
    ("- a list\n", "policy.yaml:1: a policy file is a mapping"),
]


@pytest.mark.parametrize(("policy", "start"), YAML_ERRORS)
def test_a_policy_file_error_names_its_line_and_column(
    policy: str, start: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    message = _error(_config(tmp_path, '[policy]\nfile = "policy.yaml"\n', policy))
    assert message.startswith(start), message


def test_the_policy_file_must_stay_inside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(repo)
    (tmp_path / "outside.yaml").write_text(YAML_RULE, encoding="utf-8")
    config = _config(repo, '[policy]\nfile = "../outside.yaml"\n')
    assert "outside the repository" in _error(config)
    (repo / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    config.write_text('root = "strategy"\n[policy]\nfile = "link.yaml"\n', encoding="utf-8")
    assert "leads through a link to" in _error(config)
    config.write_text('root = "strategy"\n[policy]\nfile = "missing.yaml"\n', encoding="utf-8")
    assert "'missing.yaml' does not exist" in _error(config)


def test_a_policy_file_among_the_strategy_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, '[policy]\nfile = "strategy/policy.yaml"\n')
    (tmp_path / STRATEGY / "policy.yaml").write_text(YAML_RULE, encoding="utf-8")
    assert "read as a strategy file" in _error(config)
    (tmp_path / STRATEGY / ".stratlint").mkdir()
    shutil.move(tmp_path / STRATEGY / "policy.yaml", tmp_path / STRATEGY / ".stratlint" / "policy.yaml")
    config.write_text('root = "strategy"\n[policy]\nfile = "strategy/.stratlint/policy.yaml"\n', encoding="utf-8")
    assert resolve_config(None, CommandLineOptions(config=config)).rule_set.custom


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_policy_file_that_is_a_fifo_is_not_waited_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, '[policy]\nfile = "pipe.yaml"\n')
    os.mkfifo(tmp_path / "pipe.yaml")
    assert "not a regular file" in _error(config)


# -- a hostile policy can run nothing -----------------------------------------------------------------------


def test_a_pattern_that_would_hang_a_backtracking_engine_finishes_at_once(tmp_path: Path) -> None:
    root = _base_tree(tmp_path)
    messaging = root / "marketing" / "messaging.yaml"
    messaging.write_text(
        messaging.read_text(encoding="utf-8").replace(
            "headline: Close your books in three days", "headline: " + "a" * 5000 + "!"
        ),
        encoding="utf-8",
    )
    (root / "stratlint.toml").write_text(
        '[[policy.rules]]\nid = "EVIL001"\nseverity = "error"\n'
        'given = { type = "message", field = "headline" }\nthen = { pattern = "^(a+)+$" }\n',
        encoding="utf-8",
    )
    started = time.perf_counter()
    diagnostics = lint_tree(tmp_path)
    assert time.perf_counter() - started < 20
    assert [d.code for d in diagnostics if d.code == "EVIL001"] == ["EVIL001"]


def test_a_policy_cannot_run_code_read_files_or_reach_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything a policy may write is data for built-in checks. The places where a string
    could be taken as more (a template, a pattern, a word list, a YAML tag, a snippet) take
    it as text, and a run with such a policy opens no other file and no socket."""
    import builtins
    import socket

    build_tree(CHECKS, tmp_path)
    root = tmp_path / STRATEGY
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read", encoding="utf-8")
    hostile = f"""
rules:
  - id: EVIL001
    severity: error
    message: "{{label}} {{value}} __import__('os').system('touch {tmp_path}/pwned')"
    given: {{type: message, field: headline, where: {{headline: {{matches: '.*'}}}}}}
    then:
      forbid_words: ["__import__('os')", "{secret}", "http://example.com/x", "Close"]
      pattern: {{not_match: '$(touch {tmp_path}/pwned2)'}}
    examples:
      - bad: "headline: \\"{{{{ open('{secret}').read() }}}}\\""
      - good: !!str "headline: eval('1')"
"""
    (root / ".stratlint" / "policy.yaml").write_text(hostile, encoding="utf-8")
    opened: list[str] = []
    real_open = builtins.open

    def watching_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a policy reached for the network")

    real_os_open = os.open

    def watching_os_open(path: object, *args: object, **kwargs: object) -> int:
        opened.append(os.fsdecode(path))  # type: ignore[arg-type]
        return real_os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr(os, "open", watching_os_open)
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    diagnostics = lint(_settings(tmp_path, cache=False)).diagnostics
    evil = [d for d in diagnostics if d.code == "EVIL001"]
    assert evil and all("__import__('os').system(" in d.message for d in evil), "the template is text, filled"
    outcome = invoke("policy", "test", root, "--config", root / "stratlint.toml")
    assert outcome.exit_code in (0, 1)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    assert str(secret) not in opened
    assert opened, "the run's own reads are seen"
    outside = [name for name in opened if not name.startswith(str(tmp_path)) and "cache" not in name]
    assert outside == [], outside


def test_yaml_tags_in_a_policy_file_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tagged = YAML_RULE.replace("severity: error", "severity: !!python/name:os.system error")
    message = _error(_config(tmp_path, '[policy]\nfile = "policy.yaml"\n', tagged))
    assert message.startswith("policy.yaml:3:"), message


# -- more of what checks do ---------------------------------------------------------------------------------


def _one_rule(tmp_path: Path, toml: str, *, edits: dict[str, tuple[str, str]] | None = None) -> list[Diagnostic]:
    root = _base_tree(tmp_path)
    for relative, (old, new) in (edits or {}).items():
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (root / "stratlint.toml").write_text(toml, encoding="utf-8")
    return [d for d in lint_tree(tmp_path) if d.code.startswith("ACME")]


def test_a_strategy_wide_minimum_is_reported_at_the_root(tmp_path: Path) -> None:
    (diagnostic,) = _one_rule(
        tmp_path,
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\ngiven = { type = "pillar" }\n'
        "then = { count = { min = 3 } }\n",
    )
    assert (diagnostic.path, diagnostic.span.positioned) == (STRATEGY, False)
    assert diagnostic.message == "The strategy has 1 pillars; the organisation's policy asks for at least 3."


def test_unique_within_a_file_is_a_file_rule(tmp_path: Path) -> None:
    from stratlint.rules import FileRule

    toml = (
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\n'
        'given = { type = "message", field = "headline" }\nthen = { unique_within = "file" }\n'
    )
    rule_set = _settings_for(tmp_path, toml).rule_set
    assert issubclass(rule_set.custom[0], FileRule)


def _settings_for(tmp_path: Path, toml: str) -> Settings:
    _one_rule(tmp_path, toml)
    return _settings(tmp_path)


def test_conditions_of_a_where(tmp_path: Path) -> None:
    toml = """
[[policy.rules]]
id = "ACME001"
severity = "warning"
given = { type = "proof point", where = { source = { matches = "(?i)case study" }, as_of = "unset" } }
then = { required = true }
given.field = "as_of"
"""
    toml = toml.replace(", where = {", ', field = "as_of", where = {').replace('given.field = "as_of"\n', "")
    (diagnostic,) = _one_rule(tmp_path, toml)
    assert diagnostic.message.startswith("Proof point 'pp-acme-close' has no as_of")


def test_cited_by_counts_only_the_entries_it_names(tmp_path: Path) -> None:
    toml = (
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\ngiven = { type = "claim" }\n'
        'then = { cited_by = { type = "play", where = { type = "enablement" } } }\n'
    )
    (diagnostic,) = _one_rule(tmp_path, toml)
    assert diagnostic.message == (
        "Claim 'claim-close-in-days' is cited by no play with type enablement; the organisation's policy asks for one."
    )
    assert (
        _one_rule(
            tmp_path / "again",
            toml,
            edits={
                "sales/playbook.yaml": (
                    "    name: Controller month-end pain\n",
                    "    name: Controller pain\n    type: enablement\n",
                )
            },
        )
        == []
    )


def test_cites_at_most(tmp_path: Path) -> None:
    toml = (
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\ngiven = { type = "message" }\n'
        'then = { cites = { type = ["claim", "pillar"], min = 0, max = 0 } }\n'
    )
    (diagnostic,) = _one_rule(tmp_path, toml)
    assert "cites 1 of claim or pillar" in diagnostic.message


# -- the speed layer: a policy change is never answered from an old run -------------------------------------


def _git(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def _check(repo: Path, *extra: str) -> tuple[int, list[tuple[str, str, int]]]:
    result = invoke("check", "strategy", "--format", "json", *extra, cwd=repo)
    assert result.stderr == "", result.stderr
    diagnostics = json.loads(result.stdout)["diagnostics"]
    return result.exit_code, [(d["code"], d["path"], d["line"]) for d in diagnostics]


def test_a_changed_policy_is_never_answered_from_the_snapshot(tmp_path: Path, home: Path) -> None:
    repo = tmp_path / "repo"
    build_tree(CHECKS, repo)
    _git(repo)
    shutil.move(repo / STRATEGY / "stratlint.toml", repo / "stratlint.toml")
    config = repo / "stratlint.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'file = ".stratlint/policy.yaml"', 'file = "strategy/.stratlint/policy.yaml"'
        ),
        encoding="utf-8",
    )
    first = _check(repo)
    assert first == _check(repo), "the same policy: the same answer, from the snapshot"
    assert ("ACME005", "strategy/marketing/webinars.yaml", 54) in first[1]
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_length = 40", "max_length = 80"), encoding="utf-8"
    )
    second = _check(repo)
    assert not [item for item in second[1] if item[0] == "ACME005"]
    assert second == _check(repo, "--no-cache")
    policy = repo / STRATEGY / ".stratlint" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("cheap: affordable", "calm: quiet"), encoding="utf-8")
    third = _check(repo)
    assert third == _check(repo, "--no-cache")
    assert ("ACME007", "strategy/marketing/webinars.yaml", 8) in third[1], "the body of msg-live-good says 'calm'"


def test_an_incremental_run_sees_what_a_strategy_wide_policy_rule_sees(tmp_path: Path, home: Path) -> None:
    """unique_within reads headlines, which are no file's interface: an edit that repeats a
    headline in a file no strategy-wide finding points into must still be found, as a full
    run finds it (an organisation's strategy-wide rule names the kinds it reads)."""
    repo = tmp_path / "repo"
    build_tree(CHECKS, repo)
    _git(repo)
    (repo / STRATEGY / "stratlint.toml").unlink()
    (repo / "stratlint.toml").write_text(
        '[[policy.rules]]\nid = "ACME013"\nseverity = "error"\n'
        'given = { type = "message", field = "headline" }\nthen = { unique_within = "strategy" }\n',
        encoding="utf-8",
    )
    webinars = repo / STRATEGY / "marketing" / "webinars.yaml"
    webinars.write_text(
        webinars.read_text(encoding="utf-8").replace(
            "headline: Close your books in three days", "headline: Close the month calmly"
        ),
        encoding="utf-8",
    )
    before = _check(repo)
    assert not [item for item in before[1] if item[0] == "ACME013"]
    messaging = repo / STRATEGY / "marketing" / "messaging.yaml"
    messaging.write_text(
        messaging.read_text(encoding="utf-8").replace(
            "headline: Close your books in three days", "headline: Reconcile every day"
        ),
        encoding="utf-8",
    )
    after = _check(repo)
    assert after == _check(repo, "--no-cache")
    assert ("ACME013", "strategy/marketing/webinars.yaml", 6) in after[1]


# -- stratlint policy test ---------------------------------------------------------------------------------


EXAMPLES = """
[[policy.rules]]
id = "ACME001"
name = "cheap-words"
severity = "error"
given = { type = "message", field = "headline" }
then = { forbid_words = ["cheap"] }

[[policy.rules.examples]]
bad = "headline: The cheap close"

[[policy.rules.examples]]
good = "headline: The calm close"

[[policy.rules]]
id = "ACME002"
severity = "warning"
given = { type = "message" }
then = { cites = { type = "proof point", where = { as_of = { within = "12 months" } } } }

[[policy.rules.examples]]
note = "a proof point from long ago"
bad = '''
headline: Close in days
proof_points: [pp-old]
'''
with = ['''
stratlint: 1
kind: narrative
id: narrative
thesis: The close is continuous.
proof_points:
  - id: pp-old
    statement: A customer closed in three days.
    as_of: 2001-01-31
''']
"""


def test_policy_test_runs_every_example_and_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, EXAMPLES)
    result = invoke("policy", "test", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 examples of 2 rules: all pass."
    as_json = json.loads(invoke("policy", "test", "--config", config, "--format", "json").stdout)
    assert [item["passed"] for item in as_json] == [True, True, True]


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        (('bad = "headline: The cheap close"', 'bad = "headline: The calm close"'), "reported nothing"),
        (('good = "headline: The calm close"', 'good = "headline: So cheap"'), "a good example must pass"),
        (('good = "headline: The calm close"', 'good = "headline: 1\\nheadline: 2"'), "not valid YAML"),
        (('good = "headline: The calm close"', 'good = "channels: nope"'), "does not load"),
    ],
)
def test_policy_test_exits_1_when_an_example_fails(
    broken: tuple[str, str], why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, EXAMPLES.replace(*broken))
    result = invoke("policy", "test", "--config", config)
    assert result.exit_code == 1, result.output
    (failed,) = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert why in failed


def test_policy_test_with_a_broken_policy_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, EXAMPLES.replace('severity = "warning"', 'severity = "fatal"'))
    result = invoke("policy", "test", "--config", config)
    assert result.exit_code == 2
    assert "stratlint.toml:18: policy.rules[1].severity" in result.stderr


def test_the_model_and_the_stages_agree() -> None:
    stages = PolicyRule.model_fields["stage"].annotation
    assert set(stages.__args__) == {stage.label for stage in Stage}  # type: ignore[union-attr]
    assert datetime.date.today()  # the model holds no date of its own


# -- the bundled strategy's own policy ----------------------------------------------------------------------

BUNDLED = PROJECT / "strategy"
BUNDLED_TODAY = datetime.date(2026, 12, 3)
"""The day the bundled policy is judged on: its fresh-proof rule counts back from it."""

# Each plant breaks one rule of strategy/.stratlint/policy.yaml once: (file, old text, new
# text, the code, the text on the line the finding is reported at).
PLANTS = [
    (
        "marketing/core-messaging.yaml",
        "proof_points: [pp.headcount-flat, pp.calloway-intercompany]",
        "proof_points: [pp.calloway-intercompany]",
        "LL001",
        "proof_points: [pp.calloway-intercompany]",
    ),
    (
        "marketing/core-messaging.yaml",
        "headline: Flux review in hours, not days.",
        "headline: Flux review in hours, not days, with every variance explained to you.",
        "LL002",
        "headline: Flux review in hours, not days, with",
    ),
    (
        "marketing/core-messaging.yaml",
        "headline: AI that shows its work.",
        "headline: Best-in-class AI that shows its work.",
        "LL003",
        "headline: Best-in-class AI",
    ),
    (
        "marketing/campaigns-fy2027.yaml",
        '''headline: "The portfolio close: five days, every company, every ERP"''',
        '''headline: "The portfolio close: 5 days, every company, every ERP"''',
        "LL004",
        "- id: cmp.portfolio-close",
    ),
    (
        "marketing/campaigns-fy2027.yaml",
        "    proof_points: [pp.meridian-acquisition, pp.close-benchmark-median]\n",
        "",
        None,
        "",
    ),
    (
        "marketing/launches.yaml",
        "headline: Multi-currency revaluation, without the spreadsheet.",
        "headline: Add entities, not accountants.",
        "LL005",
        "headline: Add entities, not accountants.",
    ),
    (
        "narrative.yaml",
        "\nproof_points:\n",
        "\n  - id: pillar.fifth-idea\n    name: A fifth idea\n\nproof_points:\n",
        "LL006",
        "- id: pillar.fifth-idea",
    ),
    (
        "sales/new-logo.yaml",
        "narrative: [claim.sox-ready-controls]",
        "narrative: [claim.audit-ready-evidence]",
        "LL007",
        None,
    ),
    (
        "marketing/campaigns-fy2027.yaml",
        "- id: cmp.cas-partner-launch",
        "- id: partner.cas-launch",
        "LL008",
        "- id: partner.cas-launch",
    ),
    (
        "sales/competitive-and-expansion.yaml",
        "    type: play\n    trigger: >-\n      An enterprise close suite",
        "    type: play\n    notes: >-\n      An enterprise close suite",
        "LL009",
        "- id: play.comp.enterprise-suite",
    ),
]


def _bundled_settings(root: Path, repo: Path) -> Settings:
    settings = resolve_settings(root, CommandLineOptions(config=root / "stratlint.toml"))
    return replace(settings, repo_root=repo, today=BUNDLED_TODAY, cache=False)


def test_the_bundled_strategy_checks_clean_with_its_policy(tmp_path: Path) -> None:
    root = tmp_path / STRATEGY
    shutil.copytree(BUNDLED, root)
    settings = _bundled_settings(root, tmp_path)
    codes = [rule.code for rule in settings.rule_set.custom]
    assert codes == [f"LL{number:03d}" for number in range(1, 10)], "about eight rules"
    diagnostics = list(lint(settings).diagnostics)
    assert diagnostics == [], describe(diagnostics)


def test_the_bundled_policy_has_the_four_rules_of_the_issue() -> None:
    """Fresh proof for enterprise messages, headlines within 60 characters, never
    'best-in-class', and a number in a headline needs a proof point."""
    rule_set = _bundled_settings(BUNDLED, PROJECT).rule_set
    then = {
        rule.code: rule.compiled.spec.then.model_dump(exclude_none=True)  # type: ignore[attr-defined]
        for rule in rule_set.custom
    }
    assert then["LL001"]["cites"]["where"] == {"as_of": {"within": "12 months"}}
    assert then["LL002"]["max_length"] == {"chars": 60}
    assert "best-in-class" in then["LL003"]["forbid_words"]["words"]
    assert then["LL004"]["cites"]["type"] == "proof point"


def test_the_bundled_policy_examples_all_pass() -> None:
    result = invoke("policy", "test", BUNDLED)
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("all pass.")


def test_a_planted_copy_breaks_each_bundled_rule_once(tmp_path: Path) -> None:
    root = tmp_path / STRATEGY
    shutil.copytree(BUNDLED, root)
    expected: set[tuple[str, str, int]] = set()
    for relative, old, new, _, _ in PLANTS:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    for relative, _, _, code, needle in PLANTS:
        if code is None:
            continue
        if needle is None:  # the claim no play sells any more
            relative, needle = "narrative.yaml", "- id: claim.sox-ready-controls"
        lines = (root / relative).read_text(encoding="utf-8").split("\n")
        (number,) = [index for index, line in enumerate(lines, start=1) if needle in line]
        expected.add((code, f"{STRATEGY}/{relative}", number))
    diagnostics = [d for d in lint(_bundled_settings(root, tmp_path)).diagnostics if d.code.startswith("LL")]
    assert sorted((d.code, d.path, d.line) for d in diagnostics) == sorted(expected), describe(diagnostics)


# -- the generated reference and the published schema --------------------------------------------------------


def test_the_readme_carries_the_reference_generated_from_the_model() -> None:
    from stratlint_dev.policy_docs import BEGIN, END, reference

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)]
    assert block == "\n" + reference(), "the policy reference is stale: run python -m stratlint_dev.generate"
    for check in ("required", "forbidden", "pattern", "enum", "max_length", "min_length", "forbid_words"):
        assert f"##### `{check}`" in block
    for check in ("required_words", "cites", "cited_by", "count", "unique_within"):
        assert f"##### `{check}`" in block


def test_the_published_schema_accepts_what_the_model_accepts() -> None:
    import tomllib

    import jsonschema
    import yaml

    schema = json.loads((PROJECT / "schemas" / "policy" / "policy.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    in_yaml = yaml.safe_load((CHECKS / ".stratlint" / "policy.yaml").read_text(encoding="utf-8"))
    bundled = tomllib.loads((BUNDLED / "stratlint.toml").read_text(encoding="utf-8"))["policy"]
    for document in (in_yaml, {"rules": bundled["rules"]}):
        assert list(validator.iter_errors(document)) == []
    broken = {"rules": [{**bundled["rules"][0], "severity": "fatal"}]}
    assert list(validator.iter_errors(broken))
    assert list(validator.iter_errors({"rules": [{**bundled["rules"][0], "thne": {}}]}))


@pytest.mark.parametrize(
    ("given", "then", "reported"),
    [
        ('type = "message", field = "headline", segment = "seg-mid-market-finance"', "max_length = 10", 1),
        ('type = "message", field = "headline", segment = "seg-elsewhere"', "max_length = 10", 0),
        ('type = "message", field = "headline", function = "marketing"', "max_length = 10", 1),
        ('type = ["message", "play"], field = ["headline", "name"], function = "sales"', "max_length = 10", 1),
        ('type = "message", field = "headline", status = "draft"', "max_length = 10", 1),
        ('type = "message", field = "headline", status = "live"', "max_length = 10", 0),
        ('type = "message", field = "headline", tag = "nope"', "max_length = 10", 0),
        ('type = "roadmap item", field = "title", owner = "pm-close"', "max_length = 10", 1),
        ('type = "roadmap item", field = "title", owner = "pm-other"', "max_length = 10", 0),
        ('type = "message", field = "headline", where = { owner = "unset" }', "max_length = 10", 1),
        (
            'type = "message", field = "headline", where = { priority = { none_of = ["prio-mid-market"] } }',
            "max_length = 10",
            0,
        ),
        (
            'type = "proof point", field = "statement", where = { as_of = { older_than = "1 day" } }',
            "max_length = 10",
            0,
        ),
        ('type = "message", field = "headline"', 'pattern = { match = "^close", ignore_case = true }', 0),
        ('type = "message", field = "headline"', 'required_words = { words = ["books", "days"], match = "all" }', 0),
        ('type = "message", field = "headline"', 'required_words = { words = ["books", "weeks"], match = "all" }', 1),
        ('type = "message", field = "segments"', 'enum = ["seg-mid-market-finance"]', 0),
        ('type = "message", field = "value"', "count = { min = 2 }", 1),
        ('type = "artifact", kind = "messaging", field = "owner"', "required = true", 1),
        ('type = "artifact", kind = "value", field = "title"', "forbidden = true", 1),
        ('type = "message", field = "rationale.value"', "max_length = { words = 3 }", 1),
        ('kind = "sales", field = "name"', "max_length = 10", None),
    ],
)
def test_each_key_of_given_narrows_the_selection(given: str, then: str, reported: int | None, tmp_path: Path) -> None:
    toml = f'[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\ngiven = {{ {given} }}\nthen = {{ {then} }}\n'
    if reported is None:
        with pytest.raises(ConfigError, match="not a kind of file"):
            _one_rule(tmp_path, toml)
        return
    diagnostics = _one_rule(tmp_path, toml)
    assert len(diagnostics) == reported, describe(diagnostics)


def test_unique_within_a_file_compares_entries_of_one_file(tmp_path: Path) -> None:
    toml = (
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\n'
        'given = { type = "message", field = "headline" }\nthen = { unique_within = "file" }\n'
    )
    second = (
        "  - id: msg-again\n    headline: close your books in three days!\n    segments: [seg-mid-market-finance]\n"
        "    value: [belief-close-is-continuous]\n    narrative: [claim-close-in-days]\n    priority: prio-mid-market\n"
        "    rationale:\n      value: Tells mid-market controllers the close can be continuous.\n"
    )
    messaging = (BASE / "marketing" / "messaging.yaml").read_text(encoding="utf-8")
    diagnostics = _one_rule(tmp_path, toml, edits={"marketing/messaging.yaml": (messaging, messaging + second)})
    (repeat,) = diagnostics
    assert repeat.line == messaging.count("\n") + 2
    assert "is the same as that of message 'msg-close-in-days'" in repeat.message


def test_the_readme_example_policy_compiles_and_its_examples_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Policy: the organisation's own rules") :]
    example = section[
        section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml\n") + 8)
    ]
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, '[policy]\nfile = "policy.yaml"\n', example)
    result = invoke("policy", "test", "--config", config)
    assert result.exit_code == 0, result.output
    assert [rule.code for rule in resolve_config(None, CommandLineOptions(config=config)).rule_set.custom] == [
        "ACME001",
        "ACME002",
        "ACME003",
        "ACME004",
    ]


def test_each_file_finding_points_into_its_own_file(tmp_path: Path) -> None:
    """Rules share what they read of a file while it is checked, and of no other file."""
    toml = (
        '[[policy.rules]]\nid = "ACME001"\nseverity = "warning"\n'
        'given = { type = "message", field = "headline" }\nthen = { forbid_words = ["cheap"] }\n'
    )
    messaging = (BASE / "marketing" / "messaging.yaml").read_text(encoding="utf-8")
    first = messaging.replace("headline: Close your books in three days", "headline: A cheap close, in days")
    second = first.replace("id: messaging\n", "id: more-messaging\n").replace("msg-close-in-days", "msg-second")
    second = second.replace("headline: A cheap close, in days", "headline: Close your books, and not cheap ones")
    root = _base_tree(tmp_path)
    (root / "marketing" / "messaging.yaml").write_text(first, encoding="utf-8")
    (root / "marketing" / "more.yaml").write_text(second, encoding="utf-8")
    (root / "stratlint.toml").write_text(toml, encoding="utf-8")
    found = sorted((d for d in lint_tree(tmp_path) if d.code == "ACME001"), key=Diagnostic.sort_key)
    assert len(found) == 2, describe(found)
    for diagnostic in found:
        line = (tmp_path / diagnostic.path).read_text(encoding="utf-8").split("\n")[diagnostic.line - 1]
        assert line[diagnostic.span.column - 1 : diagnostic.span.end_column - 1] == "cheap", diagnostic
