"""One JSON document: ``{"diagnostics": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from typing import Any

from stratlint import __version__
from stratlint.analysis.result import Report
from stratlint.report.score_change import score_changes


def render(result: Report) -> str:
    document: dict[str, Any] = {
        "version": __version__,
        "diagnostics": [diagnostic.as_dict() for diagnostic in result.diagnostics],
        "summary": result.summary.as_dict(),
    }
    if result.base_summary is not None:
        # A comparison run (--diff): the base revision's summary and each score's change.
        document["base_summary"] = result.base_summary.as_dict()
        document["alignment_change"] = {change.function: change.as_dict() for change in score_changes(result)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
