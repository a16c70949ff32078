"""The strategy the language server holds in memory: every file on disk, with the editor's
unsaved buffers laid over them, loaded once and kept up to date one file at a time.

What a change re-checks follows the architecture's split between rule kinds:

- a change to a file (each keystroke, debounced by the server) loads that file again,
  swaps it into the graph (``stratlint.lsp.patch``), and runs the file rules on it: its
  findings follow from it and what it references, so nothing else needs loading;
- the strategy-wide rules run on save (``check_strategy``), over the whole graph, buffers
  included; their findings are kept per file until the next save. Between saves they are
  shown where the same YAML node now stands (``relocate``);
- after a save, when no changed file's interface (its kind, ids and references) changed, no
  strategy finding points into one, and none is of a kind whose content strategy rules
  read, the strategy rules' findings stand as they are: the same argument as the
  incremental run's (``stratlint.speed.incremental``), on the same facts.

Every finding goes through the policy, the file's suppression comments and the baseline,
as ``stratlint check`` reports it. Nothing here knows about the protocol: the server
(``stratlint.lsp.server``) turns paths into URIs and findings into LSP diagnostics.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime
import gc
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratlint.analysis.check import context_for, load_lock, lock_path
from stratlint.analysis.engine import Engine
from stratlint.analysis.settings import Settings
from stratlint.analysis.suppressions import apply_suppressions
from stratlint.config import CommandLineOptions, resolve_config
from stratlint.diagnostics import Diagnostic, Span
from stratlint.drift.lockfile import LOCK_FILENAME
from stratlint.graph import FileView
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.discover import YAML_SUFFIXES
from stratlint.load.loader import SerialLoader, Source
from stratlint.load.read import read_bounded
from stratlint.load.source_map import SourceMap
from stratlint.load.strategy import read_strategy, relative_path
from stratlint.lsp.patch import FilePart, assemble, part_of, replace_part
from stratlint.problems import LoadProblem
from stratlint.rules import CheckContext
from stratlint.speed.facts import FileFacts, facts_of
from stratlint.speed.incremental import STRATEGY_KINDS, points_into

KEPT_POSITIONS = 1000
"""How many files not open keep the positions a request built (about 10 KB each for the
benchmark's files): enough for a second look at the same references to answer at once."""

CONFIG_NAMES = frozenset({"stratlint.toml", "pyproject.toml"})
"""Files whose change re-reads the configuration (with the lock and the policy file)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What setting one file's text changed."""

    path: str
    changed: bool
    """False when the text is what the strategy already held."""
    declared: frozenset[str] = frozenset()
    """The ids the file declares, or declared before the change."""
    everywhere: bool = False
    """The change can move findings in any file (a value, narrative, priorities or governance
    file changed, or a file came or went): every open file is checked again."""


@dataclass(slots=True)
class StrategyPass:
    """The strategy rules' last conclusions, and what they were drawn from."""

    findings: tuple[Diagnostic, ...] = ()
    """After the policy, before the suppressions."""
    facts: dict[str, FileFacts] = field(default_factory=dict)
    """Each file's facts when they ran."""
    maps: dict[str, SourceMap] = field(default_factory=dict)
    """The source map, then, of each file a finding points into."""
    ran: bool = False


class LiveStrategy:
    """One strategy root, held in memory. Build it with ``LiveStrategy.open``."""

    def __init__(
        self,
        folder: Path,
        settings: Settings,
        repo_root: Path,
        root_path: str,
        parts: list[FilePart],
        context: CheckContext,
    ) -> None:
        self.folder = folder
        self.settings = settings
        self.repo_root = repo_root
        self.root_path = root_path
        self.parts = parts
        self.where = {part.path: index for index, part in enumerate(parts)}
        self.graph = assemble(parts, root_path)
        self.context = context
        self.engine = Engine(SerialLoader(settings.extra_schemas), settings.policy, settings.rule_set)
        self.buffers: dict[str, bytes] = {}
        """The open editor buffers, by path: what the strategy holds for them, whatever is on disk."""
        self.strategy = StrategyPass()
        self.dirty: set[str] = set()
        """Files changed since the strategy rules last ran."""
        self._kept_positions: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.watched: frozenset[Path] = frozenset()
        """Files besides the configuration files whose change re-reads everything (see ``is_config``)."""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, folder: Path, buffers: Mapping[Path, bytes] | None = None, *, today: datetime.date | None = None
    ) -> LiveStrategy:
        """The strategy of the workspace ``folder``, configured as ``stratlint check`` run there
        is (the nearest stratlint.toml or pyproject.toml, the configured root or ./strategy),
        with ``buffers`` (absolute path to text) laid over the files on disk. Raises
        StratlintError (a configuration error, no strategy folder) as the command does.
        ``today`` pins the day ages and waivers are judged against (tests do)."""
        folder = folder.resolve()
        with contextlib.chdir(folder):
            # The root as 'stratlint check' run here finds it, then configured as 'stratlint
            # check ROOT' is: by the configuration nearest the root (strategy/stratlint.toml).
            found = resolve_config(None, CommandLineOptions())
            config = resolve_config(found.root.resolve(), CommandLineOptions())
            settings = config.settings()
            settings = dataclasses.replace(settings, root=settings.root.resolve(), today=today)
            sources = read_strategy(settings.root, settings.repo_root, settings.max_file_size)
            lock = load_lock(settings, sources.root_path)
        watched = {settings.root / LOCK_FILENAME}
        if config.config_file is not None and config.config_file.policy_file is not None:
            watched.add(config.config_file.policy_file.resolve())
        if config.baseline is not None:
            watched.add(config.baseline.resolve())
        loader = SerialLoader(settings.extra_schemas)
        parts: list[FilePart] = []

        def ready(source: Source, item: LoadedArtifact) -> None:
            item.data = None  # the plain data is the loader's; the model holds what rules read
            parts.append(part_of(item, sources.root_path))

        enabled = gc.isenabled()
        gc.disable()
        try:
            loader.load(sources.sources, ready)
        finally:
            gc.freeze()
            if enabled:
                gc.enable()
        live = cls(folder, settings, sources.repo_root, sources.root_path, parts, context_for(settings, lock))
        live.watched = frozenset(watched)
        for path, text in (buffers or {}).items():
            relpath = live.path_of(path)
            if relpath is not None:
                live.set_text(relpath, text, buffer=True)
        live.check_strategy()
        return live

    # -- paths ---------------------------------------------------------------------------

    @property
    def lock_path(self) -> str:
        """The review lock, relative to the repository root."""
        return lock_path(self.root_path)

    def absolute(self, path: str) -> Path:
        return self.repo_root / path

    def path_of(self, file: Path) -> str | None:
        """``file`` relative to the repository root, when it is a strategy file of this root
        (a YAML file under it, not in a folder whose name starts with '.'), or its lock."""
        try:
            resolved = file.resolve()
            inside = resolved.relative_to(self.settings.root)
        except (OSError, ValueError):
            return None
        if any(part.startswith(".") for part in inside.parts[:-1]):
            return None
        relpath = relative_path(resolved, self.repo_root)
        if relpath in self.where or relpath == self.lock_path:
            return relpath
        return relpath if resolved.name.endswith(YAML_SUFFIXES) else None

    def is_config(self, file: Path) -> bool:
        """A change to ``file`` can change what the strategy is checked with: a stratlint.toml or
        pyproject.toml, the organisation's policy file, the baseline, or the lock."""
        try:
            resolved = file.resolve()
        except OSError:
            return False
        return resolved.name in CONFIG_NAMES or resolved in self.watched

    def __contains__(self, path: str) -> bool:
        return path in self.where

    def paths(self) -> Sequence[str]:
        return [part.path for part in self.parts]

    def part(self, path: str) -> FilePart | None:
        index = self.where.get(path)
        return self.parts[index] if index is not None else None

    # -- changes ---------------------------------------------------------------------------

    def set_text(self, path: str, data: bytes, *, buffer: bool = True) -> Change:
        """The file at ``path`` now holds ``data``: an editor buffer (``buffer``), or the file on
        disk, which a buffer open over it hides."""
        if path == self.lock_path:
            return Change(path, False)
        if buffer:
            self.buffers[path] = data
        elif path in self.buffers:
            return Change(path, False)  # the buffer stands for the file while it is open
        index = self.where.get(path)
        old = self.parts[index] if index is not None else None
        if old is not None and old.loaded.text.encode("utf-8", "surrogatepass") == data:
            return Change(path, False)
        item = load_bytes(data, path, extra_schemas=self.settings.extra_schemas)
        item.data = None
        new = part_of(item, self.root_path)
        self.dirty.add(path)
        if old is None:
            self._add(new)
            return Change(path, True, _declared(new), everywhere=True)
        self.graph = replace_part(self.graph, self.parts, self.where, self.where[path], new)
        kinds = {old.loaded.kind, new.loaded.kind}
        return Change(path, True, _declared(old) | _declared(new), everywhere=bool(kinds & STRATEGY_KINDS))

    def close(self, path: str) -> Change:
        """The buffer over ``path`` is closed: the strategy holds the file on disk again (or
        no file, when it was never saved)."""
        self.buffers.pop(path, None)
        return self.reread(path)

    def reread(self, path: str) -> Change:
        """Read ``path`` from disk again (the editor says it changed there, or was removed)."""
        if path in self.buffers or path == self.lock_path:
            return Change(path, False)
        file = self.absolute(path)
        if not file.exists():
            return self.remove(path)
        raw = read_bounded(str(file), self.settings.max_file_size)
        if isinstance(raw, LoadProblem):
            return self._set_loaded(LoadedArtifact(path, problems=[raw]))
        return self.set_text(path, raw, buffer=False)

    def remove(self, path: str) -> Change:
        index = self.where.get(path)
        if index is None:
            return Change(path, False)
        old = self.parts.pop(index)
        self.where = {part.path: index for index, part in enumerate(self.parts)}
        self.graph = assemble(self.parts, self.root_path)
        self.dirty.add(path)
        return Change(path, True, _declared(old), everywhere=True)

    def _set_loaded(self, item: LoadedArtifact) -> Change:
        new = part_of(item, self.root_path)
        self.dirty.add(item.path)
        if item.path not in self.where:
            self._add(new)
            return Change(item.path, True, _declared(new), everywhere=True)
        old = self.parts[self.where[item.path]]
        self.graph = replace_part(self.graph, self.parts, self.where, self.where[item.path], new)
        return Change(item.path, True, _declared(old) | _declared(new), everywhere=True)

    def _add(self, new: FilePart) -> None:
        """A file the strategy did not hold, in its place in load order (discovery's)."""
        self.parts.append(new)
        self.parts.sort(key=lambda part: str(self.absolute(part.path)).split(os.sep))
        self.where = {part.path: index for index, part in enumerate(self.parts)}
        self.graph = assemble(self.parts, self.root_path)

    # -- findings --------------------------------------------------------------------------

    def check_strategy(self) -> bool:
        """Run the strategy rules over the strategy as it now is, buffers included, unless
        what changed since they last ran cannot change their findings. True when they ran."""
        dirty, self.dirty = self.dirty, set()
        graph = self.graph
        previous = self.strategy
        if previous.ran and not self._may_change(previous, dirty):
            for path in dirty:
                part = self.part(path)
                if part is not None:
                    previous.facts[path] = facts_of(part.loaded, part.artifact)
            return False
        # The collector would walk the strategy again and again for the rules' short-lived
        # objects; nothing is frozen afterwards (a long-running server must free what it replaces).
        enabled = gc.isenabled()
        gc.disable()
        try:
            found = tuple(self.engine.check_strategy(graph, self.context))
        finally:
            if enabled:
                gc.enable()
        into = {d.path for d in found} | {r.path for d in found for r in d.related}
        if previous.ran:
            # Only the files changed since can have other facts.
            facts = previous.facts
            for path in dirty:
                facts.pop(path, None)
            for path in dirty:
                part = self.part(path)
                if part is not None:
                    facts[path] = facts_of(part.loaded, part.artifact)
        else:
            facts = {part.path: facts_of(part.loaded, part.artifact) for part in self.parts}
        maps = {path: part.loaded.source_map for path in into if (part := self.part(path)) is not None}
        self.strategy = StrategyPass(found, facts, maps, ran=True)
        return True

    def _may_change(self, previous: StrategyPass, dirty: set[str]) -> bool:
        reads = frozenset().union(*(rule.reads_content_of for rule in self.engine.rules.strategy_rules))
        if any(points_into(d, dirty) for d in previous.findings):
            return True
        for path in dirty:
            part = self.part(path)
            before = previous.facts.get(path)
            if part is None or before is None:
                return True  # a file came or went
            now = facts_of(part.loaded, part.artifact)
            if now.interface != before.interface or {now.kind, before.kind} & (STRATEGY_KINDS | reads):
                return True
        return False

    def findings(self, path: str) -> list[Diagnostic]:
        """What ``stratlint check`` reports in the file at ``path`` now: its file rules' findings
        on its current text, the strategy rules' from their last run (moved with the text),
        less what its comments silence and what the baseline records."""
        if path == self.lock_path:
            return sorted((d for d in self.strategy.findings if d.path == path), key=Diagnostic.sort_key)
        part = self.part(path)
        if part is None:
            return []
        view = FileView(part.loaded, part.artifact, self.graph)
        found = self.engine.check_files([view], self.context)
        then = self.strategy.maps.get(path)
        now = part.loaded.source_map
        found += [relocate(d, then, now) for d in self.strategy.findings if d.path == path]
        outcome = apply_suppressions(found, [part.loaded], self.engine.policy, self.context.today, self.engine.rules)
        kept = outcome.kept
        if self.settings.baseline is not None:
            kept = self.settings.baseline.split(kept)[0]
        return sorted(kept, key=Diagnostic.sort_key)

    @contextlib.contextmanager
    def transient_positions(self) -> Iterator[Callable[[str], None]]:
        """Positions asked for meanwhile, in files that are not open, are kept for the
        ``KEPT_POSITIONS`` files used last and dropped for the others. A file's positions are
        built from its text when first asked for (its source map is deferred), and a request
        that names thousands of files (the references to a segment, the workspace's symbols)
        would otherwise keep them all, several times the size of the strategy. Dropped ones
        are built again, the same, when next needed. Call the function given with a path once
        done with that file."""
        deferred = {part.path for part in self.parts if part.loaded.source_map.is_deferred}
        kept = self._kept_positions

        def release(path: str) -> None:
            if path not in deferred and path not in kept:
                return
            kept[path] = None
            kept.move_to_end(path)
            while len(kept) > KEPT_POSITIONS:
                self._defer(kept.popitem(last=False)[0])

        try:
            yield release
        finally:
            for path in deferred:
                part = self.part(path)
                if part is not None and not part.loaded.source_map.is_deferred:
                    release(path)

    def _defer(self, path: str) -> None:
        part = self.part(path)
        if part is None or path in self.buffers:
            return
        loaded = part.loaded
        if not loaded.source_map.is_deferred:
            fresh = SourceMap.deferred(loaded.text.encode("utf-8", "surrogatepass"), loaded.text)
            loaded.source_map = fresh
            if part.artifact is not None:
                part.artifact.source_map = fresh

    def elsewhere(self) -> list[Diagnostic]:
        """The strategy rules' findings that stand in no strategy file: in the lock, or about the
        strategy as a whole (at its folder, with no line)."""
        found = [d for d in self.strategy.findings if d.path not in self.where]
        if self.settings.baseline is not None:
            found = self.settings.baseline.split(found)[0]
        return sorted(found, key=Diagnostic.sort_key)

    def all_findings(self) -> list[Diagnostic]:
        """Every finding, as ``stratlint check`` would report them now."""
        found = [d for path in self.where for d in self.findings(path)] + self.elsewhere()
        return sorted(found, key=Diagnostic.sort_key)

    def affected(self, change: Change, paths: Iterable[str]) -> Iterator[str]:
        """Which of ``paths`` (the open files) the change can give other file-rule findings:
        the file itself, and those referencing an id it declares or declared."""
        for path in paths:
            if path == change.path or change.everywhere:
                yield path
                continue
            part = self.part(path)
            if part is not None and any(edge.target_id in change.declared for edge in part.edges):
                yield path


def _declared(part: FilePart) -> frozenset[str]:
    nodes = part.artifact.nodes if part.artifact is not None else ()
    return frozenset(node.id for node in nodes) | part.loaded.declared_ids


_PLACES = ((False, ""), (True, ""), (False, "/id"))
"""Where a finding may stand at its pointer: the value, the key that names it, or (a node's
finding) its id."""


def relocate(diagnostic: Diagnostic, then: SourceMap | None, now: SourceMap) -> Diagnostic:
    """The finding at the place its YAML node now stands, when the file changed since it was
    found: a strategy finding stays where it was made until the next save re-checks it, and
    the lines above it may have moved meanwhile."""
    if then is None or then is now or not diagnostic.span.positioned:
        return diagnostic
    pointer = diagnostic.pointer
    for key, suffix in _PLACES:
        probe = pointer + suffix
        table = then.keys if key else then.values
        if probe in table and Span(*table[probe]) == diagnostic.span:
            moved = (now.keys if key else now.values).get(probe)
            if moved is None:
                return diagnostic
            return dataclasses.replace(diagnostic, span=Span(*moved))
    return diagnostic
