"""A policy rule compiled into a Rule: the class the engine runs, as it runs built-in ones.

Each of the organisation's rules becomes one Rule class with its code, name, summary,
explanation, severity and stage: a ``FileRule`` when every check looks at one entry and what
it references, a ``StrategyRule`` when one needs the whole strategy (``cited_by``, ``count``
of entries, ``unique_within: strategy``). Its findings are ordinary diagnostics: the engine
applies selection, severity overrides, suppressions and the baseline to them, and reporters
show them with their rule's metadata.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from stratlint.custom.checks import Checks, EntryCheck, Finding, compile_checks, texts
from stratlint.custom.model import PolicyRule
from stratlint.custom.select import PolicyProblem, Selection, field_value, shown_value
from stratlint.diagnostics import Diagnostic, RuleInfo, Severity, Span, Stage
from stratlint.graph import Artifact, FileView, Graph, Node
from stratlint.model import NodeType
from stratlint.rules.base import FileRule, Rule, StrategyRule, capitalized

# -- message templates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """A message with {placeholders}: only plain names, filled with text. No attribute, index,
    conversion or format spec is read, so a template can never reach into anything."""

    parts: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str, allowed: frozenset[str], loc: tuple[str | int, ...]) -> Template:
        parts: list[tuple[str, str | None]] = []
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as error:
            raise PolicyProblem(loc, f"the message cannot be read: {error}; write {{{{ and }}}} for braces") from None
        for literal, name, spec, conversion in parsed:
            if name is None:
                parts.append((literal, None))
                continue
            if spec or conversion or not name.isidentifier():
                raise PolicyProblem(loc, f"'{{{name}}}' is not a placeholder; write a name alone, e.g. {{label}}")
            if name not in allowed:
                raise PolicyProblem(
                    loc,
                    f"the message names '{{{name}}}', which this rule does not fill; use {', '.join(sorted(allowed))}",
                )
            parts.append((literal, name))
        return cls(tuple(parts))

    def fill(self, values: Mapping[str, str]) -> str:
        return "".join(literal + (values.get(name, "") if name is not None else "") for literal, name in self.parts)


def _default(text: str) -> Template:
    return Template(tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(text)))


_NAME_FIELDS = ("name", "headline", "title", "statement", "objection", "question", "domain")


def display_name(node: Node) -> str:
    """What a message's {name} says of ``node``: the first of its name-like texts, or its id."""
    for name in _NAME_FIELDS:
        value = getattr(node.entry, name, None)
        if isinstance(value, str) and value:
            return shown_value(value)
    return node.id


# -- what the rules share in a run ------------------------------------------------------------------------


class NodesByType:
    """What file rules share about the file checked last: its nodes by the types rules ask
    for, and the values of their fields (``TextEnv``). The engine hands each file to every
    file rule in turn, so fifty rules sort a file's nodes, and read its headlines, once."""

    __slots__ = ("_artifact", "_env", "_found", "_live")

    def __init__(self) -> None:
        self._artifact: Artifact | None = None
        self._found: dict[frozenset[NodeType], list[Node]] = {}
        self._live: dict[frozenset[NodeType], list[Node]] = {}
        self._env: TextEnv | None = None

    def of(self, artifact: Artifact, types: frozenset[NodeType]) -> list[Node]:
        """The file's nodes of ``types``."""
        if artifact is not self._artifact:
            self._artifact, self._found, self._live, self._env = artifact, {}, {}, None
        found = self._found.get(types)
        if found is None:
            found = self._found[types] = [node for node in artifact.nodes if node.type in types]
        return found

    def live(self, artifact: Artifact, types: frozenset[NodeType]) -> list[Node]:
        """The file's nodes of ``types`` that are not records (retired, cancelled)."""
        if artifact is not self._artifact:
            self._artifact, self._found, self._live, self._env = artifact, {}, {}, None
        found = self._live.get(types)
        if found is None:
            found = self._live[types] = [node for node in self.of(artifact, types) if not node.record]
        return found

    def env(self, view: FileView, today: datetime.date) -> TextEnv:
        """The field values and texts of the file ``of`` was last asked about."""
        env = self._env
        if env is None or env.today != today or env.text_of is not view:
            env = self._env = TextEnv(today, view)
        return env


