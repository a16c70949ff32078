"""stratlint policy test."""

from __future__ import annotations

from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, EXIT_FINDINGS, cli
from stratlint.cli.options import debug_option, format_option


@cli.group("policy")
def policy() -> None:
    """The organisation's own rules ([[policy.rules]] and the policy file)."""


@policy.command("test")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read the policy from this configuration file instead of the one found from PATH.",
)
@format_option()
@debug_option
def test(path: Path | None, config: Path | None, output_format: str) -> int:
    """Run every policy rule's examples: each good one must pass and each bad one must be
    reported. Exit 0 when all do, 1 when one does not, 2 when the policy cannot be read."""
    from stratlint.config import CommandLineOptions, resolve_config
    from stratlint.custom.examples import run_examples
    from stratlint.report.examples import render_json, render_text

    effective = resolve_config(path, CommandLineOptions(config=config))
    outcomes = run_examples(effective.rule_set.custom, effective.settings(use_baseline=False).effective_today())
    click.echo((render_json if output_format == "json" else render_text)(outcomes), nl=False)
    return EXIT_CLEAN if all(outcome.passed for outcome in outcomes) else EXIT_FINDINGS
