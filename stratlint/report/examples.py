"""What ``stratlint policy test`` prints: each policy rule's examples, passed or failed. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stratlint.custom.examples import Outcome


def _why(outcome: Outcome) -> str:
    if outcome.problem is not None:
        return outcome.problem
    if outcome.expected == "bad":
        return "the rule reported nothing; a bad example must be reported"
    shown = "; ".join(d.message for d in outcome.findings[:3])
    return f"the rule reported it ({shown}); a good example must pass"


def render_text(outcomes: Sequence[Outcome]) -> str:
    if not outcomes:
        return "No policy rule has examples; add 'examples' to a rule to see it at work.\n"
    lines = []
    for outcome in outcomes:
        note = f" ({outcome.note})" if outcome.note else ""
        head = f"{outcome.code} {outcome.name}: example {outcome.number} ({outcome.expected}){note}"
        lines.append(f"ok    {head}" if outcome.passed else f"FAIL  {head}: {_why(outcome)}")
    failed = sum(not outcome.passed for outcome in outcomes)
    rules = len({outcome.code for outcome in outcomes})
    total = f"{len(outcomes)} example{'s' if len(outcomes) != 1 else ''} of {rules} rule{'s' if rules != 1 else ''}"
    lines.append("")
    lines.append(f"{total}: {'all pass' if not failed else f'{failed} failed'}.")
    return "\n".join(lines) + "\n"


def render_json(outcomes: Sequence[Outcome]) -> str:
    document = [
        {
            "code": outcome.code,
            "name": outcome.name,
            "example": outcome.number,
            "expected": outcome.expected,
            "passed": outcome.passed,
            "problem": outcome.problem,
            "findings": [d.as_dict() for d in outcome.findings],
        }
        for outcome in outcomes
    ]
    return json.dumps(document, indent=2) + "\n"