class TextEnv:
    """The values of fields, kept for the next rule that asks, and where a word stands in a
    file's text, for a finding that points at the word itself."""

    __slots__ = ("_lines", "_texts", "_values", "text_of", "today")

    def __init__(self, today: datetime.date, text_of: Mapping[str, str] | FileView) -> None:
        self.today = today
        self.text_of = text_of
        """The texts by path, or the one file checked."""
        self._lines: dict[str, list[str]] = {}
        self._values: dict[tuple[int, str], Any] = {}
        self._texts: dict[tuple[int, str], list[tuple[str, str]]] = {}

    def value(self, node: Node, path: str) -> Any:
        key = (id(node), path)
        found = self._values.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._values[key] = field_value(node, path)
        return found

    def texts(self, node: Node, path: str) -> list[tuple[str, str]]:
        key = (id(node), path)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = texts(node, path)
        return found

    def _text(self, path: str) -> str:
        if isinstance(self.text_of, FileView):
            return self.text_of.loaded.text if self.text_of.path == path else ""
        return self.text_of.get(path, "")

    def _lines_of(self, node: Node) -> list[str]:
        path = node.artifact.path
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = self._text(path).split("\n")
        return lines

    def written(self, node: Node, span: Span) -> str | None:
        lines = self._lines_of(node)
        if not span.positioned or span.line != span.end_line or span.line > len(lines):
            return None
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    def locate(self, node: Node, span: Span, pattern: re.Pattern[str], nth: int) -> Span | None:
        lines = self._lines_of(node)
        if not span.positioned or span.line > len(lines):
            return None
        seen = 0
        for number in range(span.line, min(span.end_line, len(lines)) + 1):
            line = lines[number - 1]
            start = span.column - 1 if number == span.line else 0
            end = span.end_column - 1 if number == span.end_line else len(line)
            for found in pattern.finditer(line, start, max(start, end)):
                if seen == nth:
                    return Span(number, found.start() + 1, number, found.end() + 1)
                seen += 1
        return None


_UNSEEN = object()


# -- the compiled rule --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A policy rule, checked and ready: its selection, its checks and its message."""

    spec: PolicyRule
    origin: str
    """Where it is written: 'stratlint.toml:12'."""
    selection: Selection
    checks: Checks
    template: Template | None

    @property
    def strategy_wide(self) -> bool:
        return bool(self.checks.strategy)

    def reads(self) -> frozenset[str]:
        return self.selection.reads() | self.checks.reads


def compile_rule(spec: PolicyRule, origin: str, loc: tuple[str | int, ...]) -> CompiledRule:
    """The rule ``spec`` (written at ``loc`` of its file), compiled; PolicyProblem otherwise."""
    selection = Selection.of_given(spec.given, (*loc, "given"))
    checks = compile_checks(spec.then, selection, loc, origin)
    template = Template.parse(spec.message, checks.placeholders, (*loc, "message")) if spec.message else None
    return CompiledRule(spec, origin, selection, checks, template)


