"""A graph's values print in a line: a failing test or a --debug traceback that shows a
node must not print the whole strategy (each node points at its file, which holds every
node, each pointing back)."""

from __future__ import annotations

from stratlint.graph import build_graph
from stratlint.load.artifact import load_artifact

from conftest import STRATEGY


def test_nodes_files_and_references_print_in_a_line() -> None:
    loaded = [
        load_artifact(str(path), path.relative_to(STRATEGY).as_posix()) for path in sorted(STRATEGY.rglob("*.yaml"))
    ]
    graph = build_graph(loaded)
    nodes = list(graph.nodes.values())
    edges = [edge for node in nodes for edge in node.refs]
    assert len(nodes) > 20 and edges
    for value in [*nodes, *edges, *(node.artifact for node in nodes)]:
        text = repr(value)
        assert "\n" not in text and len(text) < 200, text[:300]
    objection = next(node for node in nodes if node.parent is not None)
    where = f"{objection.artifact.path}#{objection.pointer}"
    assert repr(objection) == f"Node({objection.type.value} {objection.id!r} at {where})"
    edge = edges[0]
    assert repr(edge) == f"ReferenceEdge({edge.source.id!r} {edge.field} -> {edge.target_id!r})"
