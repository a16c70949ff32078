"""The strategy files ``stratlint init`` writes, from the company's name, its segments and
its pillars.

The files hold one of everything, wired together so that the strategy checks clean: every
segment, reason, differentiator, belief, pillar and claim is cited by the roadmap item, the
message and the play; every claim has a proof point; the release ships the item with the
message and the play. Each file opens with guidance, in plain words, for whoever owns it.

Names typed by a person go into the files as YAML text whatever they hold (quotes, colons,
'#'); each id is derived from its name (``slug``), and each file is written as ``stratlint
format`` writes it.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from stratlint.format import NotFormatted, format_text
from stratlint.model import KINDS
from stratlint.model.common import ID_PATTERN

STRATEGY_FOLDER = "strategy"
RELEASE_FILE = f"{STRATEGY_FOLDER}/releases/first-launch.yaml"

_ID = re.compile(ID_PATTERN)
_SLUG_LIMIT = 40


@dataclass(frozen=True, slots=True)
class Answers:
    """What ``stratlint init --interactive`` asks for."""

    company: str
    segments: tuple[str, ...]
    pillars: tuple[str, ...]


DEFAULT = Answers("Example Co", ("Our core segment",), ("Our first pillar", "Our second pillar"))
"""What a scaffold holds when nobody was asked: placeholders to rename."""


def slug(name: str) -> str:
    """An id-safe form of ``name``: lowercase ASCII letters and digits joined by dashes
    ('Mid-market finance teams' gives 'mid-market-finance-teams', 'Café' 'cafe'); '' when
    nothing of it is left."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(words) > _SLUG_LIMIT:
        cut = words[:_SLUG_LIMIT]
        words = cut[: cut.rfind("-")] if "-" in cut else cut
    return words


def derive_ids(prefix: str, names: Iterable[str], fallback: str) -> list[str]:
    """One id per name: ``prefix`` and the name's slug, or ``fallback`` and a number when
    nothing of the name is left; a second name with the same slug gets '-2', and so on."""
    ids: list[str] = []
    for number, name in enumerate(names, start=1):
        base = f"{prefix}.{slug(name) or f'{fallback}-{number}'}"
        candidate, count = base, 1
        while candidate in ids:
            count += 1
            candidate = f"{base}-{count}"
        assert _ID.match(candidate), candidate
        ids.append(candidate)
    return ids


@dataclass(frozen=True, slots=True)
class Plan:
    """The names and ids the files are written from."""

    company: str
    segments: list[tuple[str, str]]
    """(id, name) of each segment."""
    pillars: list[tuple[str, str, str, str]]
    """(pillar id, name, claim id, proof point id) of each pillar."""
    today: datetime.date

    @property
    def primary_segment(self) -> str:
        """The name of the first segment: the one the primary growth priority is to win."""
        return self.segments[0][1]

    @property
    def quarter(self) -> tuple[int, int]:
        """The year and quarter after today's: when the first release goes out."""
        year, quarter = self.today.year, (self.today.month - 1) // 3 + 2
        return (year + 1, 1) if quarter == 5 else (year, quarter)

    @property
    def horizon(self) -> str:
        year, quarter = self.quarter
        return f"{year}-Q{quarter}"

    @property
    def target_date(self) -> str:
        """The middle of that quarter."""
        year, quarter = self.quarter
        return datetime.date(year, 3 * quarter - 1, 15).isoformat()

    @property
    def release_id(self) -> str:
        year, quarter = self.quarter
        return f"rel.{year}-q{quarter}.first-launch"


def _clean(names: Iterable[str]) -> list[str]:
    return [" ".join(name.split()) for name in names if name.strip()]


