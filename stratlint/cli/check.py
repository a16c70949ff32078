"""stratlint check."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.check import lint_and_fix
from stratlint.analysis.result import Report
from stratlint.analysis.settings import Settings
from stratlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, cli
from stratlint.cli.options import F, Progress, config_options, debug_option, file_path, use_color
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.diagnostics import CONTROL_ESCAPES
from stratlint.fileio import RefusedPath, Target, output_target, write_target
from stratlint.load.discover import YAML_SUFFIXES, dot_folders
from stratlint.load.strategy import repository_root
from stratlint.report import REPORTERS, ReportOptions
from stratlint.vcs.compare import check_changes


@dataclass(frozen=True, slots=True)
class CheckRequest:
    paths: tuple[Path, ...]
    output_format: str
    output: Path | None
    diff_base: str | None
    options: CommandLineOptions
    color: bool | None
    verbose: bool = False
    staged: bool = False
    fix: bool = False
    """Apply the findings' fixes (stratlint.edit.fix), then report what is left."""
    unsafe_fixes: bool = False
    show_patch: bool = False
    """With ``fix``: print the fixes as a patch, and write nothing."""


_MOST_JOBS = 64
"""More loading processes than this is a typing mistake: each needs its own memory and pipes."""

_PATCH = "\0patch"
"""What --diff holds when given without BASE, with --fix: show the fixes as a patch."""


class _CheckCommand(click.Command):
    """``check``, whose --diff takes BASE, except with --fix, where a bare --diff (last, or
    followed by another option) prints the fixes as a patch, as ruff's --diff does. A
    value given as --diff=BASE is always BASE."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = args.index("--") if "--" in args else len(args)
        if "--fix" in args[:options]:
            bare = [
                number
                for number, arg in enumerate(args[:options])
                if arg == "--diff" and (number + 1 == len(args) or args[number + 1].startswith("-"))
            ]
            args = [f"--diff={_PATCH}" if number in bare else arg for number, arg in enumerate(args)]
        return super().parse_args(ctx, args)


def output_option(help_text: str) -> Callable[[F], F]:
    """--output (-o) FILE, where a command writes its report ('-' is standard output); the
    command receives it as ``output``, a Path or None. ``help_text`` says what goes there."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
        callback=file_path(dash=True),
        default=None,
        help=help_text,
    )


@cli.command(cls=_CheckCommand)
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format. With --output, the format of the file; the terminal then shows text.",
)
@output_option(
    "Write the report in --format to FILE (replaced atomically, never half-written; a device or FIFO "
    "is written into; never inside the strategy folder) and print the text report to the terminal, "
    "e.g. --format sarif --output stratlint.sarif. '-' is standard output.",
)
@click.option(
    "--diff",
    "diff_base",
    metavar="BASE",
    help="Report only the findings that are new since the git revision BASE (e.g. origin/main), "
    "and the change in each alignment score. BASE is read through git; the working tree is not touched. "
    "With --fix and no BASE: print the fixes as a unified diff and write nothing.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply the safe fixes the findings offer (marked [*] in the text report), check again, and report "
    "what is left. Every edited file is read again and must mean what the fix says before it is written.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix, also apply unsafe fixes: one guess among several ids, or a change of meaning.",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Take the changed files from git's index (what 'git commit' would commit), as the pre-commit hook "
    "does: a finding in another file says which staged change it follows from.",
)
@config_options()
@click.option("--color/--no-color", default=None, help="Color the output (default: when printing to a terminal).")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Load every file anew, and neither read nor write the cache (.stratlint_cache/ at the repository root).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=_MOST_JOBS),
    default=None,
    help="Processes that load files (default: one per core when there are many files; 1 loads in this process).",
)
@click.option("--verbose", "-v", is_flag=True, help="Also say, on stderr, which folders were not read, and why.")
@debug_option
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    diff_base: str | None,
    options: CommandLineOptions,
    color: bool | None,
    no_cache: bool,
    jobs: int | None,
    verbose: bool,
    staged: bool,
    fix: bool,
    unsafe_fixes: bool,
) -> int:
    """Check the strategy in PATH (default: the configured root, or ./strategy).

    PATH may also be strategy files, as a pre-commit hook passes them: the whole strategy
    root is still checked (a change in one file can break references in others), and a
    finding that the change causes in another file says which changed file it follows from.

    Formats: text (the terminal), json, sarif (GitHub code scanning), github
    (annotations in GitHub Actions), junit (GitLab and Jenkins test reports), gitlab
    (GitLab Code Quality) and markdown (a pull-request comment); docs/formats.md shows
    each. With --output, a file that cannot be written exits 2 and is left as it was.
    """
    options = replace(options, cache=not no_cache, jobs=jobs)
    show_patch = diff_base == _PATCH
    if fix and (staged or (diff_base is not None and not show_patch)):
        raise click.UsageError(
            "--fix fixes the working tree as it is; it does not combine with --staged or --diff BASE "
            "(--diff without BASE prints the fixes as a patch)"
        )
    if unsafe_fixes and not fix:
        raise click.UsageError("--unsafe-fixes goes with --fix")
    request = CheckRequest(
        paths,
        output_format,
        output,
        None if show_patch else diff_base,
        options,
        color,
        verbose,
        staged,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        show_patch=show_patch,
    )
    return run_fix(request) if fix else run_check(request)


