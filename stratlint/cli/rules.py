"""stratlint rules, stratlint explain."""

from __future__ import annotations

import click

from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import format_option
from stratlint.report.rules import render_explanation, render_list, render_list_json
from stratlint.rules import lookup, rule_infos


@cli.command("rules")
@format_option()
def list_rules(output_format: str) -> int:
    """List every rule: code, name, default severity and summary."""
    click.echo((render_list_json if output_format == "json" else render_list)(rule_infos()), nl=False)
    return EXIT_CLEAN


@cli.command()
@click.argument("rule")
def explain(rule: str) -> int:
    """Explain a rule, by code (SL201) or name (dangling-reference)."""
    found = lookup(rule)
    if found is None:
        raise click.UsageError(f"no rule '{rule}'. 'stratlint rules' lists them.")
    click.echo(render_explanation(found.info()), nl=False)
    return EXIT_CLEAN
