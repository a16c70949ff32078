"""The policy file: the organisation's own rules, as data.

One pydantic model, strict and closed, read from ``[[policy.rules]]`` in stratlint.toml (or
``[[tool.stratlint.policy.rules]]`` in pyproject.toml) and from the YAML policy file the
configuration names. Nothing in it is code: a rule selects entries (``given``) and names
built-in checks with typed arguments (``then``). The docstrings under the fields are the
reference in the README and the descriptions of the published schema
(``schemas/policy/policy.schema.json``), both generated from this module.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from stratlint.model import DEFAULT_FUNCTIONS, NodeType
from stratlint.model import Functions as OrganisationFunctions

CODE_PATTERN = r"^[A-Z][A-Z0-9]{1,7}[0-9]{3}$"
"""An organisation's rule code: capital letters (and digits), then three digits: ACME001."""
NAME_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
DURATION = re.compile(r"^\s*([0-9]{1,4})\s*(day|week|month|year)s?\s*$")
"""A span of time back from the day of the run: '12 months', '90 days', '1 year'."""
BUILT_IN_PREFIX = "SL"
CEL_MAX_LENGTH = 2000
"""The longest CEL expression a rule may write, in characters."""


class PolicyModel(BaseModel):
    """Strict and closed, as the strategy's own models: a typo in a key is an error. The
    docstring under each field is its description in the reference and the schema
    (stratlint.custom.schema gives it to the field there: a run does not read them)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


Text = Annotated[str, Field(min_length=1)]
Scalar = str | int | float | bool
OneOrMore = Text | Annotated[list[Text], Field(min_length=1)]
"""One value, or a list of them (any of them matches)."""
Duration = Annotated[str, Field(pattern=DURATION.pattern)]
Count = Annotated[int, Field(ge=0)]
CelText = Annotated[str, Field(min_length=1, max_length=CEL_MAX_LENGTH)]


def as_list(value: str | list[str] | None) -> tuple[str, ...]:
    """A one-or-more value as a tuple (empty for None)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def node_type_of(text: str) -> NodeType | None:
    """The node type ``text`` names ('proof point', 'proof-point', 'proof_point'), or None."""
    wanted = " ".join(text.replace("-", " ").replace("_", " ").split()).lower()
    return next((node_type for node_type in NodeType if node_type.value == wanted), None)


TYPE_NAMES = ", ".join(f"'{node_type.value}'" for node_type in NodeType)


def _check_types(value: str | list[str]) -> str | list[str]:
    for item in as_list(value):
        if node_type_of(item) is None:
            raise ValueError(f"'{item}' is not a type of entry; the types are {TYPE_NAMES}")
    return value


def _check_functions(value: str | list[str], info: ValidationInfo) -> str | list[str]:
    functions = info.context.get("functions") if isinstance(info.context, dict) else None
    names = (functions if isinstance(functions, OrganisationFunctions) else DEFAULT_FUNCTIONS).planning()
    for item in as_list(value):
        if item not in names:
            raise ValueError(f"'{item}' is not a function; the functions are {', '.join(names)}")
    return value


def _check_kinds(value: str | list[str]) -> str | list[str]:
    from stratlint.model import KINDS

    for item in as_list(value):
        if item not in KINDS:
            raise ValueError(f"'{item}' is not a kind of file; the kinds are {', '.join(KINDS)}")
    return value


EntryTypes = Annotated[OneOrMore, AfterValidator(_check_types)]
"""Types of entry, each one stratlint knows ('proof point', 'proof-point' and 'proof_point' alike)."""
Functions = Annotated[OneOrMore, AfterValidator(_check_functions)]
"""Functions whose plans entries are in, each one of the organisation's that owns a kind of
plan (the configuration's ``[functions]``, passed as the validation context's "functions")."""
Kinds = Annotated[OneOrMore, AfterValidator(_check_kinds)]
"""Kinds of file, each one stratlint knows."""


