"""stratlint config."""

from __future__ import annotations

import json
from pathlib import Path

import click

from stratlint.cli import cli, guarded
from stratlint.cli.options import config_options
from stratlint.config import CommandLineOptions, render_config, resolve_config


@cli.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_options()
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def show_config(path: Path | None, output_format: str, options: CommandLineOptions, debug: bool) -> None:
    """Print the effective configuration for PATH, and where each value came from: the
    default, a configuration file, or the command line."""
    effective = guarded(lambda: resolve_config(path, options), debug)
    if output_format == "json":
        click.echo(json.dumps(effective.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_config(effective), nl=False)
