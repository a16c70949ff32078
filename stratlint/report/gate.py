"""The go/no-go checklist of ``stratlint gate``, for a product marketer. Pure."""

from __future__ import annotations

import json

from stratlint.drift.gate import Checklist, ChecklistEntry


def _mark(ready: bool) -> str:
    return "[ready]  " if ready else "[blocked]"


def _entry_lines(entry: ChecklistEntry, *, with_companions: bool) -> list[str]:
    facts = [fact for fact in (entry.status, f"owner {entry.owner}" if entry.owner else None) if fact]
    where = f"  {entry.path}:{entry.line}" if entry.path else ""
    lines = [f"  {_mark(entry.ready)} {entry.label}" + (f" ({', '.join(facts)})" if facts else "") + where]
    if with_companions:
        lines.append(f"              launch messages: {', '.join(entry.messages) or 'none that tells its story'}")
        lines.append(f"              enablement plays: {', '.join(entry.plays) or 'none that sells its story'}")
    lines += [f"              blocked by: {blocker}" for blocker in entry.blockers]
    return lines


def render_text(checklist: Checklist) -> str:
    if not checklist.readable:
        lines = [f"Release file {checklist.path} cannot be read, so the release cannot go out.", "NO-GO:"]
        return "\n".join([*lines, *(f"  {blocker}" for blocker in checklist.blockers)]) + "\n"
    owner = f", owner {checklist.owner}" if checklist.owner else ""
    if checklist.readiness:
        verdict = (
            "READY: everything but sign-off is ready (only readiness was checked: approvals were not checked)."
            if checklist.go
            else f"NOT READY: {checklist.open_points} thing(s) stand in the way (approvals were not checked)."
        )
    else:
        verdict = (
            "GO: every item is ready. Every approver said go."
            if checklist.go
            else f"NO-GO: {checklist.open_points} thing(s) block the release."
        )
    lines = [
        f"Release '{checklist.release_id}': {checklist.name} -- target {checklist.target_date}{owner}",
        f"  ({checklist.path})",
        verdict,
        "",
        "Shipped roadmap items",
    ]
    for entry in checklist.items or []:
        lines += _entry_lines(entry, with_companions=True)
    if not checklist.items:
        lines.append("  (none listed under 'ships')")
    lines += ["", "Launch messages"]
    lines += [line for entry in checklist.messages for line in _entry_lines(entry, with_companions=False)]
    if not checklist.messages:
        lines.append("  (none listed under 'launch_messages')")
    lines += ["", "Enablement plays"]
    lines += [line for entry in checklist.plays for line in _entry_lines(entry, with_companions=False)]
    if not checklist.plays:
        lines.append("  (none listed under 'enablement_plays')")
    lines += ["", "Go/no-go approvers"]
    for approver in checklist.approvers:
        function = f" ({approver['function']})" if approver.get("function") else ""
        lines.append(f"  {approver['who']}{function}: {approver['decision']}")
    if not checklist.approvers:
        lines.append("  (none listed)")
    if checklist.sign_off:
        lines += ["", "Sign-off still open"]
        lines += [f"  - {point}" for point in checklist.sign_off]
    if checklist.blockers:
        lines += ["", "Also blocking the release"]
        lines += [f"  - {blocker}" for blocker in checklist.blockers]
    return "\n".join(lines) + "\n"


def render_json(checklist: Checklist) -> str:
    return json.dumps(checklist.as_dict(), indent=2, ensure_ascii=False) + "\n"
