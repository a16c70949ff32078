"""What ``stratlint lock`` and ``stratlint review --accept`` say they did. Pure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stratlint.drift.review import LockUpdate


def as_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_update(where: Path, update: LockUpdate, *, written: bool) -> str:
    lines = [
        f"{where}: {len(update.edges)} references stamped ({update.added} new, {update.pruned} pruned)"
        f"{'' if written else ', unchanged'}."
    ]
    if update.unreadable:
        lines.append(f"{update.unreadable} file(s) could not be read; their stamps are kept until they can be.")
    if update.kept_suspect:
        lines.append(
            f"{update.kept_suspect} suspect reference(s) keep their old stamp: run 'stratlint review' to see them."
        )
    return "\n".join(lines) + "\n"


def accepted_json(accepted: list[str], not_suspect: list[str], update: LockUpdate) -> str:
    return as_json({"accepted": accepted, "not_suspect": not_suspect, "restamped": update.accepted})


def accepted_text(accepted: list[str], not_suspect: list[str], update: LockUpdate) -> str:
    lines = []
    if accepted:
        lines.append(f"Accepted {', '.join(accepted)}: {update.accepted} reference(s) re-stamped.")
    lines += [f"'{node_id}' has no suspect reference; nothing to accept." for node_id in not_suspect]
    if update.kept_suspect:
        lines.append(f"{update.kept_suspect} suspect reference(s) still wait for review.")
    return "".join(line + "\n" for line in lines)
