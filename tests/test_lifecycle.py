"""The README's lifecycle table is what every rule does: this test reads the table and, for
each status of each kind, checks each column against a real run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings

from conftest import PROJECT
from rules_harness import BASE, TODAY

KIND = {
    "roadmap item": ("product/roadmap.yaml", "rm-auto-reconciliation", "product", "diff-continuous-reconciliation"),
    "message": ("marketing/messaging.yaml", "msg-close-in-days", "marketing", "belief-close-is-continuous"),
    "play": ("sales/playbook.yaml", "play-controller-pain", "sales", "why-close-in-days"),
}
"""Per kind: the base entry of that kind, its function, and the node only it cites."""


def _rows() -> list[tuple[str, str, dict[str, bool]]]:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- lifecycle-table:begin -->", 1)[1].split("<!-- lifecycle-table:end -->", 1)[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        columns = {name: cells[index] == "yes" for index, name in enumerate(header) if index >= 2}
        for status in cells[0].split(","):
            rows.append((status.strip(), cells[1], columns))
    return rows


ROWS = _rows()


def _tree(tmp_path: Path, kind: str, status: str, *, drop_value: bool = False) -> tuple[Path, Path]:
    root = tmp_path / "strategy"
    shutil.copytree(BASE, root)
    relative, entry_id, _, _ = KIND[kind]
    path = root / relative
    text = path.read_text(encoding="utf-8")
    if "    status:" in text:
        text = re.sub(r"    status: [a-z-]+\n", f"    status: {status}\n", text, count=1)
    else:
        text = text.replace(f"  - id: {entry_id}\n", f"  - id: {entry_id}\n    status: {status}\n", 1)
    if drop_value:
        text = re.sub(r"    value: \[[^\]]*\]\n", "", text, count=1)
    path.write_text(text, encoding="utf-8")
    return root, tmp_path


def _run(root: Path, repo: Path) -> tuple[set[str], dict[str, int]]:
    result = lint(Settings(root=root, repo_root=repo, today=TODAY, cache=False))
    found = {f"{d.code}:{d.subject}" for d in result.diagnostics}
    return found, {score.function: score.entries for score in result.summary.alignment}


def test_the_table_names_every_status_of_every_kind() -> None:
    from stratlint.model.messaging import Message
    from stratlint.model.playbook import Play
    from stratlint.model.roadmap import RoadmapItem

    statuses = {
        "roadmap item": RoadmapItem.model_fields["status"].annotation,
        "message": Message.model_fields["status"].annotation,
        "play": Play.model_fields["status"].annotation,
    }
    for kind, annotation in statuses.items():
        assert {status for status, of, _ in ROWS if of == kind} == set(annotation.__args__), kind


@pytest.mark.parametrize(("status", "kind", "columns"), ROWS, ids=[f"{k}-{s}" for s, k, _ in ROWS])
def test_each_row_of_the_lifecycle_table_holds(
    tmp_path: Path, status: str, kind: str, columns: dict[str, bool]
) -> None:
    _, entry_id, function, only_cited = KIND[kind]
    found, entries = _run(*_tree(tmp_path / "as-is", kind, status))
    assert (entries[function] == 1) is columns["Counts toward the score"]
    # The base's one claim is built by the roadmap item and told by the message and the play;
    # each function touches the one pillar only through its one entry.
    if kind == "roadmap item":
        backs = "SL301:claim-close-in-days" not in found
    else:
        backs = f"SL303:pillar-continuous-close:{function}" not in found
    assert backs is columns["Backs claims and covers pillars"], sorted(found)
    assert (f"SL304:{only_cited}" not in found) is columns["Keeps what it cites from being an orphan"]
    checked, _ = _run(*_tree(tmp_path / "without-value", kind, status, drop_value=True))
    assert (f"SL203:{entry_id}" in checked) is columns["Its own traces, questions, segments and drift are checked"]
