"""stratlint rules, stratlint explain."""

from __future__ import annotations

from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import format_option
from stratlint.report.rules import render_explanation, render_list, render_list_json
from stratlint.rules import BUILT_IN, RuleSet

_PATH = click.argument("path", required=False, type=click.Path(path_type=Path))
_CONFIG = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read the organisation's rules from this configuration file instead of the one found from PATH.",
)


def _rule_set(path: Path | None, config: Path | None) -> RuleSet:
    """The registry's rules, and the organisation's from the configuration that governs PATH
    (or the current folder), when it has a policy."""
    from stratlint.config import CommandLineOptions, find_config_file, resolve_config

    if config is None and find_config_file(path if path is not None else Path.cwd()) is None:
        return BUILT_IN
    return resolve_config(path, CommandLineOptions(config=config)).rule_set


@cli.command("rules")
@_PATH
@_CONFIG
@format_option()
def list_rules(path: Path | None, config: Path | None, output_format: str) -> int:
    """List every rule: code, name, default severity and summary. Rules of the organisation's
    own policy (in the configuration that governs PATH) come last, marked as theirs."""
    infos = _rule_set(path, config).infos()
    click.echo((render_list_json if output_format == "json" else render_list)(infos), nl=False)
    return EXIT_CLEAN


@cli.command()
@click.argument("rule")
@_PATH
@_CONFIG
def explain(rule: str, path: Path | None, config: Path | None) -> int:
    """Explain a rule, by code (SL201) or name (dangling-reference); the organisation's own
    rules too (ACME001), from the configuration that governs PATH."""
    found = _rule_set(path, config).lookup(rule)
    if found is None:
        raise click.UsageError(f"no rule '{rule}'. 'stratlint rules' lists them.")
    click.echo(render_explanation(found.info()), nl=False)
    return EXIT_CLEAN
