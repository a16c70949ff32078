"""The baseline: record today's findings, then fail only on new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratlint.analysis.baseline import Baseline, load_baseline, render_baseline
from stratlint.diagnostics import Diagnostic, Severity, Span, fingerprint

from conftest import invoke
from strategy_trees import edit, make_repo, plant_dangling_priority, plant_orphan_differentiator


def check(strategy: Path, *flags: str | Path, cwd: Path) -> tuple[int, dict[str, object]]:
    result = invoke("check", strategy, "--format", "json", *flags, cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def codes(document: dict[str, object]) -> list[str]:
    return [d["code"] for d in document["diagnostics"]]  # type: ignore[attr-defined]


def test_round_trip_and_a_line_shift_alone_reports_nothing_new(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    plant_orphan_differentiator(strategy)
    written = invoke("baseline", strategy, "--output", "known.json", cwd=repo)
    assert written.exit_code == 0, written.output
    assert "Recorded 2 findings in known.json" in written.stdout

    lines = (repo / "known.json").read_text().splitlines()
    assert lines[0] == '{"stratlint-baseline": 1, "findings": ['
    assert lines[-1] == "]}"
    entries = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert [(e["path"], e["code"], e["count"]) for e in entries] == [
        ("strategy/marketing/messaging.yaml", "SL201", 1),
        ("strategy/value.yaml", "SL304", 1),
    ]
    assert json.loads((repo / "known.json").read_text())["stratlint-baseline"] == 1

    status, document = check(strategy, "--baseline", "known.json", cwd=repo)
    assert (status, codes(document)) == (0, [])
    assert document["summary"]["baselined"] == 2  # type: ignore[index]
    text = invoke("check", strategy, "--baseline", "known.json", cwd=repo).stdout
    assert "2 findings hidden by the baseline." in text

    # Move every line of both files: the findings are the same findings.
    for name in ("marketing/messaging.yaml", "value.yaml"):
        path = strategy / name
        path.write_text("# moved down by a new header comment\n\n\n" + path.read_text())
    status, document = check(strategy, "--baseline", "known.json", cwd=repo)
    assert (status, codes(document)) == (0, [])

    # A new finding is reported, and fails the run; the old ones stay hidden.
    edit(strategy / "sales" / "playbook.yaml", "    priority: prio-mid-market\n", "    priority: prio-gone\n")
    status, document = check(strategy, "--baseline", "known.json", cwd=repo)
    assert (status, codes(document)) == (1, ["SL201"])
    assert document["diagnostics"][0]["path"] == "strategy/sales/playbook.yaml"  # type: ignore[index]


def test_default_location_and_the_configured_baseline(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    assert invoke("baseline", strategy, cwd=tmp_path).exit_code == 0
    default = repo / ".stratlint-baseline.json"
    assert len(load_baseline(default).counts) == 1
    default.unlink()

    (repo / "stratlint.toml").write_text('baseline = "ci/accepted.json"\n')
    (repo / "ci").mkdir()
    assert invoke("baseline", strategy, cwd=repo).exit_code == 0
    first = (repo / "ci" / "accepted.json").read_text()
    # Recording again ignores the baseline in force, and writes the same file.
    assert invoke("baseline", strategy, cwd=repo).exit_code == 0
    assert (repo / "ci" / "accepted.json").read_text() == first
    # check uses the configured baseline without a flag.
    status, document = check(strategy, cwd=repo)
    assert (status, codes(document)) == (0, [])
    config = json.loads(invoke("config", strategy, "--format", "json", cwd=repo).stdout)
    assert config["options"]["baseline"] == {"value": "ci/accepted.json", "source": "stratlint.toml"}


def _finding(message: str) -> Diagnostic:
    return Diagnostic("SL201", "dangling-reference", Severity.ERROR, message, "s/a.yaml", Span.at(1, 1), subject="k")


def test_counts_accept_only_as_many_findings_as_were_recorded() -> None:
    first, second = _finding("one"), _finding("two")
    assert fingerprint(first) == fingerprint(second)
    baseline = Baseline(Path("b.json"), {fingerprint(first): 1})
    assert baseline.filter([first, second]) == ([second], 1)
    text = render_baseline([first, second])
    assert json.loads(text)["findings"][0]["count"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline file"),
        ("{not json", "not valid JSON (line 1"),
        ('{"findings": []}', "not a stratlint baseline file"),
        ('{"stratlint-baseline": 1, "findings": {}}', 'no "findings" list'),
        ('{"stratlint-baseline": 1, "findings": [{"fingerprint": "x", "count": 0}]}', "finding 1"),
        ('{"stratlint-baseline": 1, "findings": [{"count": 1}]}', "finding 1"),
    ],
)
def test_missing_or_malformed_baseline_exits_2(tmp_path: Path, content: str | None, message: str) -> None:
    repo, strategy = make_repo(tmp_path)
    if content is not None:
        (repo / "known.json").write_text(content)
    result = invoke("check", strategy, "--baseline", "known.json", cwd=repo)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("stratlint: known.json: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_baseline_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    result = invoke("baseline", strategy, "--output", "no/such/folder/known.json", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("stratlint: no/such/folder/known.json: the baseline file cannot be written")
    assert not (repo / "no").exists()


def test_baselined_yaml_problems_stay_known_when_lines_move(tmp_path: Path) -> None:
    """A load problem's fingerprint is its rule, file and subject, never its message: the
    duplicate-key message says on which line the key was first set, and a comment inserted
    above must not make the two baselined findings new again."""
    repo, strategy = make_repo(tmp_path)
    messaging = strategy / "marketing" / "messaging.yaml"
    text = messaging.read_text(encoding="utf-8")
    twice = "\n".join(
        "\n".join([line] * 3) if line.strip().startswith("headline:") else line for line in text.split("\n")
    )
    messaging.write_text(twice, encoding="utf-8")
    assert invoke("baseline", strategy, "--output", "known.json", cwd=repo).exit_code == 0
    _, before = check(strategy, cwd=repo)
    assert codes(before).count("SL002") == 2
    messaging.write_text("# a note at the top\n" + twice, encoding="utf-8")
    status, after = check(strategy, "--baseline", "known.json", cwd=repo)
    assert codes(after) == []
    assert status == 0