class OrganisationRule(Rule):
    """What every rule compiled from a policy has: its compiled form, and how a finding
    becomes a diagnostic."""

    compiled: ClassVar[CompiledRule]
    shared: ClassVar[NodesByType]

    @classmethod
    def info(cls) -> RuleInfo:
        """What any rule shows of itself, from the policy family, and marked the organisation's own."""
        return dataclasses.replace(super().info(), family="policy", organisation=True)

    @classmethod
    def diagnostic(cls, finding: Finding, root_path: str) -> Diagnostic:
        values: dict[str, str] = {}
        node = finding.node
        selection = cls.compiled.selection
        if node is not None:
            values.update(
                label=node.label,
                Label=capitalized(node.label),
                id=node.id,
                name=display_name(node),
                type=node.type.value,
                kind=node.artifact.kind,
                file=node.artifact.path,
                owner=node.effective_owner or "nobody",
                field=selection.fields[0] if selection.fields else "",
            )
        values.update(finding.values)
        template = cls.compiled.template or _default(finding.default)
        message = template.fill(values)
        if node is None:
            return cls.at_strategy(root_path, message, subject=f"{cls.code}:{finding.about}")
        source_map = node.artifact.source_map
        if finding.pointer:
            pointer = finding.pointer
            span = finding.span or source_map.span(pointer, key=finding.key)
        else:
            pointer, span = node.pointer, node.id_span
        return cls.at(
            node.artifact.path,
            span,
            message,
            pointer=pointer,
            subject=f"{node.id}:{finding.about}",
            related=finding.related,
            fix=finding.fix,
        )


class OrganisationFileRule(OrganisationRule, FileRule):
    """A policy rule whose checks each look at one entry and what it references."""

    kinds: ClassVar[frozenset[str]]
    """The kinds of file that can hold the entries the rule selects: every other file is
    passed over at once (fifty rules meet every file of a large strategy)."""
    plain: ClassVar[bool]
    """The selection is by type and kind alone (see Selection.plain)."""

    types: ClassVar[frozenset[NodeType]]
    entry_checks: ClassVar[tuple[tuple[Callable[[Node], bool], EntryCheck], ...]]
    """Each check's quick test and the check."""

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        artifact = view.artifact
        if artifact is None or artifact.kind not in self.kinds:
            return iter(())
        found = self.evaluate(view, artifact, self.context.today)
        return iter(found) if found else iter(())

    @classmethod
    def chosen(cls, artifact: Artifact, today: datetime.date) -> list[Node]:
        """The entries of the file the rule selects."""
        if cls.plain:
            return cls.shared.live(artifact, cls.types)
        selection = cls.compiled.selection
        return [node for node in cls.shared.of(artifact, cls.types) if selection.matches(node, today)]

    @classmethod
    def evaluate(cls, view: FileView, artifact: Artifact, today: datetime.date) -> list[Diagnostic]:
        """The rule's findings in a file of its kinds."""
        shared = cls.shared
        chosen = cls.chosen(artifact, today)
        if not chosen:
            return []
        found: list[Finding] = []
        env: TextEnv | None = None
        for passes, check in cls.entry_checks:
            for node in chosen:
                if not passes(node):
                    if env is None:
                        env = shared.env(view, today)
                    found += check.check(node, env)
        for unique in cls.compiled.checks.file_unique:
            found += unique.check_all(chosen, None, env or shared.env(view, today))
        return [cls.diagnostic(finding, "") for finding in found] if found else []


