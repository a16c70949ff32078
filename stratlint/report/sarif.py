"""SARIF 2.1.0, as GitHub code scanning reads it.

Rule metadata comes from the rule registry (``result.rules``), never from a list here.
Paths are relative to the repository root, percent-encoded as URI references (a file
named ``Q1 launch plan.yaml`` is ``Q1%20launch%20plan.yaml``), resolved through the
``%SRCROOT%`` base id, which names no machine path. ``partialFingerprints`` carries the
shared finding fingerprint, which leaves lines out, so a finding keeps its identity when
unrelated lines move; two identical findings get distinct ones. Code scanning itself
tracks alerts by its own ``primaryLocationLineHash``. At the result cap, errors are kept
first, then warnings, then infos.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any
from urllib.parse import quote

import stratlint
from stratlint.analysis.result import Report
from stratlint.diagnostics import Diagnostic, RuleInfo, Severity, Span

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "stratlintFingerprint/v1"
MAX_RESULTS = 25_000
"""GitHub code scanning accepts at most this many results per run."""

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# How code scanning ranks an alert that has no security severity.
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def help_markdown(rule: RuleInfo) -> str:
    """The rule's explanation as Markdown: indented example lines become YAML code blocks."""
    out: list[str] = [f"**{rule.summary}**", ""]
    code: list[str] = []

    def flush() -> None:
        if code:
            out.extend(["```yaml", *textwrap.dedent("\n".join(code)).splitlines(), "```"])
            code.clear()

    for line in rule.explanation.splitlines():
        if line.startswith((" ", "\t")) and line.strip():
            code.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out).strip()


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    paragraphs = _paragraphs(rule.explanation)
    family = rule.family
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": paragraphs[0] if paragraphs else rule.summary},
        "help": {"text": rule.explanation or rule.summary, "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["strategy", family], "problem.severity": PROBLEM_SEVERITY[rule.severity]},
    }
    if stratlint.PROJECT_URL:
        descriptor["helpUri"] = f"{stratlint.PROJECT_URL}#rules"
    return descriptor


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.last_line,
        "endColumn": span.end_column if span.end_line > span.line else max(span.end_column, span.column),
    }


def _location(path: str, span: Span) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}}
    if span.positioned:  # a finding about the strategy folder as a whole has no region
        physical["region"] = _region(span)
    return {"physicalLocation": physical}


def sarif_result(diagnostic: Diagnostic, rule_index: dict[str, int], occurrence: int = 1) -> dict[str, Any]:
    found: dict[str, Any] = {"ruleId": diagnostic.code}
    if diagnostic.code in rule_index:
        found["ruleIndex"] = rule_index[diagnostic.code]
    found["level"] = LEVELS[diagnostic.severity]
    found["message"] = {"text": diagnostic.message}
    found["locations"] = [_location(diagnostic.path, diagnostic.span)]
    if diagnostic.related:
        found["relatedLocations"] = [
            {"id": number, **_location(item.path, item.span), "message": {"text": item.message}}
            for number, item in enumerate(diagnostic.related, start=1)
        ]
    # Identical findings share a fingerprint; the second and later get their rank in it.
    mark = diagnostic.fingerprint if occurrence == 1 else f"{diagnostic.fingerprint}:{occurrence}"
    found["partialFingerprints"] = {FINGERPRINT_KEY: mark}
    return found


def document(result: Report) -> dict[str, Any]:
    rules = list(result.rules)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": "stratlint", "version": stratlint.__version__}
    if stratlint.PROJECT_URL:
        driver["informationUri"] = stratlint.PROJECT_URL
    driver["rules"] = [rule_descriptor(rule) for rule in rules]
    shown = list(result.diagnostics)
    if len(shown) > MAX_RESULTS:
        # The cap keeps what matters most: errors, then warnings, then infos, each in order.
        kept = set(sorted(range(len(shown)), key=lambda index: _RANK[shown[index].severity])[:MAX_RESULTS])
        shown = [diagnostic for index, diagnostic in enumerate(shown) if index in kept]
    seen: dict[str, int] = {}
    results = []
    for diagnostic in shown:
        seen[diagnostic.fingerprint] = seen.get(diagnostic.fingerprint, 0) + 1
        results.append(sarif_result(diagnostic, rule_index, seen[diagnostic.fingerprint]))
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            # No absolute uri: the report names no path of the machine that made it.
            SRCROOT: {"description": {"text": "The repository root; every path is relative to it."}}
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    left_out = len(result.diagnostics) - len(shown)
    if left_out:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {
                            "text": f"{left_out} more findings are not in this file: code scanning accepts at "
                            f"most {MAX_RESULTS} results per run. Run stratlint locally to see them all."
                        },
                    }
                ],
            }
        ]
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(result: Report) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
