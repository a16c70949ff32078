"""stratlint baseline."""

from __future__ import annotations

from pathlib import Path

import click

from stratlint.baseline import DEFAULT_FILENAME, BaselineError, save_baseline
from stratlint.cli import cli, guarded
from stratlint.cli.options import config_options, debug_option
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.engine import StratlintError, lint


@cli.command("baseline")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Where to write it [default: the configured baseline, or {DEFAULT_FILENAME} at the repository root].",
)
@config_options(baseline=False)
@debug_option
def write_baseline(path: Path | None, output: Path | None, options: CommandLineOptions, debug: bool) -> None:
    """Record today's findings in a baseline file, so that 'check --baseline FILE' fails only
    on new ones. Findings are recorded by fingerprint, not line, so moving lines keeps them."""

    def run() -> tuple[Path, int]:
        effective = resolve_config(path, options)
        result = lint(effective.settings(use_baseline=False))
        target = output or effective.baseline or result.repo_root / DEFAULT_FILENAME
        try:
            save_baseline(target, result.diagnostics)
        except BaselineError as error:
            raise StratlintError(str(error)) from None
        return target, len(result.diagnostics)

    target, count = guarded(run, debug)
    click.echo(
        f"Recorded {count} finding{'' if count == 1 else 's'} in {target}. "
        f"'stratlint check --baseline {target}' now reports only new findings."
    )
