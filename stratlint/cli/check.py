"""stratlint check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stratlint.cli import cli, guarded
from stratlint.cli.options import config_options
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.engine import lint
from stratlint.report import REPORTERS, ReportOptions


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format.",
)
@config_options()
@click.option("--color/--no-color", default=None, help="Color the output (default: when printing to a terminal).")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def check(path: Path | None, output_format: str, options: CommandLineOptions, color: bool | None, debug: bool) -> None:
    """Check the strategy in PATH (default: the configured root, or ./strategy)."""
    result = guarded(lambda: lint(resolve_settings(path, options)), debug)
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(REPORTERS[output_format](result, ReportOptions(color=use_color)), nl=False)
    sys.exit(result.exit_code)
