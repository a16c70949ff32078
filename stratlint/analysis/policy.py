"""Which findings count, and how much: selection, severity overrides, per-path ignores.

A small pure object, decided per diagnostic: the most
specific selector wins (a full code or a name, then longer code prefixes, then ALL), and on a
tie, ignore beats select and a later severity entry beats an earlier one. An opt-in rule
(one that would report on strategies written before it) is selected only by its code or
name: neither ALL nor a prefix turns it on.

Per-path ignores match the path from the repository root with git's wildcard rules (the
pathspec library, as .gitignore reads them): ``*`` stays within a folder, ``**`` spans any
number of folders (``strategy/**/*.yaml`` matches ``strategy/governance.yaml``), a pattern
without a ``/`` matches at any depth, and a pattern that matches a folder covers what is in it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.rules import OPT_IN

EXACT = 100
"""How strongly a rule's own code or name selects it: more than any prefix."""


def selector_strength(selector: str, code: str, name: str) -> int:
    """How specifically ``selector`` matches the rule: 0 for no match, more is more specific."""
    if selector.upper() == "ALL":
        return 1
    if selector.lower() == name or selector.upper() == code:
        return EXACT
    if code.startswith(selector.upper()):
        return 1 + len(selector)
    return 0


@dataclass(frozen=True, slots=True)
class Policy:
    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    opt_in: tuple[str, ...] = OPT_IN
    """The codes of the opt-in rules, which only their code or name selects."""

    def enabled(self, code: str, name: str) -> bool:
        strengths = (selector_strength(s, code, name) for s in (*self.select, *self.extend_select))
        if code in self.opt_in:
            strengths = (strength for strength in strengths if strength == EXACT)
        chosen = max(strengths, default=0)
        ignored = max((selector_strength(s, code, name) for s in self.ignore), default=0)
        return chosen > 0 and chosen > ignored

    def severity_of(self, code: str, name: str, default: Severity) -> Severity:
        best, result = 0, default
        for selector, severity in self.severity.items():
            strength = selector_strength(selector, code, name)
            if strength and strength >= best:  # on a tie, the later entry (the command line's) wins
                best, result = strength, severity
        return result

    def ignored_at(self, path: str, code: str, name: str) -> bool:
        return any(
            path_matcher(pattern)(path) and any(selector_strength(s, code, name) for s in selectors)
            for pattern, selectors in self.per_path_ignores.items()
        )

    def apply(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        kept = []
        for diagnostic in diagnostics:
            if not self.enabled(diagnostic.code, diagnostic.name):
                continue
            if self.ignored_at(diagnostic.path, diagnostic.code, diagnostic.name):
                continue
            severity = self.severity_of(diagnostic.code, diagnostic.name, diagnostic.severity)
            kept.append(diagnostic if severity is diagnostic.severity else replace(diagnostic, severity=severity))
        return kept


@functools.lru_cache(maxsize=256)
def path_matcher(pattern: str) -> Callable[[str], bool]:
    """Whether a path from the repository root matches ``pattern``, by git's wildcard rules."""
    import pathspec  # only runs that configure per-path ignores pay for it

    return pathspec.GitIgnoreSpec.from_lines([pattern]).match_file