class OrganisationPass(FileRule):
    """Every file rule of one policy, in one pass over a file: what the engine runs in their
    place (RuleSet.batched). Its findings are theirs, each under its own rule's code; it has
    none of its own and is not in any list of rules."""

    code = "POLICY"
    name = "organisation-policy"
    summary = "The organisation's file rules, checked in one pass."
    explanation = "Runs the organisation's file rules; each finding is reported under its own rule."
    default_severity = Severity.INFO
    stage = Stage.CONFLICTING_EXECUTION
    members: ClassVar[tuple[type[OrganisationFileRule], ...]] = ()
    by_kind: ClassVar[dict[str, tuple[dict[NodeType, tuple[_Member, ...]], tuple[type[OrganisationFileRule], ...]]]]
    """For each kind of file: the rules that apply to each type of entry, and the rules with
    ``unique_within: file`` (which compare a file's entries with each other)."""

    def _plan(self, kind: str) -> tuple[dict[NodeType, tuple[_Member, ...]], tuple[type[OrganisationFileRule], ...]]:
        plan = self.by_kind.get(kind)
        if plan is None:
            rules = [rule for rule in self.members if kind in rule.kinds]
            by_type: dict[NodeType, list[_Member]] = {}
            for rule in rules:
                for passes, entry_check in rule.entry_checks:
                    for node_type in rule.types:
                        by_type.setdefault(node_type, []).append(
                            (rule, rule.plain, rule.compiled.selection, passes, entry_check)
                        )
            uniques = tuple(rule for rule in rules if rule.compiled.checks.file_unique)
            plan = self.by_kind[kind] = ({t: tuple(found) for t, found in by_type.items()}, uniques)
        return plan

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        artifact = view.artifact
        if artifact is None:
            return iter(())
        by_type, uniques = self._plan(artifact.kind)
        # Entry by entry, every rule that applies to it: this runs for every entry of a large
        # strategy, fifty rules each, so it keeps to local names and one loop.
        today = self.context.today
        env: TextEnv | None = None
        findings: dict[type[OrganisationFileRule], list[Finding]] = {}
        for node in artifact.nodes:
            members = by_type.get(node.type)
            if members is None:
                continue
            record = node.record
            for rule, plain, selection, passes, entry_check in members:
                if plain:
                    if record:
                        continue
                elif not selection.matches(node, today):
                    continue
                if not passes(node):
                    if env is None:
                        env = TextEnv(today, view)
                    found = entry_check.check(node, env)
                    if found:
                        findings.setdefault(rule, []).extend(found)
        for rule in uniques:
            chosen = rule.chosen(artifact, today)
            if chosen:
                if env is None:
                    env = TextEnv(today, view)
                for unique in rule.compiled.checks.file_unique:
                    found = list(unique.check_all(chosen, None, env))
                    if found:
                        findings.setdefault(rule, []).extend(found)
        return iter(self._diagnostics(findings)) if findings else iter(())

    @staticmethod
    def _diagnostics(findings: dict[type[OrganisationFileRule], list[Finding]]) -> list[Diagnostic]:
        return [rule.diagnostic(finding, "") for rule, found in findings.items() for finding in found]


_Member = tuple[type[OrganisationFileRule], bool, Selection, Callable[[Node], bool], EntryCheck]
"""What the one pass reads of each check of a rule: the rule, whether its selection is
plain, the selection, the check's quick test, and the check."""


def one_pass(rules: Sequence[type[Rule]]) -> type[FileRule]:
    """The one file rule that runs every organisation's file rule among ``rules``."""
    members = tuple(rule for rule in rules if issubclass(rule, OrganisationFileRule))
    kinds = frozenset().union(*(rule.kinds for rule in members))
    attributes = {"members": members, "by_kind": {}, "kinds": kinds, "__module__": __name__}
    return type("OrganisationPassOfPolicy", (OrganisationPass,), attributes)


class OrganisationStrategyRule(OrganisationRule, StrategyRule):
    """A policy rule with a check that needs the whole strategy."""

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        compiled = self.compiled
        selection = compiled.selection
        today = self.context.today
        chosen = [node for node in graph.of_type(*sorted(selection.types)) if selection.matches(node, today)]
        env = TextEnv(today, _Texts(graph))
        for check in compiled.checks.entry:
            for node in chosen:
                if not check.passes(node):
                    for finding in check.check(node, env):
                        yield self.diagnostic(finding, graph.root_path)
        for unique in compiled.checks.file_unique:
            for path_nodes in _by_file(chosen):
                for finding in unique.check_all(path_nodes, graph, env):
                    yield self.diagnostic(finding, graph.root_path)
        for strategy_check in compiled.checks.strategy:
            for finding in strategy_check.check_all(chosen, graph, env):
                yield self.diagnostic(finding, graph.root_path)


