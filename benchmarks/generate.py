"""Synthetic strategy repositories of N artifacts, for benchmarks.

The shape follows a real strategy repository: one value definition, one narrative, one
priorities file and one governance file, then many roadmap, messaging and playbook files
of a few entries each (about 1.2 KB a file), in folders of a few hundred files. References
resolve, so the graph and the rules do real work; a small, fixed share of entries carry
the mistakes people make (a typo in a reference, a missing rationale, an unknown field),
so the reporting paths run too.

The output is a function of (count, seed) only: the same arguments write the same bytes.

    python benchmarks/generate.py OUT --count 10000 [--seed 1] [--git]
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

CORE_FILES = 4
"""value, narrative, priorities and governance: the rest are roadmap, messaging and playbook files."""

FILES_PER_FOLDER = 250

_WORDS = [
    "close",
    "continuous",
    "ledger",
    "audit",
    "cash",
    "revenue",
    "margin",
    "entity",
    "intercompany",
    "forecast",
    "variance",
    "accrual",
    "reconcile",
    "matching",
    "payable",
    "receivable",
    "treasury",
    "consolidation",
    "subledger",
    "approval",
    "evidence",
    "control",
    "policy",
    "workflow",
    "insight",
    "pipeline",
    "renewal",
    "expansion",
    "partner",
    "onboarding",
    "adoption",
    "benchmark",
    "analyst",
    "controller",
    "treasurer",
    "auditor",
    "migration",
    "integration",
    "export",
    "dashboard",
    "mobile",
    "compliance",
    "lease",
    "payroll",
    "inventory",
    "billing",
    "pricing",
    "quota",
    "territory",
]

_OWNERS = ("pm-close", "pm-consolidation", "pm-controls", "pmm-lead", "demand-gen", "sales-enablement", "revops")
_CHANNELS = ("web", "email", "paid social", "webinar", "events", "analyst briefings", "partners", "SDR sequences")
_ROADMAP_STATUS = ("idea", "planned", "in-progress", "shipped", "paused")
_MESSAGE_STATUS = ("draft", "in-review", "live")
_PLAY_STATUS = ("draft", "active")


class _Words:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, count: int) -> list[str]:
        return self.rng.sample(_WORDS, count)

    def slug(self, count: int = 2) -> str:
        return "-".join(self.pick(count))

    def sentence(self, count: int) -> str:
        words = [self.rng.choice(_WORDS) for _ in range(count)]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."


class _Strategy:
    """The ids of the four core files, which every other file references."""

    def __init__(self, words: _Words) -> None:
        def ids(prefix: str, count: int) -> list[str]:
            found: list[str] = []
            while len(found) < count:
                candidate = f"{prefix}-{words.slug()}"
                if candidate not in found:
                    found.append(candidate)
            return found

        self.segments = ids("seg", 10)
        self.reasons = ids("win", 6)
        self.differentiators = ids("diff", 10)
        self.beliefs = ids("belief", 8)
        self.pillars = ids("pillar", 6)
        self.claims = {pillar: ids(f"claim-{index}", 4) for index, pillar in enumerate(self.pillars)}
        self.proof_points = ids("pp", 24)
        self.priorities = ids("prio", 5)
        self.metrics = ids("m", 6)

    @property
    def value_nodes(self) -> list[str]:
        return self.segments + self.reasons + self.differentiators + self.beliefs

    @property
    def narrative_nodes(self) -> list[str]:
        return self.pillars + [claim for claims in self.claims.values() for claim in claims]


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _block(text: str, indent: int) -> str:
    """A folded block scalar, wrapped at about 90 columns."""
    pad = " " * indent
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > 88 - indent:
            lines.append(pad + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(pad + line)
    return ">-\n" + "\n".join(lines)


def _header(kind: str, ident: str, words: _Words, schema: str) -> list[str]:
    rng = words.rng
    return [
        f"# yaml-language-server: $schema={schema}",
        "stratlint: 1",
        f"kind: {kind}",
        f"id: {ident}",
        f"title: {words.sentence(4)[:-1]}",
        f"owner: {rng.choice(_OWNERS)}",
        f"tags: {_flow(words.pick(2))}",
        f"updated: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "",
    ]


def _value(strategy: _Strategy, words: _Words) -> str:
    lines = _header("value", "value", words, "../schemas/value.schema.json")
    lines.append("segments:")
    for ident in strategy.segments:
        lines += [f"  - id: {ident}", f"    name: {words.sentence(3)[:-1]}", f"    pains: [{words.sentence(6)[:-1]}]"]
    for field, node_ids in (
        ("why_we_win", strategy.reasons),
        ("differentiators", strategy.differentiators),
        ("beliefs", strategy.beliefs),
    ):
        lines.append(f"{field}:")
        for ident in node_ids:
            lines += [f"  - id: {ident}", f"    statement: {words.sentence(9)}"]
    return "\n".join(lines) + "\n"


def _narrative(strategy: _Strategy, words: _Words) -> str:
    rng = words.rng
    lines = _header("narrative", "narrative", words, "../schemas/narrative.schema.json")
    lines += [f"thesis: {_block(words.sentence(30), 2)}", "pillars:"]
    for pillar in strategy.pillars:
        lines += [f"  - id: {pillar}", f"    name: {words.sentence(3)[:-1]}", "    claims:"]
        for claim in strategy.claims[pillar]:
            proofs = rng.sample(strategy.proof_points, rng.randint(1, 2))
            lines += [
                f"      - id: {claim}",
                f"        statement: {words.sentence(10)}",
                f"        proof_points: {_flow(proofs)}",
            ]
    lines.append("proof_points:")
    for proof in strategy.proof_points:
        lines += [
            f"  - id: {proof}",
            f"    statement: {words.sentence(12)}",
            f"    source: {words.sentence(3)[:-1]} case study",
            f"    as_of: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        ]
    return "\n".join(lines) + "\n"


def _priorities(strategy: _Strategy, words: _Words) -> str:
    lines = _header("priorities", "priorities", words, "../schemas/priorities.schema.json")
    lines.append("priorities:")
    for index, ident in enumerate(strategy.priorities):
        lines += [f"  - id: {ident}", f"    name: {words.sentence(4)[:-1]}"]
        if index == 0:
            lines.append("    primary: true")
        lines.append(f"    description: {words.sentence(12)}")
    lines.append("questions:")
    for ident, about in (("q-value", "value"), ("q-narrative", "narrative"), ("q-priority", "priority")):
        lines += [f"  - id: {ident}", f"    asks_about: {about}", f"    question: {words.sentence(10)[:-1]}?"]
    return "\n".join(lines) + "\n"


def _governance(strategy: _Strategy, words: _Words) -> str:
    rng = words.rng
    lines = _header("governance", "governance", words, "../schemas/governance.schema.json")
    lines.append("decision_rights:")
    for index in range(6):
        lines += [
            f"  - id: dr-{words.slug()}-{index}",
            f"    domain: {words.sentence(3)[:-1]}",
            f"    decides: {rng.choice(_OWNERS)}",
            f"    consulted: {_flow(rng.sample(_OWNERS, 2))}",
            f"    tie_break: {words.sentence(12)}",
        ]
    lines.append("handoffs:")
    for index, (source, target) in enumerate((("marketing", "sales"), ("sales", "customer-success"))):
        lines += [
            f"  - id: ho-{source}-{target}-{index}",
            f"    name: {words.sentence(4)[:-1]}",
            f"    from_function: {source}",
            f"    to_function: {target}",
            f"    entry_criteria: {_flow([words.sentence(4)[:-1], words.sentence(3)[:-1]])}",
        ]
    lines.append("metrics:")
    for index, ident in enumerate(strategy.metrics):
        lines += [
            f"  - id: {ident}",
            f"    name: {words.sentence(3)[:-1]}",
            f"    serves: {strategy.priorities[index % len(strategy.priorities)]}",
        ]
        if index % 3 == 1:
            lines += [
                "    conflicts:",
                f"      - metric: {strategy.metrics[index - 1]}",
                f"        winner: {strategy.metrics[index - 1]}",
                f"        reason: {words.sentence(8)}",
            ]
    return "\n".join(lines) + "\n"


_INITIATIVE_KINDS = (
    # kind, folder, entries field, id prefix
    ("roadmap", "product", "items", "rm"),
    ("messaging", "marketing", "messages", "msg"),
    ("playbook", "sales", "plays", "play"),
)


def _typo(ident: str) -> str:
    """A near miss of ``ident``, as a person would type it: two letters swapped."""
    middle = len(ident) // 2
    return ident[: middle - 1] + ident[middle] + ident[middle - 1] + ident[middle + 1 :]


def _initiative_file(number: int, strategy: _Strategy, words: _Words) -> tuple[str, str]:
    """(relative path, text) of the ``number``-th initiative file."""
    rng = words.rng
    kind, folder, field, prefix = _INITIATIVE_KINDS[number % 3]
    ident = f"{kind}.{number:06d}"
    subfolder = f"area-{number // FILES_PER_FOLDER:03d}"
    lines = _header(kind, ident, words, "../../../schemas/" + kind + ".schema.json")
    lines.append(f"{field}:")
    for index in range(rng.choice((1, 2, 2))):
        entry_id = f"{prefix}-{number:06d}-{index}"
        value = rng.sample(strategy.value_nodes, rng.randint(1, 2))
        narrative = rng.sample(strategy.narrative_nodes, rng.randint(1, 2))
        priority = strategy.priorities[0] if rng.random() < 0.7 else rng.choice(strategy.priorities)
        segments = rng.sample(strategy.segments, rng.randint(1, 2))
        # A small, fixed share of the mistakes people make.
        roll = rng.random()
        if roll < 0.004:
            narrative[0] = _typo(narrative[0])
        elif roll < 0.006:
            segments[0] = f"seg-{words.slug()}"
        lines.append(f"  - id: {entry_id}")
        if kind == "roadmap":
            lines += [
                f"    title: {words.sentence(5)[:-1]}",
                f"    status: {rng.choice(_ROADMAP_STATUS)}",
                f"    horizon: {rng.choice((2026, 2027))}-Q{rng.randint(1, 4)}",
                f"    owner: {rng.choice(_OWNERS)}",
            ]
        elif kind == "messaging":
            lines += [
                f"    headline: {words.sentence(6)[:-1]}",
                f"    channels: {_flow(rng.sample(_CHANNELS, 2))}",
                f"    status: {rng.choice(_MESSAGE_STATUS)}",
                f"    proof_points: {_flow(rng.sample(strategy.proof_points, 1))}",
            ]
        else:
            lines += [
                f"    name: {words.sentence(4)[:-1]}",
                f"    trigger: {words.sentence(8)}",
                f"    status: {rng.choice(_PLAY_STATUS)}",
            ]
        lines += [
            f"    segments: {_flow(segments)}",
            f"    value: {_flow(value)}",
            f"    narrative: {_flow(narrative)}",
            f"    priority: {priority}",
            "    rationale:",
        ]
        if roll > 0.03:
            lines.append(f"      value: {words.sentence(10)}")
        lines.append(f"      narrative: {words.sentence(8)}")
        if roll < 0.97:  # the priorities ask about the priority too; a few leave it unanswered
            lines.append(f"      priority: {words.sentence(8)}")
        lines.append(f"    tags: {_flow(words.pick(2))}")
        if roll > 0.998:
            lines.append(f"    {words.pick(1)[0]}: {words.sentence(3)}")
        if index == 0:
            lines += ["    links:", f"      - url: {prefix.upper()}-{number}", "        type: ticket"]
    return f"{folder}/{subfolder}/{kind}-{number:06d}.yaml", "\n".join(lines) + "\n"


def generate_files(count: int, seed: int = 1) -> dict[str, str]:
    """The files of a strategy of ``count`` artifacts: relative path -> text."""
    if count < CORE_FILES:
        raise ValueError(f"a strategy needs at least {CORE_FILES} artifacts")
    words = _Words(random.Random(seed))
    strategy = _Strategy(words)
    files = {
        "value.yaml": _value(strategy, words),
        "narrative.yaml": _narrative(strategy, words),
        "priorities.yaml": _priorities(strategy, words),
        "governance.yaml": _governance(strategy, words),
    }
    for number in range(count - CORE_FILES):
        path, text = _initiative_file(number, strategy, words)
        files[path] = text
    return files


POLICY_RULES = 50
"""How many of the organisation's rules the benchmark's policy holds."""


def _policy_rule(number: int, given: str, then: str, severity: str = "warning") -> str:
    return (
        f'[[policy.rules]]\nid = "BENCH{number:03d}"\nseverity = "{severity}"\n'
        f"given = {{ {given} }}\nthen = {{ {then} }}\n"
    )


def policy_config(count: int = POLICY_RULES) -> str:
    """A stratlint.toml with ``count`` policy rules, the kinds an organisation writes, over
    the generated strategy: word lists, lengths, patterns, required fields, allowed values,
    what an entry cites and who cites it, counts and unique values; file rules most of them,
    a few strategy-wide. Like a maintained policy on a maintained strategy, they find little:
    the benchmark measures what checking costs, not what reporting a flood of findings does."""
    kinds = (("message", "headline"), ("play", "name"), ("roadmap item", "title"))
    channels = ", ".join(f'"{channel}"' for channel in _CHANNELS)
    owners = ", ".join(f'"{owner}"' for owner in _OWNERS)
    templates = [
        lambda t, f, i: (
            f'type = "{t}", field = "{f}"',
            f'forbid_words = ["best-in-class", "world-class {i}", "synergy"]',
        ),
        lambda t, f, i: (f'type = "{t}", field = "{f}"', f"max_length = {{ chars = {200 + i}, words = {40 + i} }}"),
        lambda t, f, i: (f'type = "{t}", field = "{f}"', "min_length = { words = 1 }"),
        lambda t, f, i: (f'type = "{t}", field = "id"', 'pattern = { match = "^(rm|msg|play)-[0-9]+-[0-9]$" }'),
        lambda t, f, i: (f'type = "{t}", field = "{f}"', 'pattern = { not_match = "(?i)lorem ipsum|TODO" }'),
        lambda t, f, i: (f'type = "{t}", field = "owner"', "required = true"),
        lambda t, f, i: (f'type = "{t}", field = "rationale.narrative"', "required = true"),
        lambda t, f, i: (f'type = "{t}", field = "tags"', "count = { max = 8 }"),
        lambda t, f, i: (
            f'type = "{t}", where = {{ owner = "set" }}',
            f'cites = {{ type = ["segment", "reason", "differentiator", "belief"], field = "value", '
            f"min = 1, max = {4 + i % 3} }}",
        ),
        lambda t, f, i: (f'type = "{t}"', 'cites = { type = ["pillar", "claim"], field = "narrative", min = 1 }'),
    ]
    rules = []
    for number in range(min(len(templates) * len(kinds), count)):
        template = templates[number % len(templates)]
        node_type, field = kinds[(number // len(templates)) % len(kinds)]
        given, then = template(node_type, field, number)
        rules.append(_policy_rule(number + 1, given, then))
    extra = [
        ('type = "artifact", kind = ["roadmap", "messaging", "playbook"], field = "title"', "max_length = 120"),
        ('type = "artifact", field = "owner"', "required = true"),
        ('type = "artifact", field = "tags"', "count = { max = 10 }"),
        ('type = "artifact", field = "updated"', 'pattern = "^20[0-9][0-9]-"'),
        ('type = "proof point", field = "source"', "required = true"),
        ('type = "claim"', 'cites = { type = "proof point", field = "proof_points", min = 1 }'),
        ('type = "segment", field = "pains"', "count = { min = 1 }"),
        ('type = "priority", field = "name"', "max_length = 80"),
        ('type = "message", status = "live", field = "headline"', 'forbid_words = ["cheap", "bargain"]'),
        ('type = "play", status = "active", field = "trigger"', "min_length = { words = 3 }"),
        ('type = "message", field = "channels"', f"enum = [{channels}]"),
        ('type = "message", field = "channels"', "count = { max = 4 }"),
        (
            'type = "message", status = "live"',
            'cites = { type = "proof point", where = { as_of = { within = "50 years" } } }',
        ),
        ('type = "roadmap item", field = "owner"', f"enum = [{owners}]"),
        ('type = "message", tag = "legal", field = "headline"', 'required_words = ["Acme"]'),
        ('type = "play", status = "active", field = "trigger"', "required = true"),
        ('type = "claim"', 'cited_by = { type = ["message", "play", "roadmap item"], field = "narrative" }'),
        ('type = "pillar"', "count = { max = 12 }"),
        ('type = "segment", field = "name"', 'unique_within = "strategy"'),
        ('type = "claim", field = "statement"', 'unique_within = "strategy"'),
    ]
    for given, then in extra[: max(0, count - len(rules))]:
        rules.append(_policy_rule(len(rules) + 1, given, then))
    return 'root = "strategy"\n\n' + "\n".join(rules)


def generate(out: Path, count: int, seed: int = 1, *, git: bool = False) -> Path:
    """Write a repository holding ``strategy/`` with ``count`` artifacts under ``out``;
    returns the strategy folder. With ``git``, ``out`` becomes a git repository."""
    strategy = out / "strategy"
    for relpath, text in generate_files(count, seed).items():
        path = strategy / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if git and not (out / ".git").exists():
        # Committed, as a real strategy repository is: discovery then lists the tracked
        # files through git, which is the path a benchmark should measure.
        subprocess.run(["git", "init", "-q", str(out)], check=True)
        identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", "-C", str(out), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(out), *identity, "commit", "-q", "-m", "generated"], check=True)
    return strategy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (a strategy/ folder is created inside)")
    parser.add_argument("--count", type=int, default=1000, help="number of artifacts (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--git", action="store_true", help="make the folder a git repository, files committed")
    args = parser.parse_args()
    strategy = generate(args.out, args.count, args.seed, git=args.git)
    print(f"wrote {args.count} artifacts under {strategy}")


if __name__ == "__main__":
    main()
