"""Functions beyond product, marketing and sales: the configuration's ``[functions]``, plan
files that name their function, alignment reported per configured function, and what
accepts a configured function (handoffs, aliases, a policy's ``function`` filter)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from gitrepo import line_of

from conftest import invoke
from rules_harness import BASE, STRATEGY, build_tree

FUNCTIONS_TOML = """\
[functions.sales-development]
name = "Sales development"
owns = ["playbook"]
"""

SDR_PLAYBOOK = """\
stratlint: 1
kind: playbook
id: sdr-playbook
function: sales-development
plays:
  - id: play-sdr-close-pain
    name: Outbound to controllers at month end
    segments: [seg-mid-market-finance]
    value: [why-close-in-days]
    narrative: [claim-close-in-days]
    priority: prio-mid-market
    rationale:
      value: Controllers answer outreach about the close in the week it hurts.
  - id: play-sdr-untraced
    name: Cold outreach with no story
    segments: [seg-mid-market-finance]
    priority: prio-mid-market
"""


def _tree(tmp_path: Path, files: dict[str, str], config: str | None = FUNCTIONS_TOML) -> Path:
    """The rule fixtures' base with ``files`` written over its strategy, and ``config`` as
    the repository's stratlint.toml. Returns the repository root."""
    overlay = tmp_path / "overlay"
    overlay.mkdir(parents=True)
    for relative, text in files.items():
        (overlay / relative).parent.mkdir(parents=True, exist_ok=True)
        (overlay / relative).write_text(text, encoding="utf-8")
    repo = tmp_path / "repo"
    build_tree(overlay, repo)
    if config is not None:
        (repo / "stratlint.toml").write_text(config, encoding="utf-8")
    return repo


def _check(repo: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = invoke("check", repo / STRATEGY, "--format", "json", "--no-cache", *extra, cwd=repo)
    return result.exit_code, json.loads(result.stdout)


def _codes(document: dict[str, object]) -> list[tuple[str, str, int]]:
    diagnostics = document["diagnostics"]
    assert isinstance(diagnostics, list)
    return [(d["code"], d["path"], d["line"]) for d in diagnostics]


def test_alignment_is_reported_for_each_configured_function(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"sales/sdr-plays.yaml": SDR_PLAYBOOK})
    _, document = _check(repo)
    summary = document["summary"]
    assert isinstance(summary, dict)
    alignment = summary["alignment"]
    assert list(alignment) == ["product", "marketing", "sales", "sales-development", "overall"]
    # The sales-development playbook's two plays count for it, not for sales.
    assert (alignment["sales-development"]["entries"], alignment["sales-development"]["aligned"]) == (2, 1)
    assert alignment["sales"]["entries"] == 1
    assert alignment["overall"]["entries"] == sum(alignment[name]["entries"] for name in list(alignment)[:-1])
    # The untraced play is reported where it stands, as any play would be.
    untraced = line_of(repo / STRATEGY / "sales/sdr-plays.yaml", "play-sdr-untraced")
    assert ("SL203", "strategy/sales/sdr-plays.yaml", untraced) in _codes(document)


def test_the_text_report_names_each_function_as_configured(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"sales/sdr-plays.yaml": SDR_PLAYBOOK})
    result = invoke("check", repo / STRATEGY, "--no-cache", cwd=repo)
    rows = [line for line in result.stdout.splitlines() if line.startswith("  ") and "%" in line]
    labels = [row.split("  ")[1].strip() for row in rows]
    assert labels[:4] == ["product", "marketing", "sales", "Sales development"]
    assert next(row for row in rows if "Sales development" in row).split()[2] == "50%"
    # The column widens for the longer name, and every row keeps it.
    assert len({row.index("%") for row in rows}) == 1


def test_without_a_functions_table_the_three_built_in_functions_are_reported(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {}, config=None)
    _, document = _check(repo)
    summary = document["summary"]
    assert isinstance(summary, dict)
    assert list(summary["alignment"]) == ["product", "marketing", "sales", "overall"]


def test_markdown_and_html_show_the_display_name(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"sales/sdr-plays.yaml": SDR_PLAYBOOK})
    markdown = invoke("check", repo / STRATEGY, "--format", "markdown", "--no-cache", cwd=repo).stdout
    assert "| Sales development | 50% | 1/2 |" in markdown
    pytest.importorskip("jinja2")
    out = repo / "report.html"
    result = invoke("report", repo / STRATEGY, "--html", out, cwd=repo)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<h3>Sales development</h3>" in html
    assert '<option value="sales-development">Sales development</option>' in html


def test_a_display_name_written_for_a_function_id_is_told_the_id(tmp_path: Path) -> None:
    governance = (BASE / "governance.yaml").read_text(encoding="utf-8")
    governance = governance.replace("    to_function: sales\n", "    to_function: Sales development\n", 1)
    repo = _tree(tmp_path, {"governance.yaml": governance})
    code, document = _check(repo)
    assert code == 1
    line = line_of(repo / STRATEGY / "governance.yaml", "to_function: Sales development")
    assert _codes(document) == [("SL406", "strategy/governance.yaml", line)]
    diagnostics = document["diagnostics"]
    assert isinstance(diagnostics, list)
    assert "Did you mean 'sales-development'?" in diagnostics[0]["message"]
    fixed = invoke("check", repo / STRATEGY, "--fix", "--no-cache", cwd=repo)
    assert fixed.exit_code == 0, fixed.output
    assert "    to_function: sales-development\n" in (repo / STRATEGY / "governance.yaml").read_text(encoding="utf-8")


