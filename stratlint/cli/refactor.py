"""stratlint mv, stratlint split: rename an id everywhere, or split a node into several."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.check import lock_path
from stratlint.analysis.engine import Engine, collector_paused
from stratlint.analysis.settings import Settings
from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import debug_option
from stratlint.config import find_config_file, resolve_settings
from stratlint.drift.lockfile import LOCK_FILENAME
from stratlint.edit.rename import EditRefused, RenamePlan, plan_rename, plan_split
from stratlint.edit.splice import mentions
from stratlint.edit.text import unified_diff
from stratlint.edit.write import write_plan
from stratlint.graph import Graph
from stratlint.load.loader import Loader
from stratlint.load.read import read_bounded
from stratlint.load.strategy import read_strategy, relative_path
from stratlint.load.yaml import parse_yaml
from stratlint.speed.cache import CachedLoader, LoadCache, cache_folder, settings_key
from stratlint.speed.parallel import ForkedLoader


@dataclass(frozen=True, slots=True)
class LoadedStrategy:
    settings: Settings
    repo_root: Path
    """Where the graph's paths are relative to."""
    graph: Graph
    lock_text: str | None
    lock_path: str


_LOCK_MAX_BYTES = 16 * 1024 * 1024


def load_strategy(path: Path | None) -> LoadedStrategy:
    """The strategy at ``path`` (None: the configured root), loaded as fast as ``check`` loads
    it, and its lock's text. No rule runs: an edit needs the files and their references."""
    settings = resolve_settings(path, use_baseline=False)
    strategy = read_strategy(settings.root, settings.repo_root, settings.max_file_size)
    forked = ForkedLoader(settings.jobs, settings.extra_schemas)
    loader: Loader = forked
    folder = cache_folder(strategy.repo_root) if settings.cache else None
    if folder is not None:
        cache = LoadCache.open(folder, settings.root, settings_key(settings))
        if cache is not None:
            loader = CachedLoader(cache, forked)
    graph = Engine(loader).build(strategy)
    lock_file = settings.root / LOCK_FILENAME
    lock_text: str | None = None
    if lock_file.exists():
        raw = read_bounded(str(lock_file), _LOCK_MAX_BYTES)
        if not isinstance(raw, bytes):
            raise StratlintError(f"{lock_path(strategy.root_path)}: {raw.message}")
        try:
            lock_text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise StratlintError(f"{lock_path(strategy.root_path)} is not UTF-8 text; nothing was changed.") from None
    return LoadedStrategy(settings, strategy.repo_root, graph, lock_text, lock_path(strategy.root_path))


def _finish(plan: RenamePlan, loaded: LoadedStrategy, *, dry_run: bool, done: str, would: str) -> int:
    changed = [item for item in plan.files if item.changed]
    if dry_run:
        click.echo(unified_diff(changed), nl=False)
        click.echo(f"{would} (--dry-run: nothing was written).", err=True)
    else:
        try:
            write_plan(plan, loaded.repo_root)
        except EditRefused as error:
            raise StratlintError(str(error)) from None
        click.echo(f"{done}.")
    for note in (*plan.notes, *_config_notes(loaded, plan.old)):
        click.echo(f"Note: {note}", err=dry_run)
    return EXIT_CLEAN


def _config_notes(loaded: LoadedStrategy, old: str) -> list[str]:
    """Where the configuration names ``old``: the organisation's policy may select entries
    by it (a segment). It is not rewritten: whether it means the node is for its author."""
    found = find_config_file(loaded.settings.root)
    if found is None:
        return []
    try:
        text = found.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = sorted({text.count("\n", 0, offset) + 1 for offset in mentions(text, old)})
    if not lines:
        return []
    shown = relative_path(found.resolve(), loaded.repo_root)
    return [
        f"{shown} names '{old}' (line{'s' if len(lines) != 1 else ''} {', '.join(map(str, lines))}); "
        "the policy may select entries by it. It is left as it is: rename it there if it means this node."
    ]


def _summary(plan: RenamePlan, loaded: LoadedStrategy) -> str:
    files = [item for item in plan.files if item.changed and item.path != loaded.lock_path]
    count = plan.references
    locked = any(item.path == loaded.lock_path and item.changed for item in plan.files)
    lock = " and the lock's stamps" if locked else ""
    return (
        f"{'the definition' if plan.references == 0 else 'the definition and'}"
        f"{'' if count == 0 else f' {count} reference' + ('s' if count != 1 else '')}"
        f" in {len(files)} file{'s' if len(files) != 1 else ''}{lock}"
    )


