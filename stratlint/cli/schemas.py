"""stratlint schemas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import debug_option
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.editor import (
    SCHEMAS_SETTING,
    SETTINGS_FILE,
    EditorSetupError,
    schema_setting,
    vscode_settings,
    write_schemas,
    write_settings,
)
from stratlint.load.strategy import relative_path, repository_root

DEFAULT_FOLDER = "schemas"


@dataclass(frozen=True, slots=True)
class SchemasRequest:
    path: Path | None
    output: Path | None
    vscode: bool
    config: Path | None


def _folder(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is not None and not value:
        raise click.BadParameter("the path is empty; name a folder", ctx, param)
    return Path(value) if value is not None else None


@cli.command("schemas")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    callback=_folder,
    help=f"The folder to write the schemas to [default: {DEFAULT_FOLDER}/ at the repository root].",
)
@click.option(
    "--vscode",
    is_flag=True,
    help=f"Also write {SETTINGS_FILE.as_posix()} at the repository root (merged into the one there), so that "
    "VS Code's YAML extension checks every YAML file under the strategy root against the schema of its kind.",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read this configuration file (for the strategy root) instead of searching for one.",
)
@debug_option
def write_schemas_command(path: Path | None, output: Path | None, vscode: bool, config: Path | None) -> int:
    """Write the JSON Schemas of the strategy files (one per kind, and strategy.schema.json
    for any kind) into a folder of the repository, for editors: with --vscode, also the
    editor settings that apply them, so that no file needs a modeline. PATH is the strategy
    (default: the configured root, or ./strategy)."""
    return run_schemas(SchemasRequest(path, output, vscode, config))


def run_schemas(request: SchemasRequest) -> int:
    root = resolve_config(request.path, CommandLineOptions(config=request.config)).root
    repo_root = repository_root(root)
    folder = request.output if request.output is not None else repo_root / DEFAULT_FOLDER
    try:
        # The settings are merged first: when they cannot be, nothing is written.
        setting = schema_setting(repo_root, folder, root) if request.vscode else None
        pending = vscode_settings(repo_root, setting) if setting is not None else None
        written = write_schemas(folder, repo_root)
        shown = relative_path(Path(folder).resolve(), repo_root)
        click.echo(f"Wrote {len(written)} schemas to {shown}/.")
        if setting is not None and pending is not None:
            write_settings(pending)
            click.echo(
                f"Wrote {relative_path(pending.path, repo_root)}: '{SCHEMAS_SETTING}' gives {setting.schema} to "
                f"{' and '.join(setting.patterns)}. Each file is checked against the schema of its 'kind:'."
            )
    except EditorSetupError as error:
        raise StratlintError(str(error)) from None
    return EXIT_CLEAN