def run_check(request: CheckRequest) -> int:
    root, changed = split_paths(request.paths)
    settings = resolve_settings(root, request.options)
    target = None if request.output is None else vet_output(request.output, settings)
    folder = settings.root.as_posix().translate(CONTROL_ESCAPES)
    with Progress(f"stratlint: checking {folder}/ ...", enabled=Progress.wanted(request.output_format, sys.stderr)):
        report = check_changes(
            settings, diff_base=request.diff_base, changed_files=changed, staged=request.staged
        ).report()
    if request.verbose:
        for folder in dot_folders(settings.root, report.repo_root):
            shown = folder.translate(CONTROL_ESCAPES)
            click.echo(f"stratlint: not read: {shown}/ (a folder whose name starts with '.')", err=True)
    return emit(report, request, settings, target)


def emit(report: Report, request: CheckRequest, settings: Settings, target: Target | None) -> int:
    """Print the report (and write it to --output's target); the exit status."""
    color = use_color(request.color, sys.stdout)
    terminal = ReportOptions(color, code_frame=settings.code_frame, docs_url=settings.docs_url)
    if target is None:
        click.echo(REPORTERS[request.output_format](report, terminal), nl=False, color=color)
        return report.exit_code
    written = REPORTERS[request.output_format](
        report, ReportOptions(code_frame=settings.code_frame, docs_url=settings.docs_url)
    )
    click.echo(REPORTERS["text"](report, terminal), nl=False, color=color)
    problem = write_output(target, written, shown=request.output or target.path)
    if problem is not None:
        click.echo(f"stratlint: cannot write {request.output}: {problem}", err=True)
        return EXIT_ERROR
    return report.exit_code


def run_fix(request: CheckRequest) -> int:
    """check --fix: fix what the findings offer to, then report what is left as check does."""
    from stratlint.edit.fix import describe  # a plain check does not need the edit machinery
    from stratlint.edit.rename import EditRefused
    from stratlint.edit.text import unified_diff

    root, _ = split_paths(request.paths)
    settings = resolve_settings(root, request.options)
    target = None if request.output is None or request.show_patch else vet_output(request.output, settings)
    folder = settings.root.as_posix().translate(CONTROL_ESCAPES)
    progress = Progress.wanted(request.output_format, sys.stderr) and not request.show_patch
    with Progress(f"stratlint: checking and fixing {folder}/ ...", enabled=progress):
        try:
            outcome = lint_and_fix(settings, unsafe=request.unsafe_fixes, write=not request.show_patch)
        except EditRefused as error:
            raise StratlintError(f"--fix: {error}") from None
    for diagnostic, reason in outcome.skipped:
        where = f"{diagnostic.path}:{diagnostic.line}" if diagnostic.span.positioned else diagnostic.path
        click.echo(f"stratlint: not fixed: {where}: {diagnostic.code}: {reason}".translate(CONTROL_ESCAPES), err=True)
    if request.show_patch:
        click.echo(unified_diff(outcome.patch), nl=False)
        files = sum(1 for item in outcome.patch if item.changed)
        click.echo(
            f"Would fix {describe(outcome.fixed)} in {files} file{'s' if files != 1 else ''} "
            "(--diff: nothing was written).",
            err=True,
        )
        return EXIT_FINDINGS if outcome.patch else EXIT_CLEAN
    report = outcome.result.report()
    line = f"Fixed {describe(outcome.fixed)}" + (
        f" in {len(outcome.written)} file{'s' if len(outcome.written) != 1 else ''}." if outcome.written else "."
    )
    # The text report follows on the terminal; a machine format's standard output stays its own.
    to_terminal = request.output_format == "text" or target is not None
    click.echo(line if outcome.fixed else "Nothing to fix.", err=not to_terminal)
    return emit(report, request, settings, target)


def vet_output(path: Path, settings: Settings) -> Target:
    """Where --output writes, before the run; StratlintError when it may not be written."""
    try:
        return output_target(path, protected=settings.root, boundary=repository_root(settings.root, settings.repo_root))
    except RefusedPath as error:
        raise StratlintError(f"cannot write {path}: {error}") from None


def write_output(target: Target, text: str, *, shown: Path) -> str | None:
    """Write a report (``shown`` as typed); why it could not be written, or None."""
    try:
        write_target(target, text)
    except OSError as error:
        folder = shown.parent
        if isinstance(error, FileNotFoundError) and not folder.is_dir():
            return f"the folder {folder} does not exist; create it first"
        return error.strerror or str(error)
    return None


def split_paths(paths: tuple[Path, ...]) -> tuple[Path | None, tuple[Path, ...]]:
    """The strategy folder among PATHs (at most one), and the files: YAML files, existing or
    just deleted, are changed files; anything else names the folder."""
    folders = [path for path in paths if path.is_dir() or not (path.exists() or path.name.endswith(YAML_SUFFIXES))]
    files = tuple(path for path in paths if path not in folders)
    if len(folders) > 1:
        raise click.UsageError(
            f"pass one strategy folder, not {len(folders)} ({', '.join(map(str, folders))}); "
            "files after it are treated as the files that changed."
        )
    return (folders[0] if folders else None), files
