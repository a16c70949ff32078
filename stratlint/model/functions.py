"""The organisation's functions: who plans, who hands work off, whose alignment is reported.

By default they are the three whose plans stratlint reads (product owns roadmaps,
marketing messaging, sales playbooks) and three that govern without plans of their own
(revenue operations, customer success, the executive team). The configuration's
``[functions]`` table adds more, or renames these, and says which plan kinds each owns:

    [functions.sales-development]
    name = "Sales development"
    owns = ["playbook"]

A plan file belongs to its kind's function unless it names another that owns the kind
(``function: sales-development``). Governance's handoffs, an alias's function and a
policy's ``function`` filter accept any configured function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stratlint.model.common import Function

PLAN_KINDS: Mapping[str, Function] = {"roadmap": Function.PRODUCT, "messaging": Function.MARKETING,
                                      "playbook": Function.SALES}  # fmt: skip
"""Each kind of plan file, and the function whose plans files of it are unless they say otherwise."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function of the organisation."""

    id: str
    """How files and the configuration name it: 'sales-development'."""
    name: str
    """How reports show it: 'Sales development'."""
    owns: tuple[str, ...] = ()
    """The plan kinds whose files may be this function's, in PLAN_KINDS order."""


@dataclass(frozen=True, slots=True)
class Functions:
    """The organisation's functions, in report order: the built-in ones, then the configured."""

    specs: tuple[FunctionSpec, ...]

    def ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.specs)

    def get(self, function_id: str) -> FunctionSpec | None:
        return next((spec for spec in self.specs if spec.id == function_id), None)

    def planning(self) -> tuple[str, ...]:
        """The functions that own a plan kind: those whose alignment is reported."""
        return tuple(spec.id for spec in self.specs if spec.owns)

    def names(self) -> dict[str, str]:
        """Each function's display name, by id."""
        return {spec.id: spec.name for spec in self.specs}

    def owners_of(self, kind: str) -> tuple[str, ...]:
        """The functions whose plans files of ``kind`` may be."""
        return tuple(spec.id for spec in self.specs if kind in spec.owns)

    def extended(self, configured: Mapping[str, tuple[str | None, Iterable[str]]]) -> Functions:
        """These functions with ``configured`` laid on top: each id's display name (None
        keeps it) and the plan kinds it owns besides those it already does."""
        specs = {spec.id: spec for spec in self.specs}
        for function_id, (name, owns) in configured.items():
            known = specs.get(function_id)
            kinds = {*(known.owns if known else ()), *owns}
            specs[function_id] = FunctionSpec(
                function_id,
                name or (known.name if known else function_id),
                tuple(kind for kind in PLAN_KINDS if kind in kinds),
            )
        return Functions(tuple(specs.values()))


DEFAULT_FUNCTIONS = Functions(
    (
        *(FunctionSpec(function.value, function.value, (kind,)) for kind, function in PLAN_KINDS.items()),
        FunctionSpec("revenue-operations", "revenue-operations"),
        FunctionSpec("customer-success", "customer-success"),
        FunctionSpec("executive", "executive"),
    )
)
"""Without a ``[functions]`` table: the three that plan, and the three governance names besides."""
