"""stratlint: keep product, marketing and sales traceable to one strategy."""

from __future__ import annotations

__version__ = "0.1.0"

REPOSITORY = "stratlint/stratlint"
"""The project's repository on GitHub (owner/name): the one place its address is kept.
Every address stratlint writes lies under it: the rule pages SARIF links to (``DOCS_URL``,
which the configuration's 'docs-url' can change) and the schemas' ``$id``."""

REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
DOCS_URL = f"{REPOSITORY_URL}/blob/main/docs/"
"""The project's documentation, docs/ in its repository; rule pages are under rules/."""
SCHEMA_BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/main/schemas/"
"""The published schemas, schemas/ in the repository, as GitHub serves the files."""


class StratlintError(Exception):
    """A failure that stops the run (exit status 2): bad options, an unreadable root. The
    message is one line, for the user."""