def test_a_function_of_the_configuration_is_known_only_with_it(tmp_path: Path) -> None:
    governance = (BASE / "governance.yaml").read_text(encoding="utf-8")
    governance = governance.replace("    to_function: sales\n", "    to_function: sales-development\n", 1)
    with_config = _tree(tmp_path / "with", {"governance.yaml": governance})
    code, document = _check(with_config)
    assert (code, _codes(document)) == (0, [])
    without = _tree(tmp_path / "without", {"governance.yaml": governance}, config=None)
    line = line_of(without / STRATEGY / "governance.yaml", "to_function: sales-development")
    assert _codes(_check(without)[1]) == [("SL406", "strategy/governance.yaml", line)]


def test_an_alias_scoped_to_a_configured_function_is_that_functions_label(tmp_path: Path) -> None:
    value = (BASE / "value.yaml").read_text(encoding="utf-8")
    value = value.replace(
        "    name: Mid-market finance teams\n",
        "    name: Mid-market finance teams\n"
        "    aliases:\n"
        "      - {name: Month-end buyers, function: sales-development}\n",
        1,
    )
    playbook = SDR_PLAYBOOK.replace("the week it hurts.", "the week it hurts, as Month-end buyers do.")
    sales = (BASE / "sales/playbook.yaml").read_text(encoding="utf-8")
    sales = sales.replace("shrink to days.", "shrink to days, as Month-end buyers do.")
    repo = _tree(tmp_path, {"value.yaml": value, "sales/sdr-plays.yaml": playbook, "sales/playbook.yaml": sales})
    _, document = _check(repo)
    found = [(code, path, line) for code, path, line in _codes(document) if code == "SL806"]
    # Sales development's own label is right in its playbook, and another function's in sales'.
    line = line_of(repo / STRATEGY / "sales/playbook.yaml", "Month-end buyers")
    assert found == [("SL806", "strategy/sales/playbook.yaml", line)]


def test_a_policy_may_filter_on_a_configured_function(tmp_path: Path) -> None:
    policy = """
[[policy.rules]]
id = "ACME001"
name = "sdr-play-needs-proof"
severity = "warning"
message = "Every sales development play cites a proof point."
given = { type = "play", function = "sales-development" }
then = { cites = { type = "proof point", min = 1 } }
"""
    repo = _tree(tmp_path, {"sales/sdr-plays.yaml": SDR_PLAYBOOK}, config=FUNCTIONS_TOML + policy)
    _, document = _check(repo)
    found = sorted(line for code, _, line in _codes(document) if code == "ACME001")
    path = repo / STRATEGY / "sales/sdr-plays.yaml"
    assert found == [line_of(path, "id: play-sdr-close-pain"), line_of(path, "id: play-sdr-untraced")]
    (repo / "stratlint.toml").write_text(policy, encoding="utf-8")
    result = invoke("check", repo / STRATEGY, cwd=repo)
    assert result.exit_code == 2
    assert "'sales-development' is not a function; the functions are product, marketing, sales" in result.stderr


CONFIG_ERRORS = [
    ('[functions."Sales Dev"]\nowns = ["playbook"]\n', "functions.\"Sales Dev\": 'Sales Dev' is not a function id"),
    ('[functions.partners]\nowns = ["deck"]\n', "functions.partners.owns[0]: 'deck' is not a kind of plan"),
    ('[functions.partners]\nown = ["playbook"]\n', "functions.partners.own: unknown key; a function's keys are"),
    ('[functions.partners]\nname = ""\n', "functions.partners.name"),
    ('functions = { partners = "Partners" }\n', "functions.partners: should be a table, not text"),
]


@pytest.mark.parametrize(("body", "message"), CONFIG_ERRORS, ids=[message for _, message in CONFIG_ERRORS])
def test_a_bad_functions_table_stops_the_run_naming_the_key(tmp_path: Path, body: str, message: str) -> None:
    repo = _tree(tmp_path, {}, config=body)
    result = invoke("check", repo / STRATEGY, cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("stratlint: stratlint.toml: "), result.stderr
    assert message in result.stderr


def test_config_shows_the_functions_in_effect_as_toml_tables(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {}, config=FUNCTIONS_TOML + '\n[functions.product]\nname = "Product management"\n')
    text = invoke("config", repo / STRATEGY, cwd=repo).stdout
    parsed = tomllib.loads(text)
    assert parsed["functions"]["sales-development"] == {"name": "Sales development", "owns": ["playbook"]}
    assert parsed["functions"]["product"] == {"name": "Product management", "owns": ["roadmap"]}
    assert "[functions.sales-development]  # stratlint.toml" in text


def test_an_incremental_run_follows_a_plan_file_changing_its_function(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"sales/sdr-plays.yaml": SDR_PLAYBOOK})
    first = invoke("check", repo / STRATEGY, "--format", "json", cwd=repo)
    assert json.loads(first.stdout)["summary"]["alignment"]["sales-development"]["entries"] == 2
    path = repo / STRATEGY / "sales/sdr-plays.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("function: sales-development\n", ""), encoding="utf-8")
    warm = json.loads(invoke("check", repo / STRATEGY, "--format", "json", cwd=repo).stdout)
    cold = _check(repo)[1]
    assert warm == cold
    summary = cold["summary"]
    assert isinstance(summary, dict)
    assert (summary["alignment"]["sales"]["entries"], summary["alignment"]["sales-development"]["entries"]) == (3, 0)
