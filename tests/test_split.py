"""stratlint split: one node becomes several, each referrer goes where the map says, and a
referrer the map does not name is refused, never guessed. In real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import commit_all, git, new_repository

from conftest import Templates, invoke

CLAIM = "claim.entities-not-headcount"
INTO = "claim.entities-grow,claim.headcount-flat"
REFERRERS = {
    "cmp.bring-every-entity-in": "claim.entities-grow",
    "cmp.close-benchmark-2026": "claim.headcount-flat",
    "msg.core.entities-not-accountants": "claim.entities-grow",
    "play.exp.bring-every-entity-in": "claim.entities-grow",
    "play.me.growth-without-hiring": "claim.headcount-flat",
    "play.pe.lean-team": "claim.headcount-flat",
    "rm.consol.entity-setup-templates": "claim.entities-grow",
    "rm.consol.workload-balancing": "claim.headcount-flat",
}


def _committed(folder: Path) -> None:
    commit_all(new_repository(folder / "repo"), "strategy")


@pytest.fixture
def repo(tmp_path: Path, templates: Templates) -> Path:
    templates.fill("split-repo", _committed, tmp_path)
    return tmp_path / "repo"


def _yaml_map(repo: Path, entries: dict[str, str]) -> Path:
    path = repo / "split-map.yaml"
    path.write_text("# referrer: the claim it tells now\n" + "".join(f"{k}: {v}\n" for k, v in entries.items()))
    return path


def _status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--", "strategy")


def test_without_a_map_the_referrers_are_listed_and_nothing_is_written(repo: Path) -> None:
    result = invoke("split", CLAIM, "strategy", "--into", INTO, cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"stratlint: split: 8 referrers of '{CLAIM}' are not in the map: {', '.join(sorted(REFERRERS))}. "
        "Say for each which of claim.entities-grow, claim.headcount-flat it goes to.\n"
    )
    assert _status(repo) == ""


def test_a_referrer_the_map_leaves_out_is_refused_never_guessed(repo: Path) -> None:
    partial = dict(list(REFERRERS.items())[:5])
    result = invoke("split", CLAIM, "strategy", "--into", INTO, "--map", _yaml_map(repo, partial), cwd=repo)
    assert result.exit_code == 2
    left = sorted(set(REFERRERS) - set(partial))
    assert f"3 referrers of '{CLAIM}' are not in the map: {', '.join(left)}." in result.stderr
    assert _status(repo) == ""


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"msg.not-a-referrer": "claim.entities-grow"}, "the map names msg.not-a-referrer, which does not reference"),
        ({"play.pe.lean-team": "claim.elsewhere"}, "the map points at claim.elsewhere, not one of"),
    ],
)
def test_a_map_that_names_the_wrong_things_is_refused(repo: Path, extra: dict[str, str], says: str) -> None:
    result = invoke("split", CLAIM, "strategy", "--into", INTO, "--map", _yaml_map(repo, REFERRERS | extra), cwd=repo)
    assert result.exit_code == 2
    assert says in result.stderr
    assert _status(repo) == ""


def _tells(repo: Path) -> dict[str, set[str]]:
    """Which claims each entry references, from check's JSON of the strategy (its graph)."""
    from stratlint.cli.refactor import load_strategy

    graph = load_strategy(repo / "strategy").graph
    found: dict[str, set[str]] = {}
    for edge in graph.edges:
        if edge.target_id.startswith("claim."):
            found.setdefault(edge.source.id, set()).add(edge.target_id)
    return found


