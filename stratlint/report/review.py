"""The suspect list of ``stratlint review``: grouped by function, then owner. Pure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from stratlint.drift.review import Suspect
from stratlint.drift.wording import describe_changes

NO_FUNCTION = "strategy"
NO_OWNER = "(no owner)"


def group(found: list[Suspect]) -> dict[str, dict[str, list[Suspect]]]:
    """function -> owner -> suspects, each level sorted."""
    groups: dict[str, dict[str, list[Suspect]]] = defaultdict(lambda: defaultdict(list))
    for suspect in found:
        function = suspect.function_node.function
        groups[function.value if function else NO_FUNCTION][suspect.owner or NO_OWNER].append(suspect)
    return {
        function: {owner: sorted(items, key=_order) for owner, items in sorted(owners.items())}
        for function, owners in sorted(groups.items())
    }


def _order(suspect: Suspect) -> tuple[str, int, str]:
    return (suspect.dependent.artifact.path, suspect.edge.span.line, suspect.target.id)


def review_document(found: list[Suspect], *, missing_lock: bool) -> dict[str, Any]:
    return {
        "lock": "missing" if missing_lock else "present",
        "count": len(found),
        "groups": [
            {"function": function, "owner": owner, "suspects": [s.as_dict() for s in items]}
            for function, owners in group(found).items()
            for owner, items in owners.items()
        ],
    }


def render_review_text(found: list[Suspect], *, missing_lock: bool) -> str:
    if missing_lock:
        return "There is no stratlint.lock yet, so nothing is suspect. Run 'stratlint lock' and commit it.\n"
    if not found:
        return "No suspect references: every entry was reviewed against the current strategy.\n"
    entries = {s.dependent.id for s in found}
    lines = [
        f"{len(found)} suspect reference(s) in {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}. "
        "Each owner checks the entry against the new wording, then runs 'stratlint review --accept ID'.",
    ]
    for function, owners in group(found).items():
        lines += ["", function]
        for owner, items in owners.items():
            lines.append(f"  {owner}")
            current = None
            for suspect in items:
                if suspect.dependent is not current:
                    current = suspect.dependent
                    lines.append(f"    {current.label}  {current.artifact.path}:{suspect.edge.span.line}")
                lines.append(
                    f"      {suspect.target.label} ({suspect.edge.field}): {describe_changes(list(suspect.changes))}"
                )
    return "\n".join(lines) + "\n"