def plan(answers: Answers, today: datetime.date) -> Plan:
    """The plan for ``answers``: blank names left out, and the defaults for what is left blank."""
    company = " ".join(answers.company.split()) or DEFAULT.company
    segments = _clean(answers.segments) or list(DEFAULT.segments)
    pillars = _clean(answers.pillars) or list(DEFAULT.pillars)
    pillar_ids = derive_ids("pillar", pillars, "pillar")
    claim_ids = [f"claim.{pillar_id.removeprefix('pillar.')}" for pillar_id in pillar_ids]
    proof_ids = [f"pp.{pillar_id.removeprefix('pillar.')}" for pillar_id in pillar_ids]
    return Plan(
        company,
        list(zip(derive_ids("seg", segments, "segment"), segments, strict=True)),
        list(zip(pillar_ids, pillars, claim_ids, proof_ids, strict=True)),
        today,
    )


def _q(text: str) -> str:
    """``text`` as a YAML value, whatever it holds: a JSON string is a YAML 1.2 double-quoted
    text (the formatter then takes the quotes off where they are not needed)."""
    return json.dumps(text, ensure_ascii=False)


def _ids(ids: Iterable[str]) -> str:
    return "[" + ", ".join(ids) + "]"


def _modeline(path: str, kind: str) -> str:
    depth = path.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{kind}.schema.json\n"


def strategy_files(answers: Answers, today: datetime.date) -> dict[str, str]:
    """Every strategy file of the scaffold, by its path in the repository."""
    p = plan(answers, today)
    files = {
        f"{STRATEGY_FOLDER}/value.yaml": ("value", _value(p)),
        f"{STRATEGY_FOLDER}/narrative.yaml": ("narrative", _narrative(p)),
        f"{STRATEGY_FOLDER}/priorities.yaml": ("priorities", _priorities(p)),
        f"{STRATEGY_FOLDER}/governance.yaml": ("governance", _governance(p)),
        f"{STRATEGY_FOLDER}/market.yaml": ("market", _market(p)),
        f"{STRATEGY_FOLDER}/product/roadmap.yaml": ("roadmap", _roadmap(p)),
        f"{STRATEGY_FOLDER}/marketing/messaging.yaml": ("messaging", _messaging(p)),
        f"{STRATEGY_FOLDER}/sales/playbook.yaml": ("playbook", _playbook(p)),
        RELEASE_FILE: ("release", _release(p)),
    }
    written = {}
    for path, (kind, body) in files.items():
        text = _modeline(path, kind) + body
        with contextlib.suppress(NotFormatted):  # a test formats every scaffold: it never is not
            text = format_text(text, model=KINDS[kind])
        written[path] = text
    return written


# -- the files --------------------------------------------------------------------------------

_PRIORITY = "prio.primary"
_QUESTIONS = ("q.value", "q.narrative", "q.priority")
_REASON, _DIFFERENTIATOR, _BELIEF = "win.first-reason", "diff.first-differentiator", "belief.first-belief"
_ITEM, _MESSAGE, _PLAY, _METRIC = "rm.first-item", "msg.first-launch", "play.first-launch", "metric.primary-pipeline"


def _value_ids(p: Plan) -> str:
    return _ids([*(sid for sid, _ in p.segments), _REASON, _DIFFERENTIATOR, _BELIEF])


def _claims(p: Plan) -> str:
    return _ids(claim for _, _, claim, _ in p.pillars)


def _segment_ids(p: Plan) -> str:
    return _ids(sid for sid, _ in p.segments)


def _opening(kind: str, file_id: str, title: str, owner: str) -> str:
    """The keys a strategy file opens with, under its guidance: the format's version, the
    file's kind and id, its title and who owns it."""
    return f"stratlint: 1\nkind: {kind}\nid: {file_id}\ntitle: {_q(title)}\nowner: {owner}"


def _cites(p: Plan, what: str) -> str:
    """The keys by which a roadmap item, a message or a play (``what``) cites the value
    definition, the narrative and the primary priority, and its rationale for them."""
    return (
        f"    value: {_value_ids(p)}\n"
        f"    narrative: {_claims(p)}\n"
        f"    priority: {_PRIORITY}\n"
        f"{_rationale('    ', what)}"
    )


