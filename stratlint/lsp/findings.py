"""Findings as the protocol's diagnostics: what to publish for which document."""

from __future__ import annotations

from lsprotocol import types

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.lsp.session import Session
from stratlint.report.sarif import rule_page
from stratlint.rules import BY_CODE

SOURCE = "stratlint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

UNNECESSARY = frozenset({"SL901"})
"""A suppression that silences nothing: shown faded, as editors show unused code."""
DEPRECATED = frozenset({"SL602"})
"""A reference to a retired node: shown struck through."""


def to_lsp(session: Session, diagnostic: Diagnostic) -> types.Diagnostic:
    """One finding, in its file's positions, with its rule's code, the rule's page, and the
    places that explain it."""
    client = session.client
    related = None
    if client.related and diagnostic.related:
        related = [
            types.DiagnosticRelatedInformation(
                types.Location(session.uri(item.path), session.range(item.path, item.span)), item.message
            )
            for item in diagnostic.related
        ]
    description = None
    if client.code_description and diagnostic.code in BY_CODE:  # the organisation's rules have no page
        description = types.CodeDescription(rule_page(session.live.settings.docs_url, diagnostic.code))
    tags = []
    if client.unnecessary and diagnostic.code in UNNECESSARY:
        tags.append(types.DiagnosticTag.Unnecessary)
    if client.deprecated and diagnostic.code in DEPRECATED:
        tags.append(types.DiagnosticTag.Deprecated)
    return types.Diagnostic(
        range=session.range(diagnostic.path, diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=description,
        source=SOURCE,
        related_information=related,
        tags=tags or None,
        data={"name": diagnostic.name, "pointer": diagnostic.pointer},
    )


def document_diagnostics(session: Session, path: str) -> list[types.Diagnostic]:
    """What to publish for the open document at ``path``: what ``stratlint check`` reports in it now."""
    return [to_lsp(session, d) for d in session.live.findings(path)]
