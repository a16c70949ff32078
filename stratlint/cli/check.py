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
@click.option(
    "--max-proof-age-months",
    type=click.IntRange(min=1),
    default=18,
    show_default=True,
    help="A proof point older than this, still cited by messaging or a playbook, is stale evidence.",
)
@click.option("--color/--no-color", default=None, help="Color the output (default: when printing to a terminal).")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def check(
    path: Path | None,
    output_format: str,
    fail_on: str,
    max_proof_age_months: int,
    color: bool | None,
    debug: bool,
) -> None:
    """Check the strategy in PATH (default: ./strategy)."""
    settings = Settings(
        root=path or DEFAULT_ROOT, fail_on=Severity.parse(fail_on), max_proof_age_months=max_proof_age_months
    )
    result = guarded(lambda: lint(settings), debug)
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(REPORTERS[output_format](result, ReportOptions(color=use_color)), nl=False)
    sys.exit(result.exit_code)