def _rationale(indent: str, what: str) -> str:
    return (
        f"{indent}rationale:\n"
        f"{indent}  value: Which segment {what} serves, and which differentiator it proves.\n"
        f"{indent}  narrative: Which claim {what} makes true, and how.\n"
        f"{indent}  priority: How {what} serves the primary growth priority.\n"
    )


def _value(p: Plan) -> str:
    segments = "".join(
        f"  - id: {sid}\n"
        f"    name: {_q(name)}\n"
        "    description: Who exactly is in this segment. Size, industry, buyer and situation.\n"
        "    pains:\n"
        "      - The problem this segment has that we solve, in the customer's words.\n"
        for sid, name in p.segments
    )
    company = p.company
    return f"""\
#
# The value definition: who the company serves, why it wins, what sets it apart and what
# the market should believe. It is written down once, here. Every roadmap item, message and
# play points back to entries of this file by their ids.
#
# Owned by product marketing, agreed with product and sales. Keep an id once other files
# cite it. When you change what an entry says, stratlint marks the work that cites it for
# its owner to review again ('stratlint review').
{_opening("value", "value", f"{company} value definition", "head-of-marketing")}
description: Who we serve, why we win, what sets us apart and what the market should believe.

# Who we serve: one entry per segment, named the way everyone should say it.
segments:
{segments}
# Why customers choose us over the alternatives, one sentence each.
why_we_win:
  - id: {_REASON}
    statement: {_q(f"Why customers choose {company}, in one sentence.")}

# What sets us apart, and from what ('versus': a competitor, a category, or doing nothing).
# Words listed under 'avoid' contradict it: stratlint flags a message or play that uses them.
differentiators:
  - id: {_DIFFERENTIATOR}
    statement: {_q(f"What is different about {company}, in one sentence.")}
    versus: The alternative our customers compare us with.

# What the market should believe about us, in the words a customer would use.
beliefs:
  - id: {_BELIEF}
    statement: {_q(f"What the market should believe about {company}, in a customer's words.")}
"""


def _narrative(p: Plan) -> str:
    pillars = "".join(
        f"  - id: {pid}\n"
        f"    name: {_q(name)}\n"
        "    statement: What this pillar says, in one or two sentences.\n"
        "    claims:\n"
        f"      - id: {claim}\n"
        f"        statement: {_q(f'What we claim under {name}, in one sentence.')}\n"
        f"        proof_points: [{proof}]\n"
        for pid, name, claim, proof in p.pillars
    )
    proofs = "".join(
        f"  - id: {proof}\n"
        f"    statement: {_q(f'The evidence for the claim under {name}, as it may be quoted.')}\n"
        "    source: Where the evidence comes from. A case study, a report or a dataset.\n"
        f"    as_of: {p.today.isoformat()}\n"
        for _, name, _, proof in p.pillars
    )
    return f"""\
#
# The strategic narrative: the one story every function tells. A thesis, a few pillars
# (the big ideas the story stands on), the claims under each pillar, and the proof points
# that back the claims.
#
# Owned by product marketing. Marketing and sales tell the claims; product builds what
# makes them true. A claim nobody builds toward, or one without proof, is flagged.
{_opening("narrative", "narrative", f"{p.company} narrative", "head-of-marketing")}
thesis: {_q(f"The change our customers face, and why {p.company} wins in it, in one or two sentences.")}

pillars:
{pillars}
# The evidence behind the claims: a customer result, a benchmark, an analyst finding.
# 'as_of' is when it was true: proof older than 18 months is flagged where it is cited.
proof_points:
{proofs}"""


