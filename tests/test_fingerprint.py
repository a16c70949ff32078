"""Fingerprints hash the model's meaningful fields: text layout and bookkeeping never count."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.drift.wording import MEANINGFUL
from stratlint.drift.wording import node_digest as node_fingerprint
from stratlint.graph import build_graph
from stratlint.load.artifact import load_bytes
from stratlint.model import NodeType
from stratlint.model.common import StrategyNode
from stratlint.rules.drift import StaleProofPoint

BASE = b"""stratlint: 1
kind: narrative
id: narrative
thesis: T.
pillars:
  - id: pillar-a
    name: Pillar A
    claims:
      - id: claim-a
        statement: Customers close in three days.
        proof_points: [pp-a]
proof_points:
  - id: pp-a
    statement: Evidence.
    as_of: "2026-01-31"
"""


def _prints(text: bytes) -> dict[str, str]:
    loaded = load_bytes(text, "narrative.yaml")
    assert not loaded.problems, loaded.problems
    graph = build_graph([loaded])
    return {node.id: node_fingerprint(node) for node in graph.nodes.values() if node.type in MEANINGFUL}


SAME = {
    "comments": BASE.replace(b"    claims:\n", b"    claims:  # why\n    # more\n"),
    "quoting": BASE.replace(
        b"statement: Customers close in three days.", b"statement: 'Customers close in three days.'"
    ),
    "key order": BASE.replace(
        b"        statement: Customers close in three days.\n        proof_points: [pp-a]\n",
        b'        proof_points:\n          - pp-a\n        statement: "Customers close in three days."\n',
    ),
    "bookkeeping": BASE.replace(
        b"      - id: claim-a\n",
        b"      - id: claim-a\n        owner: someone\n        tags: [x]\n"
        b"        notes: n\n        links: [{url: PROD-1}]\n",
    ),
}


@pytest.mark.parametrize("variant", sorted(SAME))
def test_layout_and_bookkeeping_do_not_change_fingerprints(variant: str) -> None:
    assert _prints(SAME[variant]) == _prints(BASE)


def test_a_reworded_claim_changes_only_its_own_fingerprint() -> None:
    before, after = _prints(BASE), _prints(BASE.replace(b"three days", b"five days"))
    assert {node_id for node_id in before if before[node_id] != after[node_id]} == {"claim-a"}


def test_meaningful_fields_exist_and_exclude_bookkeeping() -> None:
    from stratlint.model import KINDS

    models = {}
    stack = list(KINDS.values())
    while stack:
        model = stack.pop()
        node_type = getattr(model, "node_type", None)
        if isinstance(node_type, NodeType):
            models[node_type] = model
        for info in model.model_fields.values():
            for arg in getattr(info.annotation, "__args__", ()) or (info.annotation,):
                if isinstance(arg, type) and hasattr(arg, "model_fields") and arg not in stack:
                    stack.append(arg)
    for node_type, fields in MEANINGFUL.items():
        model = models[node_type]
        assert issubclass(model, StrategyNode)
        assert set(fields) <= set(model.model_fields), node_type
        assert not set(fields) & {"id", "owner", "tags", "links", "notes", "status", "retired_on", "replaced_by"}


def test_stale_proof_point_follows_the_injected_today_and_max_age(tmp_path: Path) -> None:
    from conftest import PROJECT

    folder = PROJECT / "tests" / "fixtures" / "rules" / "SL603-stale-proof-point" / "bad"

    def stale(today: datetime.date, months: int = 18) -> int:
        options = {"SL603": StaleProofPoint.Options(max_age_months=months)}
        result = lint(Settings(root=folder, repo_root=folder, today=today, rule_options=options))
        return sum(d.code == "SL603" for d in result.diagnostics)

    assert stale(datetime.date(2025, 7, 30)) == 0  # as_of 2024-01-31 + 18 months is 2025-07-31
    assert stale(datetime.date(2025, 8, 1)) == 1
    assert stale(datetime.date(2026, 11, 24), months=36) == 0


def test_check_takes_the_maximum_proof_age_from_the_command_line() -> None:
    from conftest import PROJECT, invoke

    folder = PROJECT / "tests" / "fixtures" / "rules" / "SL603-stale-proof-point" / "bad"

    def codes(*extra: str) -> list[str]:
        result = invoke("check", folder, "--format", "json", *extra)
        return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]

    assert "SL603" in codes()  # as_of 2024-01-31 is older than 18 months on any day after 2025-07-31
    assert "SL603" not in codes("--max-proof-age-months", "600")
