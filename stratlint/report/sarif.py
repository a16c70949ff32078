"""SARIF 2.1.0, as GitHub code scanning reads it.

Rule metadata comes from the rule registry (``result.rules``), never from a list here.
Paths are relative to the repository root, percent-encoded as URI references (a file
named ``Q1 launch plan.yaml`` is ``Q1%20launch%20plan.yaml``), resolved through the
``%SRCROOT%`` base id, which names no machine path. ``partialFingerprints`` carries the
shared finding fingerprint, which leaves lines out, so a finding keeps its identity when
unrelated lines move; two identical findings get distinct ones. Code scanning itself
tracks alerts by its own ``primaryLocationLineHash``. At the result cap, errors are kept
first, then warnings, then infos, and reported findings before silenced ones.

Silenced findings are kept, marked with ``suppressions`` (status ``accepted``, the reason as
the justification): ``inSource`` for a '# stratlint:' comment, ``external`` for a waiver or
the baseline. Code scanning then closes their alerts as dismissed, not as fixed.

``informationUri`` and each rule's ``helpUri`` point into the documentation published at
the ``docs-url`` setting (``rules/README.md``, ``rules/SL201.md``: stratlint_dev.rule_docs
writes those pages).
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any
from urllib.parse import quote

import stratlint
from stratlint import DOCS_URL
from stratlint.analysis.result import Report
from stratlint.analysis.suppressions import Silenced
from stratlint.diagnostics import Diagnostic, RuleInfo, Severity, Span

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "stratlintFingerprint/v1"
MAX_RESULTS = 25_000
"""GitHub code scanning accepts at most this many results per run."""

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SUPPRESSION_KINDS = {"comment": "inSource", "waiver": "external", "baseline": "external"}
"""A '# stratlint:' comment silences in the source; a waiver is an agreed exception with an
owner and a date, and the baseline a file of accepted findings: both are external."""

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


def rule_page(docs_url: str, code: str) -> str:
    """The address of a rule's page under the documentation address."""
    return f"{docs_url}rules/{code}.md"


def rule_descriptor(rule: RuleInfo, docs_url: str | None = DOCS_URL) -> dict[str, Any]:
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
    if docs_url and not rule.organisation:  # the organisation's rules have no page in stratlint's documentation
        descriptor["helpUri"] = rule_page(docs_url, rule.code)
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


def sarif_result(
    diagnostic: Diagnostic, rule_index: dict[str, int], occurrence: int = 1, silenced: Silenced | None = None
) -> dict[str, Any]:
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
    if silenced is not None:
        found["suppressions"] = [
            {"kind": SUPPRESSION_KINDS[silenced.by], "status": "accepted", "justification": silenced.reason}
        ]
    return found


def _occurrences(entries: list[tuple[Diagnostic, Silenced | None]]) -> list[int]:
    """Each finding's rank among the findings that share its fingerprint, reported and
    silenced together in report order, so silencing one of two twins renames neither."""
    ranks = [0] * len(entries)
    seen: dict[str, int] = {}
    for index in sorted(range(len(entries)), key=lambda index: entries[index][0].sort_key()):
        key = entries[index][0].fingerprint
        seen[key] = ranks[index] = seen.get(key, 0) + 1
    return ranks


def document(result: Report, *, docs_url: str | None = DOCS_URL) -> dict[str, Any]:
    rules = list(result.rules)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": "stratlint", "version": stratlint.__version__}
    if docs_url:
        driver["informationUri"] = f"{docs_url}rules/README.md"
    driver["rules"] = [rule_descriptor(rule, docs_url) for rule in rules]
    entries: list[tuple[Diagnostic, Silenced | None]] = [(d, None) for d in result.diagnostics]
    entries += [(s.diagnostic, s) for s in result.silenced]
    ranks = _occurrences(entries)
    shown = list(range(len(entries)))
    if len(shown) > MAX_RESULTS:
        # The cap keeps what matters most: reported findings before silenced ones, errors,
        # then warnings, then infos, each in order.
        def weight(index: int) -> tuple[bool, int]:
            diagnostic, silenced = entries[index]
            return (silenced is not None, _RANK[diagnostic.severity])

        kept = set(sorted(shown, key=weight)[:MAX_RESULTS])
        shown = [index for index in shown if index in kept]
    results = [sarif_result(entries[i][0], rule_index, ranks[i], entries[i][1]) for i in shown]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            # No absolute uri: the report names no path of the machine that made it.
            SRCROOT: {"description": {"text": "The repository root; every path is relative to it."}}
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    left_out = len(entries) - len(shown)
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


def render(result: Report, *, docs_url: str | None = DOCS_URL) -> str:
    return json.dumps(document(result, docs_url=docs_url), indent=2, ensure_ascii=False) + "\n"
