"""Everything a run needs, already parsed and validated (stratlint.config builds it)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stratlint import DOCS_URL
from stratlint.analysis.baseline import Baseline
from stratlint.analysis.policy import Policy
from stratlint.diagnostics import Severity
from stratlint.load.extra_schema import ExtraSchema
from stratlint.load.read import DEFAULT_MAX_BYTES
from stratlint.model import DEFAULT_FUNCTIONS, Functions
from stratlint.rules import BUILT_IN, RuleSet
from stratlint.rules.options import RuleOptions


@dataclass(frozen=True, slots=True)
class Settings:
    root: Path
    repo_root: Path | None = None
    policy: Policy = field(default_factory=Policy)
    fail_on: Severity = Severity.ERROR
    max_file_size: int = DEFAULT_MAX_BYTES
    extra_schemas: Mapping[str, ExtraSchema] = field(default_factory=dict)
    """The organisation's own JSON Schema per kind, checked on top of the built-in one."""
    baseline: Baseline | None = None
    """Findings recorded by ``stratlint baseline``; only findings not in it are reported."""
    rule_options: Mapping[str, RuleOptions] = field(default_factory=dict)
    """Options of the rules the configuration tunes, by rule code (see stratlint.rules.options)."""
    functions: Functions = DEFAULT_FUNCTIONS
    """The organisation's functions: which plan kinds each owns, how reports name it."""
    today: datetime.date | None = None
    """The day to judge ages and waivers against; None means the real today. Tests pin it."""
    cache: bool = True
    """Reuse what earlier runs loaded and concluded about unchanged files (stratlint.speed)."""
    jobs: int | None = None
    """Worker processes for loading; None chooses by the number of files and cores."""
    code_frame: bool = True
    """The text report shows the offending line under each finding."""
    scope: Path | None = None
    """A folder inside the root: the whole strategy is checked (references cross folders),
    and only the findings inside this folder are reported."""
    docs_url: str = DOCS_URL
    """The address stratlint's documentation is published under, ending in '/'."""
    rule_set: RuleSet = BUILT_IN
    """The rules to check: the registry's, and the organisation's own from its policy (stratlint.custom)."""

    def effective_today(self) -> datetime.date:
        return self.today or datetime.date.today()
