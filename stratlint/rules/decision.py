"""SL5xx: decision logic -- initiatives answer the decision questions."""

from __future__ import annotations

from collections.abc import Iterator

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.graph import FileView
from stratlint.model.initiative import Initiative
from stratlint.rules.base import FileRule, capitalized


class AlmostAligned(FileRule):
    code = "SL501"
    name = "almost-aligned"
    summary = "An initiative that names the primary priority but gives no rationale linking it to value."
    default_severity = Severity.WARNING
    explanation = """
        "Almost aligned" is how drift starts: an initiative names the primary priority (the
        goal is shared), but nobody wrote down how it reinforces the value definition (the
        rationale quietly diverges). The decision questions exist to catch that.

        Bad:
            - id: rm-bulk-export
              priority: prio-mid-market-leadership
              value: [seg-mid-market-finance]

        Fix:
              rationale:
                value: Mid-market controllers export to Excel to close; this keeps them in the product.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        primary = view.lookup.primary_priority()
        if primary is None:
            return
        for node in view.initiatives():
            entry = node.entry
            if not isinstance(entry, Initiative) or entry.priority != primary.id:
                continue
            answer = entry.rationale.value if entry.rationale is not None else None
            if not (answer or "").strip():
                yield self.at_node(
                    node,
                    f"{capitalized(node.label)} names the primary priority '{primary.id}' but gives no rationale "
                    "linking it to the value definition. Add 'rationale: value:' saying which segment it serves "
                    "and which differentiator it proves.",
                    field="rationale" if entry.rationale is not None else "priority",
                )
