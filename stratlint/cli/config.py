"""stratlint config."""

from __future__ import annotations

from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import config_options, debug_option, format_option
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.report.config import render_json, render_text


@cli.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@format_option()
@config_options()
@debug_option
def show_config(path: Path | None, output_format: str, options: CommandLineOptions) -> int:
    """Print the effective configuration for PATH, and where each value came from: the
    default, a configuration file, or the command line."""
    effective = resolve_config(path, options)
    click.echo((render_json if output_format == "json" else render_text)(effective), nl=False)
    return EXIT_CLEAN
