"""Per-rule options: declared on the rule, with their defaults, once.

A rule that can be tuned declares a nested ``Options`` model (as yamllint's ``CONF`` and
``DEFAULT``). The configuration validates a rule's table against it
(``[tool.stratlint.rules.stale-proof-point]``), ``stratlint explain`` shows each option
with its default, and the rule reads ``self.options``. Nothing else repeats a default.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class RuleOptions(BaseModel):
    """A rule's options. Subclasses declare fields with defaults and a description each."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True, defer_build=True
    )


class NoOptions(RuleOptions):
    """The options of a rule that has none."""