def _priorities(p: Plan) -> str:
    return f"""\
#
# The growth priorities, and the questions every roadmap item, message and play must answer
# before it is approved. Exactly one priority is primary: it wins when two pieces of work
# compete for the same people or budget.
#
# Owned by the leadership team.
{_opening("priorities", "priorities", f"{p.company} growth priorities", "leadership-team")}

priorities:
  - id: {_PRIORITY}
    name: {_q(f"Win {p.primary_segment}")}
    primary: true
    description: What winning on this priority looks like, and how we will know.

# Each roadmap item, message and play answers these in its 'rationale'.
questions:
  - id: {_QUESTIONS[0]}
    asks_about: value
    question: Which segment does this serve, and which differentiator does it prove?
  - id: {_QUESTIONS[1]}
    asks_about: narrative
    question: Which pillar or claim of the narrative does this strengthen?
  - id: {_QUESTIONS[2]}
    asks_about: priority
    question: How does this serve the growth priority it names?
"""


def _governance(p: Plan) -> str:
    return f"""\
#
# Governance: who owns each call when functions disagree, how work passes from one function
# to the next, and the metrics they share.
#
# Owned by revenue operations, agreed by the leadership team.
{_opening("governance", "governance", f"{p.company} governance", "revenue-operations")}

# Who decides, who is consulted, and how a disagreement is settled.
decision_rights:
  - id: dr.positioning
    domain: Positioning and messaging
    decides: head-of-marketing
    consulted: [head-of-product, head-of-sales]
    tie_break: The CEO decides within a week, after hearing both sides.
  - id: dr.roadmap
    domain: Roadmap priorities
    decides: head-of-product
    consulted: [head-of-marketing, head-of-sales]
    tie_break: The primary growth priority wins. If it does not settle it, the CEO decides.

# What must be true before the receiving function accepts the work.
handoffs:
  - id: ho.lead-to-sales
    name: Marketing-qualified lead to sales
    from_function: marketing
    to_function: sales
    entry_criteria:
      - The lead is in a segment of the value definition.
      - The lead has a problem we solve, in their own words.
    exception_rule: Sales may accept a lead that misses a criterion, and says why in the CRM.

# The metrics the functions share, each serving a growth priority.
metrics:
  - id: {_METRIC}
    name: {_q(f"Pipeline from {p.primary_segment}")}
    definition: New qualified pipeline in the primary segment, per quarter.
    target: A number the leadership team agrees each quarter.
    serves: {_PRIORITY}
"""


_TIER, _COMPETITOR = "tier.standard", "comp.status-quo"


def _market(p: Plan) -> str:
    return f"""\
#
# Who buys, what for, how it is packaged, and whom we meet in deals. Roadmap items name the
# tier they ship in ('tier'), objections the competitor they answer ('competitor').
#
# Add, when you have them:
#   - 'personas': who in a segment buys or uses, each with 'segments'. Messages and plays
#     list the personas they speak to ('personas'); stratlint checks that each persona of
#     the primary priority's segments has a live message and a live play.
#   - 'use_cases': the jobs the product is bought for. Roadmap items, messages and plays
#     name the use cases they serve ('use_cases'); each needs all three.
#   - 'aliases' on any entry: other names it goes by. A text that says a name with one
#     word changed, or the name of a retired tier, is reported where you ask for it.
{_opening("market", "market", f"{p.company} market", "head-of-marketing")}

tiers:
  - id: {_TIER}
    name: Standard
    description: The plan most customers buy.
    owner: head-of-product

competitors:
  - id: {_COMPETITOR}
    name: The status quo
    description: What buyers do today instead of buying from us.
    owner: head-of-marketing
"""


def _roadmap(p: Plan) -> str:
    return f"""\
#
# Product's roadmap. Each item is something product will build, and it says why: which
# customers it is for, which part of the value definition it reinforces, which claim of the
# narrative it makes true, and which growth priority it serves.
#
# To add an item:
#   - Give it an id that will not change: lowercase letters, digits, dots and dashes.
#   - 'segments' and 'value' cite ids from value.yaml, 'narrative' cites claims or pillars
#     from narrative.yaml, and 'priority' cites one priority from priorities.yaml.
#   - 'rationale' answers the three questions in priorities.yaml, a sentence each.
#   - 'status' is idea, planned, in-progress, shipped, paused or cancelled. 'horizon' is the
#     quarter it ships in, such as 2027-Q1.
#   - When marketing or sales tells a claim, an item here must build toward it. If none
#     does, stratlint says the story is ahead of the product.
{_opening("roadmap", "roadmap.product", f"{p.company} product roadmap", "head-of-product")}

items:
  - id: {_ITEM}
    title: Our first roadmap item
    summary: What it does for the customer, in one or two sentences.
    status: planned
    horizon: {p.horizon}
    owner: head-of-product
    segments: {_segment_ids(p)}
    tier: {_TIER}
{_cites(p, "this item")}"""