class Test(PolicyModel):
    """A test on one field's value. Write exactly one of its keys. A plain value instead of a
    test means ``equals`` (for a list field: the list holds it); a list of values means
    ``one_of``; the words ``set`` and ``unset`` mean ``set: true`` and ``set: false``."""

    equals: Scalar | None = None
    """The value is this (for a list field: the list holds it)."""
    one_of: Annotated[list[Scalar], Field(min_length=1)] | None = None
    """The value is one of these (for a list field: the list holds one of them)."""
    none_of: Annotated[list[Scalar], Field(min_length=1)] | None = None
    """The value is none of these (for a list field: the list holds none of them)."""
    set: bool | None = None
    """true: the field has a value (not empty); false: it has none."""
    matches: Text | None = None
    """The text matches this regular expression somewhere (linear-time engine: no look-around, no back-references)."""
    within: Duration | None = None
    """A date (YYYY-MM-DD) no older than this, counted back from the day of the run: '12 months', '90 days'."""
    older_than: Duration | None = None
    """A date (YYYY-MM-DD) older than this, counted back from the day of the run."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Test:
        written = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(written) != 1:
            raise ValueError(
                f"write exactly one test ({', '.join(type(self).model_fields)}), not {len(written) or 'none'}"
            )
        return self


Condition = Test | Scalar | Annotated[list[Scalar], Field(min_length=1)]
Where = dict[Text, Condition]
"""Field (dotted for a nested one: 'rationale.value') -> condition; every condition must hold."""


class Given(PolicyModel):
    """Which entries a rule is about. Every key narrows the selection (all must hold); a key
    with a list matches any of its values. Retired and cancelled entries are left out unless
    ``status`` names their status."""

    kind: Kinds | None = None
    """Kinds of file: 'messaging', 'playbook', 'roadmap', 'narrative', 'value', ..."""
    type: EntryTypes | None = None
    """Types of entry: 'message', 'play', 'roadmap item', 'claim', 'proof point', 'pillar',
    'artifact' (the file itself), ..."""
    field: OneOrMore | None = None
    """The field the checks look at (dotted for a nested one: 'rationale.value'); with a list, each of them."""
    status: OneOrMore | None = None
    """The entry's status: 'live', 'draft', 'active', 'retired', ..."""
    function: Functions | None = None
    """The function whose plan the entry is in: 'product', 'marketing', 'sales', or one the
    configuration's [functions] declares."""
    segment: OneOrMore | None = None
    """Ids of segments the entry targets (in 'segments' or 'value')."""
    tag: OneOrMore | None = None
    """Tags the entry carries."""
    owner: OneOrMore | None = None
    """Who answers for the entry: its owner, else its enclosing entry's, else the file's."""
    where: Where | None = None
    """Conditions on the entry's fields, e.g. ``{status: live, headline: {matches: '[0-9]'}}``."""


# -- the built-in checks -----------------------------------------------------------------------


class EitherOrBoth(PolicyModel):
    """A check with two keys, each optional, of which at least one must be written (a
    pattern's ``match`` and ``not_match``, a length's ``chars`` and ``words``): ``either``
    names them, and writing neither is an error."""

    either: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _either_or_both(self) -> Self:
        first, second = self.either
        if getattr(self, first) is None and getattr(self, second) is None:
            raise ValueError(f"write '{first}', '{second}' or both")
        return self


class PatternCheck(EitherOrBoth):
    """The field's text matches (or does not match) a regular expression. Patterns run on a
    linear-time engine, so none can hang a run; it has no look-around and no back-references.
    Shorthand: ``pattern: '^msg[.]'`` is ``match``."""

    match: Text | None = None
    """A regular expression the text must match somewhere (anchor it with ^ and $ for the whole text)."""
    not_match: Text | None = None
    """A regular expression the text must not match anywhere."""
    ignore_case: bool = False
    """Match letters in either case."""

    either = ("match", "not_match")


class LengthCheck(EitherOrBoth):
    """A limit on the field's length, in characters, in words, or both. Shorthand: a number
    alone (``max_length: 60``) counts characters."""

    chars: Count | None = None
    """Characters (Unicode code points), spaces included."""
    words: Count | None = None
    """Words: runs of letters, digits, apostrophes and hyphens."""

    either = ("chars", "words")


class ForbidWordsCheck(PolicyModel):
    """Words and phrases the field must not use: whole words, in any case unless
    ``case_sensitive``. ``use_instead`` forbids its words too, and offers the swap.
    Shorthand: ``forbid_words: [best-in-class, world-class]`` is ``words``."""

    words: list[Text] = Field(default_factory=list)
    """Words or phrases that must not appear."""
    use_instead: dict[Text, Text] = Field(default_factory=dict)
    """Word -> what to write instead ('cheap' -> 'affordable'): the word is forbidden, and the
    finding says what to write."""
    case_sensitive: bool = False
    """Tell 'Best' from 'best'."""

    @model_validator(mode="after")
    def _some_word(self) -> ForbidWordsCheck:
        if not self.words and not self.use_instead:
            raise ValueError("name at least one word, in 'words' or 'use_instead'")
        return self


class RequiredWordsCheck(PolicyModel):
    """Words or phrases the field must use: whole words, in any case unless ``case_sensitive``.
    Shorthand: ``required_words: [SOC 2]`` is ``words``."""

    words: Annotated[list[Text], Field(min_length=1)]
    """Words or phrases the text must say."""
    match: Literal["any", "all"] = "any"
    """'any': one of them is enough; 'all': every one of them."""
    case_sensitive: bool = False
    """Tell 'Best' from 'best'."""


