"""The suppression step: after every rule has run and the policy has chosen what counts,
drop the findings that a '# stratlint:' comment silences, and report the comments that
silence nothing, name unknown rules, cannot be read, or are waivers past their date
(SL901-SL904, at the comment). The loader found the comments (stratlint.load.suppressions);
this step knows the rules and the findings, so only it can tell what each comment did.

A waiver (a suppression with until=) silences nothing after its date, and is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from stratlint.analysis.policy import Policy
from stratlint.diagnostics import Diagnostic, Span
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.source_map import RawSpan
from stratlint.load.suppressions import SuppressionComment, find_comments
from stratlint.rules import lookup
from stratlint.rules.suppression import (
    ExpiredWaiver,
    MalformedSuppression,
    UnknownSuppressionCode,
    UnusedSuppression,
)


@dataclass(frozen=True, slots=True)
class SuppressedCode:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Suppression(SuppressionComment):
    """One '# stratlint:' comment of a file, its codes resolved to rules."""

    path: str = ""
    codes: tuple[SuppressedCode, ...] = ()
    unknown: tuple[tuple[str, int], ...] = ()
    """Codes that name no rule, with their column."""

    def active(self, today: date) -> bool:
        return self.problem is None and (self.until is None or today <= self.until)

    def covers(self, diagnostic: Diagnostic) -> bool:
        return (self.file_wide or self.target == diagnostic.line) and any(c.code == diagnostic.code for c in self.codes)


def resolve(path: str, comment: SuppressionComment) -> Suppression:
    """The comment with each code or name it lists resolved to a rule."""
    codes: list[SuppressedCode] = []
    unknown: list[tuple[str, int]] = []
    for token, column in comment.tokens:
        rule = lookup(token)
        if rule is None:
            unknown.append((token, column))
        elif all(c.code != rule.code for c in codes):
            codes.append(SuppressedCode(rule.code, rule.name))
    written = {item.name: getattr(comment, item.name) for item in fields(comment)}
    return Suppression(**written, path=path, codes=tuple(codes), unknown=tuple(unknown))


def parse_suppressions(path: str, text: str, values: Mapping[str, RawSpan] | None = None) -> list[Suppression]:
    """Every '# stratlint:' comment in ``text``, resolved. Never raises."""
    return [resolve(path, comment) for comment in find_comments(text, values)]


@dataclass(slots=True)
class SuppressionOutcome:
    kept: list[Diagnostic]
    """The findings that still count, including those about the suppressions themselves."""
    waived: list[Diagnostic] = field(default_factory=list)
    """Findings silenced by an unexpired waiver (a suppression with until=): they still
    count against the alignment score."""


def apply_suppressions(
    diagnostics: Iterable[Diagnostic], loaded: Iterable[LoadedArtifact], policy: Policy, today: date
) -> SuppressionOutcome:
    """Drop the findings that a comment silences (``diagnostics`` are the policy's choice
    already); report the comments that silence nothing, name unknown rules, cannot be read,
    or are waivers past their date. The policy chooses among those findings too, and a
    comment may silence them ('disable-file=unknown-suppression-code')."""
    step = _Step(loaded, today)
    kept = [diagnostic for diagnostic in diagnostics if not step.silence(diagnostic)]
    # Only once the rules' findings are silenced is it known which codes a comment used;
    # findings about unreadable or unknown codes may be silenced before that count is made.
    kept += [d for d in policy.apply(step.broken()) if not step.silence(d)]
    kept += [d for d in policy.apply(step.unused(policy)) if not step.silence(d)]
    return SuppressionOutcome(kept, step.waived)


class _Step:
    def __init__(self, loaded: Iterable[LoadedArtifact], today: date) -> None:
        self.today = today
        self.loaded = {artifact.path: artifact for artifact in loaded}
        self.by_path: dict[str, list[Suppression]] = {}
        for path, artifact in self.loaded.items():
            found = [resolve(path, comment) for comment in artifact.comments]
            if found:
                self.by_path[path] = found
        self.used: set[tuple[int, str]] = set()
        self.waived: list[Diagnostic] = []

    def silence(self, diagnostic: Diagnostic) -> bool:
        candidates = [s for s in self.by_path.get(diagnostic.path, ()) if s.active(self.today) and s.covers(diagnostic)]
        if not candidates:
            return False
        # The line's own comment before a file-wide one, so the line's comment counts as used.
        chosen = min(candidates, key=lambda s: s.file_wide)
        self.used.add((id(chosen), diagnostic.code))
        if chosen.until is not None:
            self.waived.append(diagnostic)
        return True

    def broken(self) -> list[Diagnostic]:
        """Comments that cannot be read, name unknown rules, or are waivers past their date."""
        found: list[Diagnostic] = []
        for path, suppressions in self.by_path.items():
            for s in suppressions:
                if s.problem is not None:
                    found.append(
                        MalformedSuppression.at(
                            path, s.span, f"The suppression cannot be read: {s.problem}.", subject=s.text
                        )
                    )
                    continue
                for code, column in s.unknown:
                    span = Span(s.span.line, column, s.span.line, column + len(code))
                    found.append(
                        UnknownSuppressionCode.at(
                            path,
                            span,
                            f"The suppression names '{code}', which is not a rule; it silences nothing. "
                            "Write a rule's code or name ('stratlint rules' lists them).",
                            subject=f"{s.text}:{code}",
                        )
                    )
                if not s.active(self.today) and s.until is not None:
                    found.append(_expired(path, s))
        return found

    def unused(self, policy: Policy) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for path, suppressions in self.by_path.items():
            if self.loaded[path].model is None:
                # Most rules could not look at a file that did not load, so a suppression
                # there cannot be told unused.
                continue
            for s in suppressions:
                if not s.active(self.today) or any(c.code == UnusedSuppression.code for c in s.codes):
                    continue  # (a comment that silences its own unused-suppression finding)
                unused = [
                    c
                    for c in s.codes
                    if (id(s), c.code) not in self.used
                    # A rule that is not enabled here could not have matched anything.
                    and policy.enabled(c.code, c.name)
                    and not policy.ignored_at(path, c.code, c.name)
                ]
                if unused:
                    found.append(_unused(path, s, unused))
        return found


def _expired(path: str, s: Suppression) -> Diagnostic:
    owner = f"owned by {s.owner}" if s.owner else "with no owner"
    codes = ", ".join(c.name for c in s.codes) or "nothing"
    return ExpiredWaiver.at(
        path,
        s.span,
        f"The waiver for {codes}, {owner}, expired on {s.until.isoformat() if s.until else ''}; the findings it "
        f"hid are reported again. Fix them and delete the comment, or agree a new date"
        f"{' with ' + s.owner if s.owner else ''} and change 'until='.",
        subject=s.text,
    )


def _unused(path: str, s: Suppression, unused: Sequence[SuppressedCode]) -> Diagnostic:
    names = ", ".join(c.name for c in unused)
    where = "in this file" if s.file_wide else "on this line"
    return UnusedSuppression.at(
        path,
        s.span,
        f"The suppression of {names} matches no finding {where}; delete "
        f"{'it' if len(unused) == len(s.codes) else 'those codes'}.",
        subject=f"{s.text}:{','.join(c.code for c in unused)}",
    )
