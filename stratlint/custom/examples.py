"""Running a policy rule's examples: what ``stratlint policy test`` does.

Each example is a snippet the rule must pass (``good``) or fail (``bad``). A snippet is an
entry of the type the rule selects, which is put in a file of its kind, or a whole strategy
file; ``with`` adds whole files beside it (a narrative with the proof points a message
cites). The snippet is loaded as any strategy file is, and checked by that one rule alone,
as of the day of the run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from stratlint.custom.model import Example
from stratlint.custom.rules import CompiledRule, OrganisationRule
from stratlint.diagnostics import Diagnostic
from stratlint.graph import build_graph, file_views
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.yaml import parse_yaml
from stratlint.model import KINDS, NodeType, types_in
from stratlint.rules import FileRule, Rule, StrategyRule
from stratlint.rules.context import CheckContext

FOLDER = "policy-example"
"""Where the snippets are said to be, in findings."""

Expected = Literal["good", "bad"]
"""What an example expects of its rule: to pass it (good) or to fail it (bad)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One example, run."""

    code: str
    name: str
    number: int
    """1-based, in the order the rule lists its examples."""
    expected: Expected
    findings: tuple[Diagnostic, ...]
    """The rule's findings in the snippet."""
    problem: str | None = None
    """Why the snippet could not be checked (it does not load)."""
    note: str | None = None

    @property
    def passed(self) -> bool:
        if self.problem is not None:
            return False
        return bool(self.findings) if self.expected == "bad" else not self.findings


def run_examples(rules: Iterable[type[Rule]], today: datetime.date) -> list[Outcome]:
    """Every example of every organisation's rule in ``rules``, in order."""
    outcomes = []
    for rule in rules:
        if not issubclass(rule, OrganisationRule):
            continue
        for number, example in enumerate(rule.compiled.spec.examples, start=1):
            outcomes.append(run_example(rule, number, example, today))
    return outcomes


def run_example(rule: type[OrganisationRule], number: int, example: Example, today: datetime.date) -> Outcome:
    expected: Expected = "bad" if example.bad is not None else "good"
    outcome = Outcome(rule.code, rule.name, number, expected, (), note=example.note)
    snippet_path = f"{FOLDER}/{rule.code.lower()}-{number}.yaml"
    try:
        text = snippet_file(rule.compiled, example.snippet, f"example-{rule.code.lower()}-{number}")
        others = [_whole_file(item) for item in example.with_files]
    except ValueError as reason:
        return _with_problem(outcome, str(reason))
    loaded = [load_bytes(text.encode("utf-8"), snippet_path)]
    for index, other in enumerate(others, start=1):
        loaded.append(load_bytes(other.encode("utf-8"), f"{FOLDER}/with-{index}.yaml"))
    for item in loaded:
        problem = _load_problem(item)
        if problem is not None:
            which = "the snippet" if item is loaded[0] else f"'with' file {loaded.index(item)}"
            return _with_problem(outcome, f"{which} does not load: {problem}")
    graph = build_graph(loaded, FOLDER)
    checker = rule(CheckContext(today))
    found: Iterator[Diagnostic]
    if isinstance(checker, FileRule):
        found = (d for view in file_views(graph) for d in checker.check(view))
    else:
        assert isinstance(checker, StrategyRule)
        found = checker.check(graph)
    findings = tuple(d for d in found if d.path in (snippet_path, FOLDER))
    return Outcome(rule.code, rule.name, number, expected, findings, note=example.note)


def _with_problem(outcome: Outcome, problem: str) -> Outcome:
    return Outcome(outcome.code, outcome.name, outcome.number, outcome.expected, (), problem, outcome.note)


def _load_problem(item: LoadedArtifact) -> str | None:
    if item.model is not None and not item.problems:
        return None
    if not item.problems:
        return "it is not a strategy file"
    problem = item.problems[0]
    return f"line {problem.line}: {problem.message}"


# -- snippets as files -------------------------------------------------------------------------------


def _parsed(snippet: str | Mapping[str, Any]) -> Any:
    if not isinstance(snippet, str):
        return dict(snippet)
    parsed = parse_yaml(snippet.encode("utf-8"))
    if parsed.problems:
        problem = parsed.problems[0]
        raise ValueError(f"the snippet is not valid YAML (line {problem.line}: {problem.message})")
    return parsed.data


def _whole_file(snippet: str | Mapping[str, Any]) -> str:
    data = _parsed(snippet)
    if not isinstance(data, dict) or "kind" not in data:
        raise ValueError("a 'with' file is a whole strategy file, with 'stratlint: 1', 'kind:' and 'id:'")
    return snippet if isinstance(snippet, str) else _dumped(data)


def _dumped(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def containers() -> dict[NodeType, tuple[str, str]]:
    """Each type of entry a file of some kind lists at its top level: (kind, list field)."""
    found: dict[NodeType, tuple[str, str]] = {}
    for kind, model in KINDS.items():
        for name, info in model.model_fields.items():
            for held in types_in(info.annotation):
                node_type = getattr(held, "node_type", None) if isinstance(held, type) else None
                if isinstance(node_type, NodeType):
                    found.setdefault(node_type, (kind, name))
    return found


def snippet_file(compiled: CompiledRule, snippet: str | Mapping[str, Any], file_id: str) -> str:
    """The snippet as a whole strategy file: as it is when it has a kind, else as the one
    entry of a file of the kind that lists the rule's type of entry."""
    data = _parsed(snippet)
    if not isinstance(data, dict):
        raise ValueError("a snippet is a mapping: an entry, or a whole file with 'kind:'")
    if "kind" in data:
        return snippet if isinstance(snippet, str) else _dumped(data)
    holders = containers()
    found = [holders[t] for t in sorted(compiled.selection.types) if t in holders]
    if compiled.selection.kinds:
        found = [item for item in found if item[0] in compiled.selection.kinds]
    if not found:
        raise ValueError(
            "this rule's entries are not listed at the top of a file (a claim sits under a pillar): "
            "write the snippet as a whole file, with 'kind:'"
        )
    kind, field = found[0]
    entry = {"id": "example-entry", **data}
    document: dict[str, Any] = {"stratlint": 1, "kind": kind, "id": file_id}
    model = KINDS[kind]
    for name, info in model.model_fields.items():
        if info.is_required() and name not in document and name != field:
            document[name] = "An example."
    document[field] = [entry]
    return _dumped(document)