class CitesCheck(PolicyModel):
    """The entry references nodes of a type, between ``min`` and ``max`` of them, counting only
    those that meet ``where``: e.g. a proof point with ``as_of: {within: 12 months}``. The
    finding names the nodes it cites that do not count, and what is missing. While one of the
    references it would count does not resolve, it holds back: that reference's own finding
    comes first."""

    type: EntryTypes | None = None
    """Types of the cited node: 'proof point', 'claim', 'pillar', 'segment', ... (any type when left out)."""
    kind: Kinds | None = None
    """Kinds of file the cited node is in: 'narrative', 'value', ..."""
    field: OneOrMore | None = None
    """Only references in these fields of the entry ('proof_points', 'narrative', ...); every
    reference field when left out."""
    min: Count = 1
    """The fewest qualifying nodes the entry must cite."""
    max: Count | None = None
    """The most qualifying nodes the entry may cite."""
    where: Where | None = None
    """Conditions on the cited node's fields, e.g. ``{as_of: {within: 12 months}, status: active, owner: set}``."""


class CitedByCheck(PolicyModel):
    """The reverse of ``cites``: the entry is referenced by between ``min`` and ``max``
    entries of a type that meet ``where``, e.g. every claim cited by an enablement play. It
    looks at the whole strategy, as who references a node always does, and holds back while
    a file that could hold such an entry cannot be read."""

    type: EntryTypes | None = None
    """Types of the citing entry: 'message', 'play', 'roadmap item', ..."""
    kind: Kinds | None = None
    """Kinds of file the citing entry is in."""
    function: Functions | None = None
    """Functions whose plans the citing entry is in: 'product', 'marketing', 'sales', or one
    the configuration's [functions] declares."""
    field: OneOrMore | None = None
    """Only references in these fields of the citing entry ('narrative', 'proof_points', ...)."""
    min: Count = 1
    """The fewest citing entries."""
    max: Count | None = None
    """The most citing entries."""
    where: Where | None = None
    """Conditions on the citing entry's fields, e.g. ``{type: enablement}``."""


class CountCheck(EitherOrBoth):
    """How many there may be: of the entries ``given`` selects, across the whole strategy
    ('at most 4 pillars'); or, when ``given`` names a field, of the items in that field of each
    entry ('at most 3 channels')."""

    min: Count | None = None
    """At least this many."""
    max: Count | None = None
    """At most this many."""

    either = ("min", "max")

    @model_validator(mode="after")
    def _ordered(self) -> CountCheck:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is more than 'max' ({self.max})")
        return self


class UniqueCheck(PolicyModel):
    """No two selected entries have the same value in the field, compared ignoring case,
    spaces and final punctuation. Each repeat is reported, pointing at the first.
    Shorthand: ``unique_within: strategy``."""

    within: Literal["strategy", "file"] = "strategy"
    """'strategy': across every selected entry; 'file': within each file."""
    case_sensitive: bool = False
    """Tell 'Close faster' from 'close faster'."""


class CelCheck(PolicyModel):
    """An expression in CEL, the Common Expression Language, for what the other checks cannot
    say; it must give true for the entry to pass. It sees plain data: ``entry`` (the entry's
    fields, as written), ``value`` (the value of the field ``given`` names, null when it names
    none or the field is not set), ``file`` (``path`` and ``kind``) and ``today``
    ('YYYY-MM-DD'), e.g. ``entry.status != 'live' || size(entry.segments) > 0``. It cannot run
    code, read a file or reach the network, and its work is bounded: an expression that fails,
    gives something other than true or false, or takes too long is a finding. Needs the
    ``cel`` extra (``pip install 'stratlint[cel]'``). Shorthand: ``cel: 'value.size() < 60'``
    is ``expression``."""

    expression: CelText
    """The CEL expression: true when the entry passes (at most 2,000 characters)."""
    says: Text | None = None
    """What the expression asks, in plain words ('a live message names a segment'): the
    default message says it, and it fills ``{says}``."""


