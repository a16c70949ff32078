"""stratlint check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stratlint.cli import EXIT_ERROR, cli, guarded
from stratlint.cli.options import config_options
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.engine import lint
from stratlint.fileio import atomic_write
from stratlint.report import REPORTERS, ReportOptions


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format. With --output, the format of the file; the terminal then shows text.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report in --format to FILE (replaced atomically, never half-written) and print the "
    "text report to the terminal, e.g. --format sarif --output stratlint.sarif.",
)
@config_options()
@click.option("--color/--no-color", default=None, help="Color the output (default: when printing to a terminal).")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def check(
    path: Path | None,
    output_format: str,
    output: Path | None,
    options: CommandLineOptions,
    color: bool | None,
    debug: bool,
) -> None:
    """Check the strategy in PATH (default: the configured root, or ./strategy).

    Formats: text (the terminal), json, sarif (GitHub code scanning), github
    (annotations in GitHub Actions), junit (GitLab and Jenkins test reports), gitlab
    (GitLab Code Quality) and markdown (a pull-request comment); docs/formats.md shows
    each. With --output, a file that cannot be written exits 2 and is left as it was.
    """
    result = guarded(lambda: lint(resolve_settings(path, options)), debug)
    use_color = sys.stdout.isatty() if color is None else color

    def render(name: str, colored: bool) -> str:
        return guarded(lambda: REPORTERS[name](result, ReportOptions(color=colored)), debug)

    if output is None:
        click.echo(render(output_format, use_color), nl=False, color=use_color)
        sys.exit(result.exit_code)
    report = render(output_format, False)
    click.echo(render("text", use_color), nl=False, color=use_color)
    try:
        atomic_write(output, report)
    except OSError as error:
        folder = output.parent
        reason = (
            f"the folder {folder} does not exist; create it first"
            if isinstance(error, FileNotFoundError) and not folder.is_dir()
            else (error.strerror or str(error))
        )
        click.echo(f"stratlint: cannot write {output}: {reason}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(result.exit_code)