def _messaging(p: Plan) -> str:
    proofs = _ids(proof for _, _, _, proof in p.pillars)
    return f"""\
#
# Marketing's messages and campaigns. Each message tells the narrative: it cites the claims
# it tells, the proof points it uses, the segments it speaks to and the priority it serves.
#
# To add a message:
#   - 'narrative' cites claims from narrative.yaml. Tell only what a roadmap item builds
#     toward, and cite the proof point behind every number you use: stratlint flags a
#     figure that nothing proves.
#   - Do not use the words the value definition says to avoid ('avoid' in value.yaml).
#   - 'status' is draft, in-review, live or retired. A launch message must be live before
#     its release can go out ('stratlint gate').
#   - 'rationale' answers the three questions in priorities.yaml, a sentence each.
{_opening("messaging", "messaging.marketing", f"{p.company} messaging", "head-of-marketing")}

messages:
  - id: {_MESSAGE}
    type: launch
    headline: The headline of our first launch, as the market will read it.
    body: The supporting copy, in the words of the claims it tells.
    channels: [web, email]
    status: draft
    segments: {_segment_ids(p)}
    proof_points: {proofs}
{_cites(p, "this message")}    owner: head-of-marketing
"""


def _playbook(p: Plan) -> str:
    first_proof = p.pillars[0][3]
    return f"""\
#
# Sales plays: when a seller runs each one, and what they say. Each play cites the segments
# it is run in, the claims it tells and the priority it serves, so the pitch is the story
# marketing tells and product builds.
#
# To add a play:
#   - 'trigger' says when a seller runs it.
#   - 'objections' are what buyers say, each with its answer and the proof points behind
#     it. If the proof you need is not in narrative.yaml, ask product marketing to add it
#     rather than improvise one.
#   - 'status' is draft, active or retired. An enablement play must be active before its
#     release can go out ('stratlint gate').
#   - 'rationale' answers the three questions in priorities.yaml, a sentence each.
{_opening("playbook", "playbook.sales", f"{p.company} sales playbook", "head-of-sales")}

plays:
  - id: {_PLAY}
    name: Sell our first launch
    type: enablement
    trigger: When a seller runs this play, for example on a first call with the primary segment.
    status: draft
    segments: {_segment_ids(p)}
    objections:
      - id: obj.first-objection
        objection: What the buyer says.
        answer: How the seller answers it, citing the proof.
        proof_points: [{first_proof}]
        competitor: {_COMPETITOR}
{_cites(p, "this play")}    owner: head-of-sales
"""


def _release(p: Plan) -> str:
    return f"""\
#
# A release plan: the roadmap items that ship, the launch messages and enablement plays that
# go with them, who says go, and the metrics the release is judged by.
# 'stratlint gate {p.release_id}' prints its go/no-go checklist. It says GO only when every
# approver has said go, every launch message is live and every enablement play active, and no
# finding blocks any of them.
stratlint: 1
kind: release
id: {p.release_id}
name: Our first launch
owner: head-of-product
target_date: {p.target_date}
status: planned
ships: [{_ITEM}]
launch_messages: [{_MESSAGE}]
enablement_plays: [{_PLAY}]
approvers:
  - who: head-of-product
    function: product
    decision: pending
  - who: head-of-marketing
    function: marketing
    decision: pending
  - who: head-of-sales
    function: sales
    decision: pending
metrics: [{_METRIC}]
"""