class Then(PolicyModel):
    """The built-in checks a rule applies to each selected entry (or field). Write one or
    more; each is reported on its own."""

    required: Literal[True] | None = None
    """``true``: the field has a value (not empty)."""
    forbidden: Literal[True] | None = None
    """``true``: the field has no value."""
    pattern: Text | PatternCheck | None = None
    """The text matches a regular expression (see PatternCheck)."""
    enum: Annotated[list[Scalar], Field(min_length=1)] | None = None
    """The value (each item, for a list field) is one of these."""
    max_length: Count | LengthCheck | None = None
    """The text is at most this long (see LengthCheck)."""
    min_length: Count | LengthCheck | None = None
    """The text is at least this long (see LengthCheck)."""
    forbid_words: Annotated[list[Text], Field(min_length=1)] | ForbidWordsCheck | None = None
    """Words the text must not use (see ForbidWordsCheck)."""
    required_words: Annotated[list[Text], Field(min_length=1)] | RequiredWordsCheck | None = None
    """Words the text must use (see RequiredWordsCheck)."""
    cites: CitesCheck | None = None
    """What the entry must reference (see CitesCheck)."""
    cited_by: CitedByCheck | None = None
    """What must reference the entry (see CitedByCheck)."""
    count: CountCheck | None = None
    """How many entries, or items of the field (see CountCheck)."""
    unique_within: Literal["strategy", "file"] | UniqueCheck | None = None
    """The field's value is unique (see UniqueCheck)."""
    cel: CelText | CelCheck | None = None
    """A CEL expression that must give true (see CelCheck)."""

    @model_validator(mode="after")
    def _some_check(self) -> Then:
        if not self.written():
            raise ValueError(f"name at least one check: {', '.join(type(self).model_fields)}")
        return self

    def written(self) -> list[str]:
        """The checks written, in the order of the reference."""
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class Example(PolicyModel):
    """A snippet the rule must pass (``good``) or fail (``bad``): ``stratlint policy test``
    runs every one. A snippet is an entry of the type ``given`` selects (it is put in a file
    of its kind) or a whole strategy file (with ``kind:``), as YAML text or as a mapping."""

    good: Text | dict[str, Any] | None = None
    """A snippet the rule must not report."""
    bad: Text | dict[str, Any] | None = None
    """A snippet the rule must report."""
    with_files: list[Text | dict[str, Any]] = Field(default_factory=list, alias="with")
    """Whole strategy files loaded beside the snippet, for what it references (a narrative with its proof points)."""
    note: str | None = None
    """What the example shows."""

    model_config = ConfigDict(populate_by_name=False)

    @model_validator(mode="after")
    def _good_or_bad(self) -> Example:
        if (self.good is None) == (self.bad is None):
            raise ValueError("write exactly one of 'good' and 'bad'")
        return self

    @property
    def snippet(self) -> str | dict[str, Any]:
        found = self.good if self.good is not None else self.bad
        assert found is not None
        return found


class PolicyRule(PolicyModel):
    """One rule of the organisation's own."""

    id: Annotated[str, Field(pattern=CODE_PATTERN)]
    """The rule's code, the organisation's own: capital letters, then three digits, e.g.
    ACME001. It may not start with SL, which is stratlint's."""
    name: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    """A kebab-case name for the bad pattern, e.g. 'headline-too-long' (the code in lowercase
    when left out). Selectors, suppressions and reports take it as they take built-in names."""
    severity: Literal["error", "warning", "info"]
    """How serious a finding is."""
    summary: Text | None = None
    """One line for 'stratlint rules': what the rule finds."""
    message: Text | None = None
    """The finding's text, with {placeholders} filled in: {Label}, {label}, {id}, {name},
    {type}, {kind}, {field}, {value}, {owner}, {file}, and each check's own (see the
    reference). Each check says something sensible when left out."""
    explanation: str | None = None
    """What 'stratlint explain' says: why the rule matters, and how to fix a finding."""
    stage: Literal["ambiguity", "fragmented interpretation", "conflicting execution", "drift", "governance"] = (
        "conflicting execution"
    )
    """The stage of the Misalignment Cascade the findings belong to."""
    given: Given
    """Which entries (or fields) the rule is about."""
    then: Then
    """The checks."""
    examples: list[Example] = Field(default_factory=list)
    """Snippets that show the rule at work; 'stratlint policy test' runs them."""

    @field_validator("id")
    @classmethod
    def _not_built_in(cls, value: str) -> str:
        if value.startswith(BUILT_IN_PREFIX):
            raise ValueError(
                f"'{value}' starts with SL, which is stratlint's own; use the organisation's prefix (ACME001)"
            )
        return value

    @property
    def rule_name(self) -> str:
        return self.name or self.id.lower()


class PolicyFile(PolicyModel):
    """A YAML policy file: the organisation's rules, named by the configuration
    (``[policy] file = "policy.yaml"``)."""

    rules: list[PolicyRule] = Field(default_factory=list)
    """The rules, in the order 'stratlint rules' lists them."""
    description: str | None = None
    """What the policy is for."""


class PolicyTable(PolicyModel):
    """The ``[policy]`` table of the configuration."""

    file: Text | None = None
    """A YAML policy file, relative to the configuration file. It must be inside the
    repository, and not among the strategy's own files: inside the strategy root, keep it in
    a folder whose name starts with '.' (e.g. '.stratlint/policy.yaml')."""
    rules: list[PolicyRule] = Field(default_factory=list)
    """Rules written in the configuration itself, as ``[[policy.rules]]`` tables; they come before the file's."""
