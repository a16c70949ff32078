"""stratlint rules, stratlint explain."""

from __future__ import annotations

import json

import click

from stratlint.cli import cli
from stratlint.cli.options import format_option
from stratlint.rules import RULES, Rule, lookup


def rule_dict(rule: type[Rule]) -> dict[str, str]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.default_severity.label,
        "summary": rule.summary,
        "explanation": rule.docs(),
    }


@cli.command("rules")
@format_option()
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    if output_format == "json":
        click.echo(json.dumps([rule_dict(rule) for rule in RULES], indent=2))
        return
    for rule in RULES:
        click.echo(f"{rule.code}  {rule.name:<32} {rule.default_severity.label:<8} {rule.summary}")


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Explain a rule, by code (SL201) or name (dangling-reference)."""
    found = lookup(rule)
    if found is None:
        raise click.UsageError(f"no rule '{rule}'. 'stratlint rules' lists them.")
    click.echo(f"{found.code} {found.name} [{found.default_severity.label}]\n\n{found.summary}\n\n{found.docs()}")
