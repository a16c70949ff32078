"""What a change does to alignment, as text, JSON or Markdown for a pull-request comment. Pure."""

from __future__ import annotations

import json
from collections import defaultdict

from stratlint.diagnostics import Diagnostic
from stratlint.report.text import format_diagnostic
from stratlint.vcs.impact import Dependent, Impact

NO_OWNER = "(no owner)"


def grouped(impact: Impact) -> dict[str, dict[str, list[Dependent]]]:
    groups: dict[str, dict[str, list[Dependent]]] = defaultdict(lambda: defaultdict(list))
    for dependent in impact.dependents:
        function = dependent.node.plan_owner or "strategy"
        groups[function][dependent.node.effective_owner or NO_OWNER].append(dependent)
    return {f: dict(sorted(owners.items())) for f, owners in sorted(groups.items())}


def _reason(dependent: Dependent) -> str:
    return "; ".join(
        f"'{changed}' ({field})" + ("" if how == "direct" else f" {how}") for changed, field, how in dependent.because
    )


def _change_lines(impact: Impact, indent: str) -> list[str]:
    lines = []
    for change in impact.changes:
        lines.append(f"{indent}{change.type} '{change.id}' {change.change}  {change.path}:{change.line}")
        lines += [f"{indent}  {item.describe(80)}" for item in change.fields]
    return lines


def render_text(impact: Impact) -> str:
    lines = [f"Impact of the change against {impact.base}", ""]
    if not impact.changes:
        lines.append("No value, narrative or priority node changed.")
    else:
        lines.append(f"Strategy nodes changed ({len(impact.changes)}):")
        lines += _change_lines(impact, "  ")
    lines += ["", f"Entries that depend on them ({len(impact.dependents)}):"]
    for function, owners in grouped(impact).items():
        lines.append(f"  {function}")
        for owner, items in owners.items():
            lines.append(f"    {owner}")
            for dependent in items:
                node = dependent.node
                lines.append(f"      {node.label}  {node.artifact.path}:{node.id_span.line}  via {_reason(dependent)}")
    if not impact.dependents:
        lines.append("  none")
    lines += ["", f"Findings added ({len(impact.added)}):"]
    lines += [f"  {format_diagnostic(d)}" for d in impact.added] or ["  none"]
    lines += ["", f"Findings removed ({len(impact.removed)}):"]
    lines += [f"  {format_diagnostic(d)}" for d in impact.removed] or ["  none"]
    return "\n".join(lines) + "\n"


def render_json(impact: Impact) -> str:
    document = impact.as_dict()
    document["by_function"] = {
        function: {owner: [d.node.id for d in items] for owner, items in owners.items()}
        for function, owners in grouped(impact).items()
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(impact: Impact) -> str:
    """A flowchart of the impacted subgraph: each dependent points at what changed under it."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]

    def node(node_id: str, label: str, css: str) -> str:
        if node_id not in ids:
            ids[node_id] = f"n{len(ids)}"
            lines.append(f'  {ids[node_id]}["{_label(label)}"]:::{css}')
        return ids[node_id]

    for change in impact.changes:
        node(change.id, f"{change.type} '{change.id}' ({change.change})", "changed")
    for dependent in impact.dependents:
        source = node(
            dependent.node.id,
            f"{dependent.node.label}",
            dependent.node.function.value if dependent.node.function else "other",
        )
        for changed, field, how in dependent.because:
            target = ids.get(changed) or node(changed, changed, "changed")
            arrow = f"-->|{_label(field)}|" if how == "direct" else f"-.->|{_label(field + ' ' + how)}|"
            lines.append(f"  {source} {arrow} {target}")
    lines += [
        "  classDef changed fill:#fde2e2,stroke:#b91c1c",
        "  classDef product fill:#e0ecff,stroke:#1d4ed8",
        "  classDef marketing fill:#fdf2d0,stroke:#b45309",
        "  classDef sales fill:#dcfce7,stroke:#15803d",
        "  classDef other fill:#eeeeee,stroke:#555555",
    ]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_finding(diagnostic: Diagnostic) -> str:
    return (
        f"| `{diagnostic.path}:{diagnostic.line}` | {diagnostic.code} {diagnostic.severity.label} "
        f"| {_md_cell(diagnostic.message)} |"
    )


def render_markdown(impact: Impact) -> str:
    lines = [f"### Strategy impact against `{impact.base}`", ""]
    if impact.changes:
        lines += ["**Changed strategy nodes**", ""]
        for change in impact.changes:
            lines.append(f"- {change.type} `{change.id}` {change.change} (`{change.path}:{change.line}`)")
            lines += [f"  - {_md_cell(item.describe(80))}" for item in change.fields]
    else:
        lines.append("No value, narrative or priority node changed.")
    lines += ["", f"**Entries that depend on them ({len(impact.dependents)})**", ""]
    if impact.dependents:
        lines += ["| Function | Owner | Entry | Where | Because of |", "|---|---|---|---|---|"]
        for function, owners in grouped(impact).items():
            for owner, items in owners.items():
                for dependent in items:
                    node = dependent.node
                    lines.append(
                        f"| {function} | {_md_cell(owner)} | {node.type.value} `{node.id}` "
                        f"| `{node.artifact.path}:{node.id_span.line}` | {_md_cell(_reason(dependent))} |"
                    )
        lines += ["", "```mermaid", mermaid(impact), "```"]
    else:
        lines.append("None.")
    for title, findings in (("Findings added", impact.added), ("Findings removed", impact.removed)):
        lines += ["", f"**{title} ({len(findings)})**", ""]
        if findings:
            lines += ["| Where | Rule | Message |", "|---|---|---|", *(_md_finding(d) for d in findings)]
        else:
            lines.append("None.")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
