"""GitHub Actions workflow commands: one annotation per finding, on the pull request's diff.

``::error file=strategy/x.yaml,line=12,col=9,endLine=12,endColumn=30,title=SL201 dangling-reference::message``

Escaping follows GitHub's workflow-command rules: in the message, ``%``, CR and LF; in a
property value, also ``:`` and ``,``.
"""

from __future__ import annotations

from stratlint.analysis.result import Report
from stratlint.diagnostics import Diagnostic, Severity
from stratlint.report.text import render_headline

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    properties = {"file": diagnostic.path}
    if span.positioned and span.last_line > span.line:
        # The runner drops the columns of an annotation over several lines, with a warning.
        properties |= {"line": str(span.line), "endLine": str(span.last_line)}
    elif span.positioned:
        properties |= {
            "line": str(span.line),
            "col": str(span.column),
            "endLine": str(span.last_line),
            "endColumn": str(span.end_column),
        }
    properties["title"] = f"{diagnostic.code} {diagnostic.name}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[diagnostic.severity]} {joined}::{escape_data(diagnostic.message)}"


def render(result: Report) -> str:
    lines = [annotation(diagnostic) for diagnostic in result.diagnostics]
    # A plain line for the log: annotations are capped per step, the headline is not.
    lines.append(render_headline(result))
    return "\n".join(lines) + "\n"