@dataclass(frozen=True, slots=True)
class MvRequest:
    old: str
    new: str
    path: Path | None
    dry_run: bool = False


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the edits as a unified diff and write nothing.")
@debug_option
def mv(old: str, new: str, path: Path | None, dry_run: bool) -> int:
    """Rename the id OLD to NEW everywhere: its definition, every reference to it in every
    file (value, narrative, priority, segment and proof-point fields, replaced_by, release
    plans, governance), and its stamps in stratlint.lock, so nothing becomes suspect.

    Only the id tokens change: quotes, comments, key order and indentation stay as they
    are. Every changed file is read again and must mean what it meant, with the new id,
    before anything is written; then each file is replaced whole, or none is. A NEW that is
    not a valid id or is taken, or an OLD that names nothing, is refused (exit 2).
    """
    return run_mv(MvRequest(old, new, path, dry_run))


def run_mv(request: MvRequest) -> int:
    old, new = request.old, request.new
    # Loading and checking the edits make millions of objects that stay alive: the cyclic
    # collector would walk them again and again for nothing.
    with collector_paused():
        loaded = load_strategy(request.path)
        try:
            plan = plan_rename(loaded.graph, old, new, lock_text=loaded.lock_text, lock_path=loaded.lock_path)
        except EditRefused as error:
            raise StratlintError(f"mv: {error}") from None
    summary = _summary(plan, loaded)
    return _finish(
        plan,
        loaded,
        dry_run=request.dry_run,
        done=f"Renamed '{old}' to '{new}': {summary}",
        would=f"Would rename '{old}' to '{new}': {summary}",
    )


def read_map(path: Path) -> dict[str, str]:
    """A split's map (referrer id -> new id) from a YAML file, or a TOML file when its name
    ends '.toml' (where an id with a dot is a quoted key: "msg.close" = "claim.a")."""
    raw = read_bounded(str(path), 4 * 1024 * 1024)
    if not isinstance(raw, bytes):
        raise StratlintError(f"--map {path}: {raw.message}")
    if path.suffix.lower() == ".toml":
        try:
            data: object = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise StratlintError(f"--map {path}: not valid TOML: {error}") from None
    else:
        parsed = parse_yaml(raw)
        if parsed.problems:
            first = parsed.problems[0]
            raise StratlintError(f"--map {path}:{first.line}: {first.message}")
        data = parsed.data
    if not isinstance(data, Mapping):
        raise StratlintError(f"--map {path}: write the map as 'referrer-id: new-id' lines, one per referrer.")
    found: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            raise StratlintError(
                f'--map {path}: \'{key}\' holds a table; in TOML, quote an id that has a dot: "{key}.…" = "new-id".'
            )
        if not isinstance(key, str) or not isinstance(value, str):
            raise StratlintError(f"--map {path}: '{key}: {value}' is not 'referrer-id: new-id'.")
        found[key] = value
    return found


@dataclass(frozen=True, slots=True)
class SplitRequest:
    old: str
    into: tuple[str, ...]
    map_file: Path | None
    path: Path | None
    dry_run: bool = False


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--into", "into", required=True, metavar="A,B", help="The new ids, separated by commas.")
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML file (or TOML, when its name ends .toml) of 'referrer-id: new-id' lines: which of the new ids "
    "each entry that references OLD is to reference. Without it, the referrers are listed.",
)
@click.option("--dry-run", is_flag=True, help="Print the edits as a unified diff and write nothing.")
@debug_option
def split(old: str, path: Path | None, into: str, map_file: Path | None, dry_run: bool) -> int:
    """Split the node OLD into several: OLD's entry becomes the first id of --into, and a copy
    of it, as written, is added after it for each other id (then edit what each says). Every
    entry that references OLD is pointed at the new id the map names for it; a referrer the
    map does not name is refused, with the list of them: it is never guessed. The lock's
    stamps move with the references.
    """
    ids = tuple(part for part in into.replace(",", " ").split())
    return run_split(SplitRequest(old, ids, map_file, path, dry_run))


def run_split(request: SplitRequest) -> int:
    referrers = read_map(request.map_file) if request.map_file is not None else {}
    old, ids = request.old, request.into
    with collector_paused():
        loaded = load_strategy(request.path)
        try:
            plan = plan_split(loaded.graph, old, ids, referrers, lock_text=loaded.lock_text, lock_path=loaded.lock_path)
        except EditRefused as error:
            raise StratlintError(f"split: {error}") from None
    count = plan.references
    what = f"{count} reference{'s' if count != 1 else ''} re-pointed"
    return _finish(
        plan,
        loaded,
        dry_run=request.dry_run,
        done=f"Split '{old}' into {', '.join(ids)}: {what}",
        would=f"Would split '{old}' into {', '.join(ids)}: {what}",
    )
