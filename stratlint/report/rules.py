"""The rule list (``stratlint rules``) and one rule's explanation (``stratlint explain``). Pure."""

from __future__ import annotations

import json

from stratlint.diagnostics import RuleInfo


def rule_dict(rule: RuleInfo) -> dict[str, str]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "stage": rule.stage.label,
        "explanation": rule.explanation,
    }


def render_list(rules: tuple[RuleInfo, ...]) -> str:
    """One rule a line, the columns as wide as their longest entry."""
    width = max((len(rule.name) for rule in rules), default=0) + 1
    return "".join(f"{rule.code}  {rule.name:<{width}} {rule.severity.label:<8} {rule.summary}\n" for rule in rules)


def render_list_json(rules: tuple[RuleInfo, ...]) -> str:
    return json.dumps([rule_dict(rule) for rule in rules], indent=2) + "\n"


def render_explanation(rule: RuleInfo) -> str:
    text = (
        f"{rule.code} {rule.name} [{rule.severity.label}]\n\n{rule.summary}\n\n"
        f"Stage of the Misalignment Cascade: {rule.stage.label}.\n\n{rule.explanation}\n"
    )
    if rule.options:
        lines = ["", "Options (set them under [tool.stratlint.rules." + rule.name + "]):"]
        lines += [f"  {option.name} = {option.default}  {option.description}" for option in rule.options]
        text += "\n".join(lines) + "\n"
    return text
