"""stratlint trend: the alignment score over a real temporary git history."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from gitrepo import commit_all, git, new_repository, replace_in

from browser import chromium, launch, save_screenshot
from conftest import invoke

ROADMAP = Path("strategy/product/close-automation.yaml")
GOOD, BAD = "priority: prio.win-multi-entity\n", "priority: prio.nope\n"


def _touch(repo: Path, note: str) -> None:
    """Change a strategy file's bytes and nothing it means: a comment at its end."""
    path = repo / ROADMAP
    path.write_text(path.read_text(encoding="utf-8") + f"# {note}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Six commits: one before the strategy root existed, the root added, an edit outside
    it, a harmless edit, the planted drop (a roadmap item names a priority that does not
    exist), another harmless edit."""
    repo = new_repository(tmp_path_factory.mktemp("trend") / "repo", with_strategy=False)
    (repo / "README.md").write_text("before the strategy\n", encoding="utf-8")
    ids = [commit_all(repo, "readme")]
    import shutil

    from conftest import STRATEGY

    shutil.copytree(STRATEGY, repo / "strategy")
    ids.append(commit_all(repo, "add the strategy"))
    (repo / "README.md").write_text("changed outside the root\n", encoding="utf-8")
    ids.append(commit_all(repo, "readme again"))
    _touch(repo, "one")
    ids.append(commit_all(repo, "harmless"))
    replace_in(repo / ROADMAP, GOOD, BAD)
    ids.append(commit_all(repo, "the drop"))
    _touch(repo, "two")
    ids.append(commit_all(repo, "harmless again"))
    return repo, ids


def _trend(repo: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = invoke("trend", repo / "strategy", "--format", "json", *args, cwd=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_trend_starts_where_the_root_appears_and_skips_commits_outside_it(history: tuple[Path, list[str]]) -> None:
    repo, ids = history
    rows = _trend(repo, "--no-cache")["commits"]
    assert [row["commit"] for row in rows] == [ids[1], ids[3], ids[4], ids[5]]
    assert all(row["author"] == "Strategy Team" and row["date"] for row in rows)
    assert rows[0]["overall"]["score"] == 1.0


def test_the_planted_drop_is_at_its_commit_with_its_findings(history: tuple[Path, list[str]]) -> None:
    repo, ids = history
    document = _trend(repo, "--explain-drops", "--no-cache")
    drops = document["drops"]
    assert [drop["commit"] for drop in drops] == [ids[4]]
    assert drops[0]["before"] == ids[3]
    assert drops[0]["scores"]["product"]["after"] < drops[0]["scores"]["product"]["before"]
    assert "marketing" not in drops[0]["scores"]
    codes = {item["code"] for item in drops[0]["introduced"]}
    assert "SL201" in codes
    assert all(item["path"] == ROADMAP.as_posix() for item in drops[0]["introduced"])

    text = invoke("trend", repo / "strategy", "--explain-drops", cwd=repo)
    assert text.exit_code == 0
    assert ids[4][:12] in text.stdout and "SL201" in text.stdout and "the drop" in text.stdout


def test_the_threshold_filters_small_drops(history: tuple[Path, list[str]]) -> None:
    repo, _ = history
    assert _trend(repo, "--explain-drops", "--threshold", "50")["drops"] == []


def test_unchanged_trees_cost_nothing_and_one_new_commit_costs_one_evaluation(tmp_path: Path, home: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    commit_all(repo, "one")
    _touch(repo, "a")
    commit_all(repo, "two")
    first = invoke("trend", repo / "strategy", cwd=repo)
    assert "2 commits scored, 2 evaluated anew" in first.stderr
    again = invoke("trend", repo / "strategy", cwd=repo)
    assert "2 commits scored, 0 evaluated anew" in again.stderr
    assert again.stdout == first.stdout
    _touch(repo, "b")
    commit_all(repo, "three")
    after = invoke("trend", repo / "strategy", cwd=repo)
    assert "3 commits scored, 1 evaluated anew" in after.stderr
    # A revert to an earlier tree is that tree again: nothing to evaluate.
    git(repo, "revert", "--no-edit", "HEAD")
    reverted = invoke("trend", repo / "strategy", cwd=repo)
    assert "4 commits scored, 0 evaluated anew" in reverted.stderr


def test_a_merge_counts_once_by_its_first_parent(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    base = commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    _touch(repo, "feature one")
    side_one = commit_all(repo, "feature one")
    replace_in(repo / ROADMAP, GOOD, BAD)
    side_two = commit_all(repo, "feature two")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("main moves on\n", encoding="utf-8")
    commit_all(repo, "main moves on")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge the feature", "feature")
    merge = git(repo, "rev-parse", "HEAD").strip()
    document = _trend(repo, "--explain-drops", "--no-cache")
    assert [row["commit"] for row in document["commits"]] == [base, merge]
    assert side_one not in json.dumps(document) and side_two not in json.dumps(document)
    assert [drop["commit"] for drop in document["drops"]] == [merge]


def test_every_nth_keeps_the_newest_and_since_limits_by_date(history: tuple[Path, list[str]]) -> None:
    repo, ids = history
    rows = _trend(repo, "--every", "2")["commits"]
    assert [row["commit"] for row in rows] == [ids[3], ids[5]]
    assert _trend(repo, "--since", "2099-01-01")["commits"] == []


def test_csv_has_one_row_per_commit_and_markdown_a_short_table(history: tuple[Path, list[str]]) -> None:
    repo, ids = history
    result = invoke("trend", repo / "strategy", "--format", "csv", cwd=repo)
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["commit"] for row in table] == [ids[1], ids[3], ids[4], ids[5]]
    assert {"date", "author", "overall_score", "product_focus", "sales_fragmented_interpretation"} <= set(table[0])
    assert float(table[2]["product_score"]) < float(table[1]["product_score"])
    markdown = invoke("trend", repo / "strategy", "--format", "markdown", "--explain-drops", cwd=repo).stdout
    assert markdown.startswith("### Alignment trend")
    assert f"`{ids[4][:12]}`" in markdown and "#### Drops" in markdown


def test_outside_git_is_one_line(tmp_path: Path, strategy_copy: Path) -> None:
    result = invoke("trend", strategy_copy, cwd=tmp_path)
    assert result.exit_code == 2
    assert "git" in result.output and "Traceback" not in result.output


def test_the_html_chart_is_self_contained(history: tuple[Path, list[str]], tmp_path: Path) -> None:
    repo, ids = history
    out = tmp_path / "trend.html"
    result = invoke("trend", repo / "strategy", "--html", out, cwd=repo)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "default-src &#39;none&#39;" in page or "default-src 'none'" in page
    assert f'<a class="pt drop" href="#c-{ids[4]}"' in page
    assert page.count("<script") == 2
    second = tmp_path / "again.html"
    invoke("trend", repo / "strategy", "--html", second, cwd=repo)
    assert second.read_bytes() == out.read_bytes()


@pytest.mark.integration
@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_the_trend_chart_in_chromium(history: tuple[Path, list[str]], tmp_path: Path) -> None:
    repo, ids = history
    out = tmp_path / "trend.html"
    assert invoke("trend", repo / "strategy", "--html", out, cwd=repo).exit_code == 0
    with launch() as browser:
        page = browser.new_page()
        page.open(out)
        assert page.evaluate("document.documentElement.classList.contains('js')")
        save_screenshot(page, "trend.png")
        page.click(f"#trend-svg a.pt.drop[data-commit='{ids[4]}']")
        assert page.evaluate("location.hash") == f"#c-{ids[4]}"
        assert page.evaluate(f"document.getElementById('c-{ids[4]}').open") is True
        assert "SL201" in page.evaluate(f"document.getElementById('c-{ids[4]}').textContent")
        assert page.problems() == []


def test_each_commit_scores_as_check_scores_it_there(history: tuple[Path, list[str]]) -> None:
    """The trend evaluates each commit from the one before (the incremental analyzer, parses
    reused by blob); every score and finding count is the plain engine's at that revision."""
    from stratlint.analysis.settings import Settings
    from stratlint.vcs.compare import lint_revision

    repo, _ = history
    settings = Settings(root=repo / "strategy", repo_root=repo, cache=False)
    for row in _trend(repo, "--no-cache")["commits"]:
        expected = lint_revision(settings, row["commit"])
        for score in expected.summary.alignment:
            shown = row[score.function]
            assert (shown["score"], shown["focus"], shown["misaligned_by_stage"]) == (
                score.as_dict()["score"],
                score.as_dict()["focus"],
                score.as_dict()["misaligned_by_stage"],
            ), (row["commit"], score.function)
        assert row["findings"] == len(expected.diagnostics)


def test_commit_texts_come_out_inert_in_the_chart(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    commit_all(repo, "</script><script>alert(1)</script> \"dq\" 'sq'")
    out = tmp_path / "trend.html"
    assert invoke("trend", repo / "strategy", "--html", out, cwd=repo).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "alert(1)</script>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#34;dq&#34; &#39;sq&#39;" in page
    assert page.count("<script") == 2
