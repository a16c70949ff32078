"""stratlint check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stratlint.cli import cli, guarded
from stratlint.diagnostics import Severity
from stratlint.engine import Settings, lint
from stratlint.report import REPORTERS, ReportOptions

DEFAULT_ROOT = Path("strategy")
SEVERITY_CHOICE = click.Choice([s.label for s in reversed(Severity)], case_sensitive=False)


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
@click.option(
    "--fail-on",
    type=SEVERITY_CHOICE,
    default="error",
    show_default=True,
    help="The lowest severity that makes the run fail (exit 1).",
)
@click.option("--color/--no-color", default=None, help="Color the output (default: when printing to a terminal).")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Load every file anew, and neither read nor write the cache (.stratlint_cache/ at the repository root).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that load files (default: one per core when there are many files; 1 loads in this process).",
)
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def check(
    path: Path | None,
    output_format: str,
    fail_on: str,
    color: bool | None,
    no_cache: bool,
    jobs: int | None,
    debug: bool,
) -> None:
    """Check the strategy in PATH (default: ./strategy)."""
    settings = Settings(root=path or DEFAULT_ROOT, fail_on=Severity.parse(fail_on), cache=not no_cache, jobs=jobs)
    result = guarded(lambda: lint(settings), debug)
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(REPORTERS[output_format](result, ReportOptions(color=use_color)), nl=False, color=use_color)
    sys.exit(result.exit_code)