class _Texts(Mapping[str, str]):
    """The text of each file of the graph, looked up when a finding needs a word's place."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._by_path: dict[str, str] | None = None

    def _texts(self) -> dict[str, str]:
        if self._by_path is None:
            self._by_path = {item.path: item.text for item in self._graph.loaded}
        return self._by_path

    def __getitem__(self, key: str) -> str:
        return self._texts()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts())

    def __len__(self) -> int:
        return len(self._texts())


def _by_file(nodes: Sequence[Node]) -> list[list[Node]]:
    groups: dict[str, list[Node]] = {}
    for node in nodes:
        groups.setdefault(node.artifact.path, []).append(node)
    return list(groups.values())


# -- making the classes ---------------------------------------------------------------------------------------


def _explanation(compiled: CompiledRule) -> str:
    spec = compiled.spec
    parts = []
    if spec.explanation:
        parts.append(spec.explanation.strip())
    elif spec.summary:
        parts.append(spec.summary)
    parts.append(f"The organisation's own rule, from {compiled.origin}.")
    given = spec.given.model_dump(mode="json", exclude_none=True)
    then = spec.then.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    parts.append("Given:\n" + _indented(given) + "\nThen:\n" + _indented(then))
    for example in sorted(spec.examples, key=lambda item: item.good is not None):
        label = "Bad" if example.bad is not None else "Good"
        note = f" ({example.note})" if example.note else ""
        parts.append(f"{label}{note}:\n" + _indented(example.snippet))
    return "\n\n".join(parts)


def _indented(value: Any) -> str:
    text = value if isinstance(value, str) else "\n".join(_block(value))
    return "\n".join("    " + line for line in text.rstrip().split("\n"))


def _block(value: Any, indent: str = "") -> list[str]:
    """Plain data as YAML a reader can copy (a mapping a line a key; lists and mappings of
    plain values on one line). Small and quick: every run describes its rules."""
    if not isinstance(value, dict):
        return [indent + _flow(value)]
    lines = []
    for key, item in value.items():
        if isinstance(item, dict) and not all(_plain(inner) for inner in item.values()):
            lines.append(f"{indent}{key}:")
            lines += _block(item, indent + "  ")
        else:
            lines.append(f"{indent}{key}: {_flow(item)}")
    return lines


def _plain(value: Any) -> bool:
    return not isinstance(value, (dict, list)) or (isinstance(value, list) and all(_plain(item) for item in value))


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    if isinstance(value, str) and (not text or any(c in text for c in ":#{}[],&*!|>'\"%@`") or text != text.strip()):
        return json.dumps(text, ensure_ascii=False)
    return text


def rule_class(compiled: CompiledRule, shared: NodesByType) -> type[Rule]:
    """The Rule class of one compiled policy rule."""
    spec = compiled.spec
    base: type[OrganisationRule] = OrganisationStrategyRule if compiled.strategy_wide else OrganisationFileRule
    attributes: dict[str, Any] = {
        "code": spec.id,
        "name": spec.rule_name,
        "summary": spec.summary
        or f"The organisation's rule on {compiled.selection.words(plural=True)}: {', '.join(spec.then.written())}.",
        "explanation": _explanation(compiled),
        "default_severity": Severity.parse(spec.severity),
        "stage": next(stage for stage in Stage if stage.label == spec.stage),
        "compiled": compiled,
        "shared": shared,
        "__module__": __name__,
        "__doc__": spec.summary or spec.id,
    }
    if compiled.strategy_wide:
        attributes["reads_content_of"] = compiled.reads()
    else:
        attributes["kinds"] = compiled.selection.reads()
        attributes["plain"] = compiled.selection.plain
        attributes["types"] = compiled.selection.types
        attributes["entry_checks"] = tuple(
            (getattr(check, "quick", check.passes), check) for check in compiled.checks.entry
        )
    return type(f"OrganisationRule{spec.id}", (base,), attributes)
