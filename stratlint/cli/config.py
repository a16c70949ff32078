"""stratlint config."""

from __future__ import annotations

import json
from pathlib import Path

import click

from stratlint.cli import cli, guarded
from stratlint.cli.options import config_options, debug_option, format_option
from stratlint.config import CommandLineOptions, render_config, resolve_config


@cli.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@format_option()
@config_options()
@debug_option
def show_config(path: Path | None, output_format: str, options: CommandLineOptions, debug: bool) -> None:
    """Print the effective configuration for PATH, and where each value came from: the
    default, a configuration file, or the command line."""
    effective = guarded(lambda: resolve_config(path, options), debug)
    if output_format == "json":
        click.echo(json.dumps(effective.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_config(effective), nl=False)
