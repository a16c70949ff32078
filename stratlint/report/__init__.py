"""Reporters: pure functions from a lint result to text. One module per format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stratlint import DOCS_URL
from stratlint.analysis.result import Report
from stratlint.report import github, gitlab, junit, markdown, sarif
from stratlint.report import json as json_report
from stratlint.report import text as text_report


@dataclass(frozen=True, slots=True)
class ReportOptions:
    color: bool = False
    code_frame: bool = True
    """The text format shows the offending line under each finding (configuration: code-frame)."""
    docs_url: str = DOCS_URL
    """Where each rule's page is published, for SARIF's helpUri (configuration: docs-url)."""


Reporter = Callable[[Report, ReportOptions], str]

REPORTERS: dict[str, Reporter] = {
    "text": lambda result, options: text_report.render(result, color=options.color, frames=options.code_frame),
    "json": lambda result, options: json_report.render(result),
    "sarif": lambda result, options: sarif.render(result, docs_url=options.docs_url),
    "github": lambda result, options: github.render(result),
    "junit": lambda result, options: junit.render(result),
    "gitlab": lambda result, options: gitlab.render(result),
    "markdown": lambda result, options: markdown.render(result),
}
"""Every output format, by the name given to --format."""

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
