"""stratlint impact."""

from __future__ import annotations

from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import debug_option, format_option
from stratlint.config import resolve_settings
from stratlint.report.impact import RENDERERS
from stratlint.vcs.impact import compute_impact


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--diff", "base", required=True, metavar="BASE", help="The revision to compare against (main, HEAD~1).")
@format_option(sorted(RENDERERS))
@debug_option
def impact(path: Path | None, base: str, output_format: str) -> int:
    """What the change since BASE does to alignment, for a pull-request reviewer.

    Lists the value, narrative and priority nodes that changed (field by field), the roadmap
    items, messages and plays that depend on them -- directly, or through a claim's pillar or
    a pillar's claims -- grouped by function and owner, and the findings the change adds or
    removes. --format markdown is ready to post as a PR comment (with a Mermaid graph).
    The working tree is never touched: BASE is read through git."""
    found = compute_impact(resolve_settings(path, use_baseline=False), base)
    click.echo(RENDERERS[output_format](found), nl=False)
    return EXIT_CLEAN
