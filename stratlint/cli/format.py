"""stratlint format."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.cli import EXIT_CLEAN, EXIT_FINDINGS, cli
from stratlint.cli.options import debug_option
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.format.files import Outcome, Status, files_under, format_file
from stratlint.load.strategy import repository_root


@dataclass(frozen=True, slots=True)
class FormatRequest:
    paths: tuple[Path, ...]
    check: bool
    config: Path | None


@cli.command("format")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing: print a diff of each file that would change, and exit 1 when any would.",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read this configuration file (for the strategy root) instead of searching for one.",
)
@debug_option
def format_command(paths: tuple[Path, ...], check: bool, config: Path | None) -> int:
    """Write strategy files one way: keys in the model's order, two-space indentation,
    short lists as [a, b], quotes only where needed, long text folded. Comments are kept
    beside their keys, and what the files say never changes.

    PATH is a strategy file or a folder (default: the configured root, or ./strategy).
    YAML that is not a strategy file, and a file that does not read, is left as it is, with
    one line saying why. Exit 1 when a strategy file could not be formatted, or with
    --check when one would change."""
    return run_format(FormatRequest(paths, check, config))


def run_format(request: FormatRequest) -> int:
    effective = resolve_config(None, CommandLineOptions(config=request.config))
    paths = request.paths or (effective.root,)
    for path in paths:
        if not path.exists():
            raise StratlintError(f"{path}: no such file or folder")
    repo_root = repository_root(Path.cwd() if request.paths else effective.root)
    outcomes = [
        format_file(path, shown, write=not request.check, max_bytes=effective.max_file_size, boundary=repo_root)
        if not unread
        else Outcome(path, shown, Status.FAILED, reason=unread)
        for path, shown, unread in files_under(paths, repo_root)
    ]
    for outcome in outcomes:
        if outcome.status in (Status.NOT_STRATEGY, Status.FAILED):
            click.echo(outcome.diagnostic(), err=True)
        elif outcome.status is Status.CHANGED and request.check:
            click.echo(_diff(outcome), nl=False)
    click.echo(_summary(outcomes, check=request.check))
    failed = any(outcome.status is Status.FAILED for outcome in outcomes)
    changed = request.check and any(outcome.status is Status.CHANGED for outcome in outcomes)
    return EXIT_FINDINGS if failed or changed else EXIT_CLEAN


def _diff(outcome: Outcome) -> str:
    lines = difflib.unified_diff(
        outcome.before.splitlines(keepends=True),
        outcome.after.splitlines(keepends=True),
        fromfile=outcome.shown,
        tofile=f"{outcome.shown} (formatted)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _count(number: int, noun: str = "file") -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(outcomes: list[Outcome], *, check: bool) -> str:
    counts = {status: sum(1 for outcome in outcomes if outcome.status is status) for status in Status}
    changed = counts[Status.CHANGED]
    parts = [
        f"{_count(changed)} {'would be formatted' if check else 'formatted'}" if changed else "",
        f"{_count(counts[Status.UNCHANGED])} already formatted" if counts[Status.UNCHANGED] else "",
        f"{_count(counts[Status.FAILED])} not formatted" if counts[Status.FAILED] else "",
        f"{_count(counts[Status.NOT_STRATEGY])} not strategy files, left as they are"
        if counts[Status.NOT_STRATEGY] > 1
        else ("1 file not a strategy file, left as it is" if counts[Status.NOT_STRATEGY] else ""),
    ]
    text = ", ".join(part for part in parts if part)
    return (text[0].upper() + text[1:] + ".") if text else "No YAML files found."
