"""stratlint baseline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.baseline import DEFAULT_FILENAME, BaselineError, save_baseline
from stratlint.analysis.check import lint
from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import config_options, debug_option, file_path
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.load.strategy import relative_path
from stratlint.report.text import plural


@dataclass(frozen=True, slots=True)
class BaselineRequest:
    path: Path | None
    output: Path | None
    options: CommandLineOptions


@cli.command("baseline")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    callback=file_path(),
    help=f"Where to write it [default: the configured baseline, or {DEFAULT_FILENAME} at the repository root].",
)
@config_options(baseline=False)
@debug_option
def write_baseline(path: Path | None, output: Path | None, options: CommandLineOptions) -> int:
    """Record today's findings in a baseline file, so that 'check --baseline FILE' fails only
    on new ones. Findings are recorded by fingerprint, not line, so moving lines keeps them."""
    return run_baseline(BaselineRequest(path, output, options))


def run_baseline(request: BaselineRequest) -> int:
    effective = resolve_config(request.path, request.options)
    result = lint(effective.settings(use_baseline=False))
    target = request.output or effective.baseline or result.repo_root / DEFAULT_FILENAME
    try:
        save_baseline(target, result.diagnostics)
    except BaselineError as error:
        raise StratlintError(str(error)) from None
    count, shown = len(result.diagnostics), relative_path(target.resolve(), result.repo_root)
    click.echo(
        f"Recorded {plural(count, 'finding')} in {shown}. "
        f"'stratlint check --baseline {shown}' now reports only new findings."
    )
    return EXIT_CLEAN
