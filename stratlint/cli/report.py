"""stratlint report and stratlint trend."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.cli import EXIT_CLEAN, EXIT_ERROR, cli
from stratlint.cli.check import output_option, vet_output, write_output
from stratlint.cli.options import config_options, debug_option, file_path
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.fileio import Target
from stratlint.load.strategy import relative_path, repository_root
from stratlint.report.text import plural


@dataclass(frozen=True, slots=True)
class ReportRequest:
    html: Path | None
    path: Path | None
    options: CommandLineOptions
    link_base: str | None = None


@cli.command()
@click.option(
    "--html",
    "html",
    metavar="FILE",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    callback=file_path(dash=True),
    help="Write the HTML alignment report to FILE (replaced atomically; never inside the strategy folder). "
    "'-' is standard output.",
)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--link-base",
    metavar="URL",
    help="Link each file and line to the code host, e.g. https://github.com/org/repo/blob/main "
    "(default: links relative to the report, into the repository).",
)
@config_options()
@click.option("--no-cache", is_flag=True, help="Load every file anew, and neither read nor write the cache.")
@debug_option
def report(
    html: Path | None, path: Path | None, link_base: str | None, options: CommandLineOptions, no_cache: bool
) -> int:
    """Write a self-contained HTML alignment report of the strategy in PATH.

    One file that opens offline: the overall score and focus, each release plan's gate
    verdict, the alignment matrix of functions against pillars and claims with its holes,
    each function's score and misaligned entries by cascade stage, each entry's trace,
    referrers and findings, a picture of the strategy as tiers, and the lists of orphan
    nodes, stale proof points, suspect references and retired nodes still cited. The same
    strategy gives the same bytes. Exit 0 when written, 2 when it cannot be.
    """
    options = replace(options, cache=not no_cache)
    return run_report(ReportRequest(html, path, options, link_base))


def run_report(request: ReportRequest) -> int:
    from stratlint.analysis.matrix import Header, analyze, build_view
    from stratlint.report.html import HtmlOptions, render
    from stratlint.vcs.trend import head_commit

    _html_available()
    effective = resolve_config(request.path, request.options)
    settings = effective.settings()
    target = None if request.html is None else vet_output(request.html, settings)
    run = analyze(settings)
    repo_root = run.result.repo_root
    head = head_commit(repo_root)
    header = Header(
        commit=head[0] if head else None,
        commit_date=head[1] if head else None,
        judged_on=settings.effective_today().isoformat(),
        config_file=effective.config_file.display if effective.config_file else None,
        config=tuple((key, _shown(item.value), item.source) for key, item in effective.values.items()),
        root=relative_path(settings.root.resolve(), repo_root),
    )
    options = HtmlOptions(link_base=request.link_base, link_prefix=_link_prefix(repo_root, target))
    return _emit(target, request.html, render(build_view(run, header), options))


def _html_available() -> None:
    """Say at once, before any work, when the HTML extra is missing."""
    from stratlint.report.html import MissingExtra, require_jinja

    try:
        require_jinja()
    except MissingExtra as error:
        raise StratlintError(str(error)) from None


def _link_prefix(repo_root: Path, target: Target | None) -> str:
    """The way from the report's folder to the repository root, for file links."""
    if target is None or target.stream:
        return ""
    folder = Path(os.path.abspath(target.path)).parent
    prefix = Path(os.path.relpath(repo_root, folder)).as_posix() + "/"
    return "" if prefix == "./" else prefix


def _emit(target: Target | None, shown: Path | None, text: str) -> int:
    if target is None or shown is None:
        click.echo(text, nl=False)
        return EXIT_CLEAN
    problem = write_output(target, text, shown=shown)
    if problem is not None:
        click.echo(f"stratlint: cannot write {shown}: {problem}", err=True)
        return EXIT_ERROR
    click.echo(f"stratlint: wrote {shown}", err=True)
    return EXIT_CLEAN


def _shown(value: object) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items()) or "{}"
    return str(value)


