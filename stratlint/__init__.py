"""stratlint: keep product, marketing and sales traceable to one strategy."""

from __future__ import annotations

__version__ = "0.1.0"

PROJECT_URL: str | None = "https://pypi.org/project/stratlint/"
"""The project's public home (the package page, which shows this README). SARIF output uses
it for ``informationUri`` and, with the README's rules section, each rule's ``helpUri``;
SARIF requires absolute URIs there, so both are left out when this is None."""


class StratlintError(Exception):
    """A failure that stops the run (exit status 2): bad options, an unreadable root. The
    message is one line, for the user."""
