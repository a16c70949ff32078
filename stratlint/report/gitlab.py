"""GitLab Code Quality: a JSON list of issues, shown on the merge request.

Severity: error -> major, warning -> minor, info -> info. The fingerprint is the shared
finding fingerprint; when two findings share one, later ones are told apart by their
occurrence, because GitLab needs each fingerprint once per report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from stratlint.analysis.result import Report
from stratlint.diagnostics import Diagnostic, Severity

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def unique_fingerprints(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for diagnostic in diagnostics:
        shared = diagnostic.fingerprint
        occurrence = seen.get(shared, 0)
        seen[shared] = occurrence + 1
        if occurrence:
            shared = hashlib.sha256(f"{shared}:{occurrence}".encode()).hexdigest()[:32]
        unique.append(shared)
    return unique


def issue(diagnostic: Diagnostic, print_fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": f"{diagnostic.message} ({diagnostic.code} {diagnostic.name})",
        "check_name": diagnostic.code,
        "fingerprint": print_fingerprint,
        "severity": SEVERITIES[diagnostic.severity],
        "location": {
            "path": diagnostic.path,
            # Code Quality requires a line; a finding about the whole strategy folder has none.
            "lines": {"begin": max(diagnostic.span.line, 1), "end": max(diagnostic.span.last_line, 1)},
        },
    }


def render(result: Report) -> str:
    prints = unique_fingerprints(result.diagnostics)
    issues = [issue(diagnostic, value) for diagnostic, value in zip(result.diagnostics, prints, strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
