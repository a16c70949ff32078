"""stratlint gate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.check import lint
from stratlint.cli import EXIT_CLEAN, EXIT_FINDINGS, cli
from stratlint.cli.options import debug_option, format_option
from stratlint.config import resolve_settings
from stratlint.drift.gate import build_checklist, find_release, unreadable_checklist
from stratlint.drift.release import release_nodes
from stratlint.load.strategy import relative_path
from stratlint.model import NodeType
from stratlint.report.gate import render_json, render_text


@dataclass(frozen=True, slots=True)
class GateRequest:
    release: str
    path: Path | None
    output_format: str
    readiness: bool = False


@cli.command()
@click.argument("release")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@format_option()
@click.option(
    "--readiness",
    is_flag=True,
    help="Check readiness alone, before sign-off: everything but the approvers' go.",
)
@debug_option
def gate(release: str, path: Path | None, output_format: str, readiness: bool) -> int:
    """Go/no-go for RELEASE (a release id, or the release file) in the strategy at PATH.

    Prints a checklist: each shipped roadmap item, its launch messages and enablement plays,
    their status, and what blocks them. Exit 0 when the release is clean, 1 when anything
    blocks it, 2 when there is no such release. Meant to be a required CI check.

    GO needs three things: every approver has said go; every launch message is live and
    every enablement play active; and no finding blocks an item, message or play."""
    return run_gate(GateRequest(release, path, output_format, readiness))


def run_gate(request: GateRequest) -> int:
    settings = resolve_settings(request.path, use_baseline=False)
    result = lint(settings)
    graph = result.graph
    candidate = Path(request.release)
    wanted_path = relative_path(candidate.resolve(), result.repo_root) if candidate.is_file() else None
    node = find_release(graph, request.release, wanted_path)
    if node is not None:
        checklist = build_checklist(result.diagnostics, graph, node, readiness=request.readiness)
    else:
        broken = next((item for item in graph.loaded if item.path == wanted_path and item.model is None), None)
        if broken is None:
            known = ", ".join(sorted(n.id for n in release_nodes(graph.of_type(NodeType.ARTIFACT)))) or "none"
            raise StratlintError(f"no release '{request.release}' in {settings.root} (releases: {known}).")
        checklist = unreadable_checklist(broken)
    click.echo((render_json if request.output_format == "json" else render_text)(checklist), nl=False)
    return EXIT_CLEAN if checklist.go else EXIT_FINDINGS