@dataclass(frozen=True, slots=True)
class TrendCommand:
    path: Path | None
    output_format: str
    output: Path | None
    html: Path | None
    every: int
    since: str | None
    revision: str
    explain_drops: bool
    threshold: float
    cache: bool
    link_base: str | None = None


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv", "markdown"]),
    default="text",
    show_default=True,
    help="json and csv give one row per commit (id, date, author, each function's score, focus and cascade "
    "counts); markdown a short table for a pull request.",
)
@output_option("Write the --format output to FILE instead of standard output.")
@click.option(
    "--html",
    "html",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=False, path_type=str),
    callback=file_path(),
    default=None,
    help="Also write a self-contained HTML chart to FILE: each drop links to its commit and the findings "
    "it introduced.",
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Score every Nth commit (the newest is always scored).",
)
@click.option("--since", metavar="DATE", help="Only commits after DATE (as git log --since takes it, e.g. 2026-01-01).")
@click.option(
    "--rev",
    "revision",
    default="HEAD",
    show_default=True,
    metavar="REV",
    help="The commit whose first-parent history is scored.",
)
@click.option(
    "--explain-drops",
    is_flag=True,
    help="List the commits that lowered a score by more than --threshold, with the findings each introduced.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, max=100),
    default=0.0,
    show_default=True,
    metavar="POINTS",
    help="How many percentage points a score must fall to count as a drop.",
)
@click.option("--no-cache", is_flag=True, help="Evaluate every commit anew; neither read nor write the trend cache.")
@click.option("--link-base", metavar="URL", help="In the HTML chart, link files to the code host at this URL.")
@debug_option
def trend(
    path: Path | None,
    output_format: str,
    output: Path | None,
    html: Path | None,
    every: int,
    since: str | None,
    revision: str,
    explain_drops: bool,
    threshold: float,
    no_cache: bool,
    link_base: str | None,
) -> int:
    """The alignment score of the strategy in PATH over its git history.

    Scores every first-parent commit that changed the strategy root, without checking
    anything out: overall and per function, with focus and the misaligned entries per
    cascade stage. Evaluations are cached by the root's tree id, so a rerun after one new
    commit evaluates about one commit. Every commit is judged as of today. Exit 0, or 2
    when the history cannot be read.
    """
    if since is not None and (not since or since.startswith("-")):
        raise click.BadParameter("pass a date, e.g. 2026-01-01", param_hint="--since")
    request = TrendCommand(
        path, output_format, output, html, every, since, revision, explain_drops, threshold, not no_cache, link_base
    )
    return run_trend(request)


def run_trend(request: TrendCommand) -> int:
    from stratlint.report import trend as trend_report
    from stratlint.vcs.trend import TrendRequest
    from stratlint.vcs.trend import trend as score_history

    if request.html is not None:
        _html_available()
    settings = resolve_config(request.path, CommandLineOptions()).settings(use_baseline=False)
    targets = {}
    for name, given in (("output", request.output), ("html", request.html)):
        if given is not None:
            targets[name] = vet_output(given, settings)
    result = score_history(TrendRequest(settings, request.revision, request.every, request.since, request.cache))
    drops = result.drops(request.threshold / 100)
    shown_drops = drops if request.explain_drops else None
    renderers = {
        "text": lambda: trend_report.render_text(result, shown_drops),
        "json": lambda: trend_report.render_json(result, drops if request.explain_drops else None),
        "csv": lambda: trend_report.render_csv(result),
        "markdown": lambda: trend_report.render_markdown(result, shown_drops),
    }
    text = renderers[request.output_format]()
    status = EXIT_CLEAN
    if "html" in targets:
        from stratlint.report.html import HtmlOptions, render_trend

        repo_root = repository_root(settings.root, settings.repo_root)
        options = HtmlOptions(link_base=request.link_base, link_prefix=_link_prefix(repo_root, targets["html"]))
        status = max(status, _emit(targets["html"], request.html, render_trend(result, drops, options)))
    if "output" in targets:
        assert request.output is not None
        status = max(status, _emit(targets["output"], request.output, text))
    else:
        click.echo(text, nl=False)
    scored = plural(len(result.points), "commit")
    click.echo(f"stratlint: {scored} scored, {result.evaluated} evaluated anew", err=True)
    return status
