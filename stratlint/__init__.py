"""stratlint: keep product, marketing and sales traceable to one strategy."""

from __future__ import annotations

__version__ = "0.1.0"

PROJECT_URL: str | None = None
"""The project's public home, as an absolute URL, once it has one. SARIF output uses it for
``informationUri`` and each rule's ``helpUri``; SARIF requires absolute URIs there, so both
are left out while this is unset (every rule still carries its full help text)."""
