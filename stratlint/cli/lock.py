"""stratlint lock, stratlint review."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.check import lint, lock_path
from stratlint.analysis.result import Result
from stratlint.analysis.settings import Settings
from stratlint.cli import EXIT_CLEAN, EXIT_FINDINGS, cli
from stratlint.cli.options import debug_option, format_option
from stratlint.config import resolve_settings
from stratlint.drift.lockfile import LOCK_FILENAME, Lock, render_lock
from stratlint.drift.review import LockUpdate, Review, update_lock
from stratlint.fileio import atomic_write
from stratlint.load.read import read_bounded
from stratlint.report import lock as lock_report
from stratlint.report.review import render_review_text, review_document
from stratlint.vcs import git


@dataclass(frozen=True, slots=True)
class LockRequest:
    path: Path | None
    accept: tuple[str, ...] = ()
    accept_all: bool = False
    output_format: str = "text"
    stage: bool = False


def _lint_for_lock(path: Path | None) -> tuple[Settings, Result, Lock]:
    settings = resolve_settings(path, use_baseline=False)
    result = lint(settings)
    lock = result.lock
    if lock.problems:
        first = lock.problems[0]
        raise StratlintError(
            f"{lock.path}:{first.line}: {first.message} The lock file is left as it is until this is fixed."
        )
    return settings, result, lock


_LOCK_MAX_BYTES = 16 * 1024 * 1024
"""As much of the current lock as is read to compare it (as stratlint.drift.lockfile reads it)."""


def _write(settings: Settings, lock: Lock, update: LockUpdate) -> bool:
    """Write the new lock when it differs. Returns whether it was written; StratlintError,
    naming the file, when it cannot be (a read-only folder, a full disk)."""
    data = render_lock(update.edges, update.snapshots).encode("utf-8")
    target = settings.root / LOCK_FILENAME
    if lock.present and read_bounded(str(target), _LOCK_MAX_BYTES) == data:
        return False
    try:
        atomic_write(target, data)
    except OSError as error:
        raise StratlintError(f"cannot write {target}: {error.strerror or error}") from None
    return True


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--stage",
    is_flag=True,
    help="Also add the lock to git's index when it changes (what the stratlint-lock pre-commit hook runs).",
)
@debug_option
def lock(path: Path | None, stage: bool) -> int:
    """Stamp every reference to the strategy that has no review stamp yet (writes PATH/stratlint.lock).

    Stamping new references is safe to automate: the author wrote each one against today's
    wording. Suspect references are never re-stamped: their owners accept them with
    'stratlint review --accept'. Stamps of references that no longer exist are pruned."""
    return run_lock(LockRequest(path, stage=stage))


def run_lock(request: LockRequest) -> int:
    settings, result, found = _lint_for_lock(request.path)
    hidden = git.hidden_paths(result.repo_root, result.graph.root_path)
    update = update_lock(result.graph, found, hidden=hidden)
    written = _write(settings, found, update)
    if written and request.stage:
        try:
            git.stage(result.repo_root, lock_path(result.graph.root_path))
        except git.GitError as error:
            raise StratlintError(str(error)) from None
    click.echo(lock_report.render_update(settings.root / LOCK_FILENAME, update, written=written), nl=False)
    return EXIT_CLEAN


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--accept", "accept", multiple=True, metavar="ID", help="Re-stamp this entry's suspect references.")
@click.option("--all", "accept_all", is_flag=True, help="Re-stamp every suspect reference.")
@format_option()
@debug_option
def review(path: Path | None, accept: tuple[str, ...], accept_all: bool, output_format: str) -> int:
    """List suspect references, grouped by function and owner; or accept reviewed entries.

    Without options: list them (exit 1 when there are any). With --accept ID (repeatable;
    ids may also be separated by commas) or --all: re-stamp those entries' suspect references
    after their owners have checked them. Only stratlint.lock changes."""
    ids = tuple(part for item in accept for part in item.replace(",", " ").split())
    return run_review(LockRequest(path, ids, accept_all, output_format))


def run_review(request: LockRequest) -> int:
    settings, result, found = _lint_for_lock(request.path)
    suspects = Review(found).suspects(result.graph.edges)
    if not request.accept and not request.accept_all:
        if request.output_format == "json":
            document = review_document(suspects, missing_lock=not found.present)
            click.echo(lock_report.as_json(document), nl=False)
        else:
            click.echo(render_review_text(suspects, missing_lock=not found.present), nl=False)
        return EXIT_FINDINGS if suspects else EXIT_CLEAN
    unknown = sorted(node_id for node_id in set(request.accept) if node_id not in result.graph.nodes)
    if unknown:
        raise StratlintError(f"no entry with id {', '.join(repr(i) for i in unknown)}; nothing accepted.")
    hidden = git.hidden_paths(result.repo_root, result.graph.root_path)
    update = update_lock(result.graph, found, request.accept, accept_all=request.accept_all, hidden=hidden)
    _write(settings, found, update)
    ids = set(request.accept)
    accepted = sorted(
        {s.dependent.id for s in suspects if request.accept_all or s.dependent.id in ids or s.function_node.id in ids}
    )
    not_suspect = sorted(ids - {s.dependent.id for s in suspects} - {s.function_node.id for s in suspects})
    render = lock_report.accepted_json if request.output_format == "json" else lock_report.accepted_text
    click.echo(render(accepted, not_suspect, update), nl=False)
    return EXIT_CLEAN
