"""``stratlint init``: the files of a new strategy repository that checks clean.

``strategy`` writes the strategy files (value, narrative, priorities, governance, one
roadmap, messaging and playbook file, each with guidance for the function that owns it, and
a release plan) from a company's name, segments and pillars; ``repository`` the files around
them (pre-commit's configuration, the CI workflows). The schemas, the editor settings and the
lock come from the code that writes them for ``stratlint schemas --vscode`` and ``stratlint
lock``: the command assembles them (``stratlint.cli.init``).
"""

from stratlint.scaffold.repository import GITHUB_WORKFLOW, GITLAB_CI, PRE_COMMIT_CONFIG, repository_files
from stratlint.scaffold.strategy import (
    DEFAULT,
    RELEASE_FILE,
    STRATEGY_FOLDER,
    Answers,
    Plan,
    derive_ids,
    plan,
    slug,
    strategy_files,
)

__all__ = [
    "DEFAULT",
    "GITHUB_WORKFLOW",
    "GITLAB_CI",
    "PRE_COMMIT_CONFIG",
    "RELEASE_FILE",
    "STRATEGY_FOLDER",
    "Answers",
    "Plan",
    "derive_ids",
    "plan",
    "repository_files",
    "slug",
    "strategy_files",
]
