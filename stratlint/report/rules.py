"""The rule list (``stratlint rules``) and one rule's explanation (``stratlint explain``). Pure."""

from __future__ import annotations

import json

from stratlint.diagnostics import RuleInfo


def rule_dict(rule: RuleInfo) -> dict[str, str | bool]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "stage": rule.stage.label,
        "explanation": rule.explanation,
        "organisation": rule.organisation,
        "opt_in": rule.opt_in,
    }


ORGANISATION_MARK = "(the organisation's)"
"""After the summary of a rule the organisation's policy defines, not stratlint."""


def render_list(rules: tuple[RuleInfo, ...]) -> str:
    """One rule a line, the columns as wide as their longest entry; the organisation's own
    rules are marked."""
    width = max((len(rule.name) for rule in rules), default=0) + 1
    code_width = max((len(rule.code) for rule in rules), default=0)
    return "".join(
        f"{rule.code:<{code_width}}  {rule.name:<{width}} {rule.severity.label:<8} {rule.summary}"
        + ("  (opt-in: select it by code or name)" if rule.opt_in else "")
        + (f"  {ORGANISATION_MARK}" if rule.organisation else "")
        + "\n"
        for rule in rules
    )


def render_list_json(rules: tuple[RuleInfo, ...]) -> str:
    return json.dumps([rule_dict(rule) for rule in rules], indent=2) + "\n"


def render_explanation(rule: RuleInfo) -> str:
    own = " (the organisation's own rule)" if rule.organisation else ""
    own += " (opt-in: select it by code or name)" if rule.opt_in else ""
    text = (
        f"{rule.code} {rule.name} [{rule.severity.label}]{own}\n\n{rule.summary}\n\n"
        f"Stage of the Misalignment Cascade: {rule.stage.label}.\n\n{rule.explanation}\n"
    )
    if rule.options:
        lines = ["", "Options (set them under [tool.stratlint.rules." + rule.name + "]):"]
        lines += [f"  {option.name} = {option.default}  {option.description}" for option in rule.options]
        text += "\n".join(lines) + "\n"
    return text
