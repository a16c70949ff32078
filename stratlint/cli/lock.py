"""stratlint lock, stratlint review."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from stratlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, cli, guarded
from stratlint.cli.options import debug_option, format_option
from stratlint.config import resolve_settings
from stratlint.drift import LockUpdate, Suspect, suspects, update_lock
from stratlint.engine import LintResult, Settings, StratlintError, lint
from stratlint.fileio import atomic_write
from stratlint.load.lockfile import LOCK_FILENAME, render_lock
from stratlint.report.review import render_review_text, review_document


def _lint_for_lock(path: Path | None) -> tuple[Settings, LintResult]:
    settings = resolve_settings(path, use_baseline=False)
    result = lint(settings)
    lock = result.graph.lock
    if lock is not None and lock.problems:
        first = lock.problems[0]
        raise StratlintError(
            f"{lock.path}:{first.line}: {first.message} The lock file is left as it is until this is fixed."
        )
    return settings, result


def _write(settings: Settings, result: LintResult, update: LockUpdate) -> bool:
    """Write the new lock when it differs. Returns whether it was written."""
    text = render_lock(update.edges, update.snapshots)
    target = settings.root / LOCK_FILENAME
    lock = result.graph.lock
    current = target.read_text(encoding="utf-8") if lock is not None and lock.present else None
    if current == text:
        return False
    atomic_write(target, text)
    return True


def _unreadable(result: LintResult) -> int:
    return sum(1 for item in result.graph.loaded if item.model is None)


def _update(result: LintResult, accept: list[str] | None = None, *, accept_all: bool = False) -> LockUpdate:
    """The lock's update; stamps are pruned only when every file could be read."""
    graph = result.graph
    return update_lock(graph, graph.lock, accept or (), accept_all=accept_all, prune=_unreadable(result) == 0)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@debug_option
def lock(path: Path | None, debug: bool) -> None:
    """Stamp every reference to the strategy that has no review stamp yet (writes PATH/stratlint.lock).

    Suspect references are never re-stamped: their owners accept them with 'stratlint review
    --accept'. Stamps of references that no longer exist are pruned."""

    def run() -> tuple[Path, LockUpdate, bool, int]:
        settings, result = _lint_for_lock(path)
        update = _update(result)
        return settings.root / LOCK_FILENAME, update, _write(settings, result, update), _unreadable(result)

    where, update, written, unreadable = guarded(run, debug)
    click.echo(
        f"{where}: {len(update.edges)} references stamped ({update.added} new, {update.pruned} pruned)"
        f"{'' if written else ', unchanged'}."
    )
    if unreadable:
        click.echo(f"{unreadable} file(s) could not be read; their stamps are kept until they can be.")
    if update.kept_suspect:
        click.echo(
            f"{update.kept_suspect} suspect reference(s) keep their old stamp: run 'stratlint review' to see them."
        )
    sys.exit(EXIT_CLEAN)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--accept", "accept", multiple=True, metavar="ID", help="Re-stamp this entry's suspect references.")
@click.option("--all", "accept_all", is_flag=True, help="Re-stamp every suspect reference.")
@format_option()
@debug_option
def review(path: Path | None, accept: tuple[str, ...], accept_all: bool, output_format: str, debug: bool) -> None:
    """List suspect references, grouped by function and owner; or accept reviewed entries.

    Without options: list them (exit 1 when there are any). With --accept ID (repeatable;
    ids may also be separated by commas) or --all: re-stamp those entries' suspect references
    after their owners have checked them. Only stratlint.lock changes."""
    ids = [part for item in accept for part in item.replace(",", " ").split()]
    settings, result = guarded(lambda: _lint_for_lock(path), debug)
    found = suspects(result.graph)
    if not ids and not accept_all:
        _list(found, result, output_format)
        return
    unknown = sorted(node_id for node_id in set(ids) if node_id not in result.graph.nodes)
    if unknown:
        click.echo(f"stratlint: no entry with id {', '.join(repr(i) for i in unknown)}; nothing accepted.", err=True)
        sys.exit(EXIT_ERROR)
    update = guarded(lambda: _update(result, ids, accept_all=accept_all), debug)
    guarded(lambda: _write(settings, result, update), debug)
    accepted = sorted(
        {s.dependent.id for s in found if accept_all or s.dependent.id in ids or s.function_node.id in ids}
    )
    not_suspect = sorted(set(ids) - {s.dependent.id for s in found} - {s.function_node.id for s in found})
    if output_format == "json":
        document = {"accepted": accepted, "not_suspect": not_suspect, "restamped": update.accepted}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if accepted:
            click.echo(f"Accepted {', '.join(accepted)}: {update.accepted} reference(s) re-stamped.")
        for node_id in not_suspect:
            click.echo(f"'{node_id}' has no suspect reference; nothing to accept.")
        if update.kept_suspect:
            click.echo(f"{update.kept_suspect} suspect reference(s) still wait for review.")
    sys.exit(EXIT_CLEAN)


def _list(found: list[Suspect], result: LintResult, output_format: str) -> None:
    lock = result.graph.lock
    missing = lock is None or not lock.present
    if output_format == "json":
        click.echo(json.dumps(review_document(found, missing_lock=missing), indent=2, ensure_ascii=False))
    else:
        click.echo(render_review_text(found, missing_lock=missing), nl=False)
    sys.exit(EXIT_FINDINGS if found else EXIT_CLEAN)
