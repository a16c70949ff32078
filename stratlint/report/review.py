"""The suspect list of ``stratlint review``: grouped by function, then owner. Pure."""

from __future__ import annotations

import difflib
import textwrap
from collections import defaultdict
from typing import Any

from stratlint.drift.lockfile import canonical_json
from stratlint.drift.review import Suspect
from stratlint.drift.wording import FieldChange, describe_changes

NO_FUNCTION = "strategy"
NO_OWNER = "(no owner)"


def group(found: list[Suspect]) -> dict[str, dict[str, list[Suspect]]]:
    """function -> owner -> suspects, each level sorted."""
    groups: dict[str, dict[str, list[Suspect]]] = defaultdict(lambda: defaultdict(list))
    for suspect in found:
        function = suspect.function_node.plan_owner
        groups[function or NO_FUNCTION][suspect.owner or NO_OWNER].append(suspect)
    return {
        function: {owner: sorted(items, key=_order) for owner, items in sorted(owners.items())}
        for function, owners in sorted(groups.items())
    }


def _order(suspect: Suspect) -> tuple[str, int, str]:
    return (suspect.dependent.artifact.path, suspect.edge.span.line, suspect.target.id)


WIDTH = 100
"""Where long texts wrap: a before and after are shown whole, never cut off."""


def _text(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    return value if isinstance(value, str) else canonical_json(value)


def word_diff(before: str, after: str) -> str:
    """The words of ``after``, with what was removed shown as [-old-] and what was added as
    {+new+}, as git's --word-diff shows it."""
    old, new = before.split(), after.split()
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            parts += new[j1:j2]
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(old[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(new[j1:j2]) + "+}")
    return " ".join(parts)


def _wrapped(label: str, text: str, indent: str) -> list[str]:
    head = f"{indent}{label:<8}"
    return textwrap.wrap(
        text, width=WIDTH, initial_indent=head, subsequent_indent=" " * len(head), break_on_hyphens=False
    ) or [head.rstrip()]


def _fits(change: FieldChange) -> bool:
    """Whether the one-line 'before → after' shows both texts whole."""
    return all(len(_text(value)) <= SHORT for value in (change.before, change.after))


SHORT = 60
"""The longest text the one-line form shows whole (FieldChange.describe's width)."""


def change_lines(changes: list[FieldChange], indent: str) -> list[str]:
    """Each changed field: its whole text before and after, wrapped, and a word-level diff."""
    if not changes:
        return [f"{indent}{describe_changes(changes)}"]
    lines = []
    for change in changes:
        before, after = _text(change.before), _text(change.after)
        lines.append(f"{indent}{change.field}:")
        lines += _wrapped("before:", before, indent + "  ")
        lines += _wrapped("after:", after, indent + "  ")
        lines += _wrapped("words:", word_diff(before, after), indent + "  ")
    return lines


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
                changes = list(suspect.changes)
                head = f"      {suspect.target.label} ({suspect.edge.field})"
                if changes and all(_fits(change) for change in changes):
                    lines.append(f"{head}: {describe_changes(changes)}")
                else:
                    lines.append(f"{head} changed since review:")
                    lines += change_lines(changes, indent="        ")
    return "\n".join(lines) + "\n"
