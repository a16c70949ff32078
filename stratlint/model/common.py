"""Building blocks shared by every kind: ids, references, node types, common fields."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from stratlint.model.horizon import HORIZON_MEANING, HORIZON_PATTERN, add_months

ID_PATTERN = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"
DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
QUARTER_PATTERN = r"^[0-9]{4}-Q[1-4]$"
PERIOD_PATTERN = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$"

PATTERN_MEANINGS = {
    ID_PATTERN: "a valid id: use lowercase letters, digits, dots and dashes, e.g. 'pillar-speed'",
    DATE_PATTERN: "a date written as YYYY-MM-DD",
    QUARTER_PATTERN: "a quarter such as '2027-Q1'",
    HORIZON_PATTERN: HORIZON_MEANING,
    PERIOD_PATTERN: "a date written as YYYY-MM-DD, a month as YYYY-MM, or a year as YYYY",
}
"""What each pattern of the model asks for, in words: messages name the form, not the regex."""


class Function(enum.StrEnum):
    """The go-to-market functions whose work must trace back to the strategy."""

    PRODUCT = "product"
    MARKETING = "marketing"
    SALES = "sales"


class NodeType(enum.StrEnum):
    """Every kind of thing that has an id and can be referenced."""

    ARTIFACT = "artifact"
    SEGMENT = "segment"
    REASON = "reason"
    DIFFERENTIATOR = "differentiator"
    BELIEF = "belief"
    PILLAR = "pillar"
    CLAIM = "claim"
    PROOF_POINT = "proof point"
    PRIORITY = "priority"
    QUESTION = "decision question"
    ROADMAP_ITEM = "roadmap item"
    MESSAGE = "message"
    PLAY = "play"
    OBJECTION = "objection"
    DECISION_RIGHT = "decision right"
    HANDOFF = "handoff"
    METRIC = "metric"
    PERSONA = "persona"
    USE_CASE = "use case"
    TIER = "tier"
    COMPETITOR = "competitor"


VALUE_NODES = frozenset({NodeType.SEGMENT, NodeType.REASON, NodeType.DIFFERENTIATOR, NodeType.BELIEF})
NARRATIVE_NODES = frozenset({NodeType.PILLAR, NodeType.CLAIM})


@dataclass(frozen=True, slots=True)
class Ref:
    """Marks a field as holding references: which node types it may point at.

    The graph builder reads this marker; no rule needs to know field names.
    """

    targets: frozenset[NodeType]
    role: str
    noun: str = ""
    """How messages name what the field takes, e.g. 'value node'; defaults to the type names."""
    same_kind: bool = False
    """The target must be of the referencing node's own type (a replacement)."""
    tracked: bool = True
    """Whether the referencing entry depends on the target's wording (stamped in the lock).
    A replacement names a successor; it does not build on what the successor says."""

    def describe(self) -> str:
        return self.noun or " or ".join(sorted(t.value for t in self.targets))


Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="Unique id across the whole strategy repository: lowercase letters, digits, "
        "dots and dashes, e.g. 'pillar-speed'.",
    ),
]
Date = Annotated[str, Field(pattern=DATE_PATTERN, description="A date written as YYYY-MM-DD.")]
Period = Annotated[
    str,
    Field(
        pattern=PERIOD_PATTERN,
        description="A date written as YYYY-MM-DD, or a month (YYYY-MM) or a year (YYYY) when "
        "that is all the source says.",
    ),
]


def period_end(text: str) -> datetime.date | None:
    """The last day of the period ``text`` names (a date, a month 'YYYY-MM' or a year
    'YYYY'): evidence dated '2020-06' was true up to 2020-06-30, and is judged so. None when
    it is not such a period."""
    parts = text.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 3:
            return datetime.date.fromisoformat(text)
        if len(parts) == 2:
            return add_months(datetime.date(year, int(parts[1]), 1), 1) - datetime.timedelta(days=1)
        if len(parts) == 1 and len(text) == 4:
            return datetime.date(year, 12, 31)
    except ValueError:
        return None
    return None


Text = Annotated[str, Field(min_length=1)]


def _not_a_bool(value: Any) -> Any:
    # YAML's `true` equals 1 in Python, and a Literal[1] would take it; the schema does not.
    if isinstance(value, bool):
        raise ValueError("the format version is a number, not true/false")
    return value


FormatVersion = Annotated[Literal[1], BeforeValidator(_not_a_bool)]


def ref_to(*targets: NodeType, role: str) -> Ref:
    """The marker for a field that holds ids of nodes of the given types."""
    return Ref(frozenset(targets), role)


