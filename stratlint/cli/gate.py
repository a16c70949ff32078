"""stratlint gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, cli, guarded
from stratlint.cli.options import debug_option, format_option
from stratlint.config import resolve_settings
from stratlint.engine import lint, relative_path
from stratlint.release import build_checklist, find_release, release_nodes
from stratlint.report.gate import render_json, render_text


@cli.command()
@click.argument("release")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@format_option()
@debug_option
def gate(release: str, path: Path | None, output_format: str, debug: bool) -> None:
    """Go/no-go for RELEASE (a release id, or the release file) in the strategy at PATH.

    Prints a checklist: each shipped roadmap item, its launch messages and enablement plays,
    their status, and what blocks them. Exit 0 when the release is clean, 1 when anything
    blocks it, 2 when there is no such release. Meant to be a required CI check."""
    settings = guarded(lambda: resolve_settings(path, use_baseline=False), debug)
    result = guarded(lambda: lint(settings), debug)
    candidate = Path(release)
    wanted_path = relative_path(candidate.resolve(), result.repo_root) if candidate.is_file() else None
    node = find_release(result.graph, release, wanted_path)
    broken = next((item for item in result.graph.loaded if item.path == wanted_path and item.model is None), None)
    if node is None and broken is not None:
        click.echo(f"Release file {broken.path} cannot be read, so the release cannot go out.\nNO-GO:")
        for problem in broken.problems:
            click.echo(f"  {broken.path}:{problem.line}:{problem.column}: {problem.message}")
        sys.exit(EXIT_FINDINGS)
    if node is None:
        known = ", ".join(sorted(n.id for n in release_nodes(result.graph))) or "none"
        click.echo(f"stratlint: no release '{release}' in {settings.root} (releases: {known}).", err=True)
        sys.exit(EXIT_ERROR)
    checklist = build_checklist(result.diagnostics, result.graph, node)
    click.echo((render_json if output_format == "json" else render_text)(checklist), nl=False)
    sys.exit(EXIT_CLEAN if checklist.go else EXIT_FINDINGS)