def test_a_split_points_each_referrer_where_the_map_says(repo: Path) -> None:
    before = _tells(repo)
    result = invoke("split", CLAIM, "strategy", "--into", INTO, "--map", _yaml_map(repo, REFERRERS), cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Split '{CLAIM}' into claim.entities-grow, claim.headcount-flat: 8 references")
    assert "Note: claim.headcount-flat is a copy of claim" in result.stdout
    after = _tells(repo)
    for source, claims in before.items():
        expected = {REFERRERS[source] if claim == CLAIM else claim for claim in claims}
        assert after[source] == expected, source
    # The old claim's entry took the first id; the copy, as written, follows it.
    narrative = (repo / "strategy" / "narrative.yaml").read_text(encoding="utf-8")
    entry = (
        "        statement: Customers double their entity count with almost no growth in finance headcount.\n"
        "        proof_points: [pp.headcount-flat, pp.calloway-intercompany]\n"
    )
    assert f"      - id: claim.entities-grow\n{entry}      - id: claim.headcount-flat\n{entry}\n" in narrative
    assert CLAIM not in narrative
    # In the referrers' files only the id tokens changed.
    words = git(
        repo,
        "diff",
        "--word-diff=porcelain",
        "--word-diff-regex=[a-z0-9][a-z0-9._-]*|[^[:space:]]",
        "--",
        "strategy",
        ":(exclude)strategy/narrative.yaml",
        ":(exclude)strategy/stratlint.lock",
    )
    changed = {line for line in words.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))}
    assert changed == {f"-{CLAIM}", "+claim.entities-grow", "+claim.headcount-flat"}
    # Clean, nothing suspect, and the lock is what 'stratlint lock' would write.
    assert invoke("check", "strategy", "--no-cache", cwd=repo).exit_code == 0
    review = invoke("review", "strategy", "--format", "json", cwd=repo)
    assert json.loads(review.stdout)["count"] == 0
    lock = (repo / "strategy" / "stratlint.lock").read_bytes()
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert (repo / "strategy" / "stratlint.lock").read_bytes() == lock
    assert f" {CLAIM} " not in lock.decode()


def test_a_toml_map_and_keeping_the_old_id(repo: Path) -> None:
    kept = {
        source: ("claim.headcount-flat" if target == "claim.headcount-flat" else CLAIM)
        for source, target in REFERRERS.items()
    }
    path = repo / "split.toml"
    path.write_text("".join(f'"{k}" = "{v}"\n' for k, v in kept.items()), encoding="utf-8")
    result = invoke("split", CLAIM, "strategy", "--into", f"{CLAIM},claim.headcount-flat", "--map", path, cwd=repo)
    assert result.exit_code == 0, result.output
    after = _tells(repo)
    assert all(target in after[source] for source, target in kept.items())
    assert invoke("check", "strategy", "--no-cache", cwd=repo).exit_code == 0


def test_an_unquoted_dotted_toml_key_is_explained(repo: Path) -> None:
    path = repo / "split.toml"
    path.write_text('play.pe.lean-team = "claim.headcount-flat"\n', encoding="utf-8")
    result = invoke("split", CLAIM, "strategy", "--into", INTO, "--map", path, cwd=repo)
    assert result.exit_code == 2
    assert "in TOML, quote an id that has a dot" in result.stderr


@pytest.mark.parametrize(
    ("old", "into", "says"),
    [
        ("pillar.scale-without-headcount", "pillar.a,pillar.b", "holds other entries"),
        ("narrative", "narrative.a,narrative.b", "is the id of the file strategy/narrative.yaml"),
        (CLAIM, "claim.entities-grow", "split 'claim.entities-not-headcount' into two or more different ids"),
        (CLAIM, "claim.a,claim.a", "two or more different ids"),
        (CLAIM, "claim.a,claim.no-erp-migration", "'claim.no-erp-migration' is already taken"),
        (CLAIM, "claim.a,Claim B", "is not a valid id"),
        ("claim.nothing", "claim.a,claim.b", "'claim.nothing' is not the id of anything"),
    ],
)
def test_what_cannot_be_split_is_refused(repo: Path, old: str, into: str, says: str) -> None:
    result = invoke("split", old, "strategy", "--into", into, cwd=repo)
    assert result.exit_code == 2
    assert says in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert _status(repo) == ""


def test_dry_run_prints_the_patch_and_writes_nothing(repo: Path) -> None:
    result = invoke(
        "split", CLAIM, "strategy", "--into", INTO, "--map", _yaml_map(repo, REFERRERS), "--dry-run", cwd=repo
    )
    assert result.exit_code == 0, result.output
    assert _status(repo) == ""
    assert "+      - id: claim.headcount-flat\n" in result.stdout
    (repo / "patch.diff").write_text(result.stdout, encoding="utf-8")
    git(repo, "apply", "--check", "patch.diff")