class Strict(BaseModel):
    """Strict, closed models: a typo in a key is an error, and nothing is coerced.

    Each field is documented by the docstring under it. Those become the descriptions of
    the published schemas (stratlint.model.schema adds them when it generates them); a
    run does not read them, so loading the models skips parsing their source."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class Link(Strict):
    """A link to a ticket, a document or a page."""

    url: Text
    """Where the link points: a URL, or a ticket key such as 'PROD-142'."""
    title: str | None = None
    """What the reader will find there."""
    type: Literal["ticket", "doc", "page", "deck", "dashboard", "other"] | None = None
    """What sort of thing the link is."""


FunctionName = Annotated[
    str,
    Field(
        min_length=1,
        description="One of the organisation's functions, by id: product, marketing, sales, "
        "revenue-operations, customer-success, executive, or one the configuration's [functions] declares.",
    ),
]


class Alias(Strict):
    """A name one function uses for an entry: sales' 'Large' for the 'Enterprise' segment."""

    name: Text
    """The name, as that function writes it."""
    function: FunctionName
    """The function whose label it is: product, marketing, sales, or another function the
    configuration declares."""


class Lifecycle(enum.StrEnum):
    """Whether a strategy node may still be referenced."""

    ACTIVE = "active"
    DRAFT = "draft"
    RETIRED = "retired"


class Entry(Strict):
    """Fields every entry with an id may carry."""

    node_type: ClassVar[NodeType]
    id: Id
    owner: str | None = None
    """Who answers for this entry: a person, a role or a team."""
    tags: list[str] = Field(default_factory=list)
    """Free labels for filtering and reporting."""
    links: list[Link] = Field(default_factory=list)
    """Tickets, documents and pages about this entry."""
    notes: str | None = None
    """Anything a reader should know that has no field of its own."""
    short_name: str | None = None
    """A shorter form of the entry's name that is just as right, e.g. 'Insight' for
    'End-to-End Insight': the name check accepts it in any text."""
    aliases: list[Text | Alias] = Field(default_factory=list)
    """Other names the entry goes by: a name (an old name still in use), or a function's own
    label ({name: Large, function: sales}). References stay by id; the name check accepts
    a name in any text, and a function's label in that function's plans."""


PROOF_REF = Ref(frozenset({NodeType.PROOF_POINT}), role="cites")
"""A field that cites evidence directly: ids of proof points."""

MARKET_NODES = frozenset({NodeType.PERSONA, NodeType.USE_CASE, NodeType.TIER, NodeType.COMPETITOR})
"""Who buys and why, how it is packaged, and whom we meet in deals (stratlint.model.market)."""

REPLACEMENT_REF = Ref(
    frozenset(
        VALUE_NODES | NARRATIVE_NODES | MARKET_NODES | {NodeType.PROOF_POINT, NodeType.PRIORITY, NodeType.QUESTION}
    ),
    role="is replaced by",
    noun="replacement of the same kind",
    same_kind=True,
    tracked=False,
)


class StrategyNode(Entry):
    """An entry of the value definition, narrative or priorities that others reference."""

    # Lax for this one field: strict mode accepts only enum objects, and YAML gives text.
    status: Annotated[Lifecycle, Field(strict=False)] = Lifecycle.ACTIVE
    """'active' (the default), 'draft', or 'retired'. Retired nodes must no longer be referenced."""
    retired_on: Date | None = None
    """The date the node was retired."""
    replaced_by: Annotated[Id | None, REPLACEMENT_REF] = None
    """The id of the node that replaces this one, when it is retired."""


class Rationale(Strict):
    """The answers to the decision questions every initiative must answer."""

    value: str | None = None
    """How this reinforces the value definition: which segment it serves and which differentiator it proves."""
    narrative: str | None = None
    """How this strengthens the strategic narrative."""
    priority: str | None = None
    """How this serves the growth priority it names."""


class ArtifactBase(Strict):
    """The header every strategy file starts with."""

    kind_name: ClassVar[str]
    stratlint: FormatVersion
    """The format version of this file. Currently 1."""
    id: Id
    title: str | None = None
    """A human title for the file."""
    owner: str | None = None
    """Who owns this file: a person, a role or a team."""
    description: str | None = None
    """What this file is for."""
    tags: list[str] = Field(default_factory=list)
    """Free labels for filtering and reporting."""
    links: list[Link] = Field(default_factory=list)
    """Documents and pages about this file."""
    updated: Date | None = None
    """When this file was last reviewed, as YYYY-MM-DD."""


class PlanBase(ArtifactBase):
    """The header of a function's plan file: a roadmap, messaging or a playbook."""

    function: FunctionName | None = None
    """The function whose plan this file is, when it is not the kind's own (product for a
    roadmap, marketing for messaging, sales for a playbook), e.g. 'sales-development'. The
    configuration's [functions] declares it, and that it owns this kind of plan."""
