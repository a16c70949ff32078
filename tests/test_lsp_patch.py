"""The language server's graph, kept up to date one file at a time (stratlint.lsp.patch),
equals the graph built from every file, edit by edit: the same nodes, references, indexes
and orders, whatever an edit does (a reworded title, an id renamed, defined twice, removed,
a reference retargeted, a file that stops loading and loads again)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from stratlint.graph import Graph, build_graph
from stratlint.graph.core import Node, ReferenceEdge
from stratlint.load.artifact import load_bytes
from stratlint.load.discover import discover
from stratlint.lsp.patch import FilePart, assemble, part_of, replace_part
from stratlint.model import NodeType

from conftest import STRATEGY


def _node(node: Node | None) -> tuple[str, str, str, str] | None:
    return None if node is None else (node.id, node.type.value, node.artifact.path, node.pointer)


def _edge(edge: ReferenceEdge) -> tuple[Any, ...]:
    return (_node(edge.source), edge.field, edge.pointer, edge.target_id, _node(edge.target))


def shape(graph: Graph) -> dict[str, Any]:
    """Everything a rule can read from a graph, as plain values, orders included."""
    return {
        "loaded": [item.path for item in graph.loaded],
        "artifacts": [artifact.path for artifact in graph.artifacts],
        "nodes": [(node_id, _node(node)) for node_id, node in graph.nodes.items()],
        "duplicates": [(_node(later), _node(first)) for later, first in graph.duplicates],
        "edges": [_edge(edge) for edge in graph.edges],
        "edges_to": {target: [_edge(edge) for edge in found] for target, found in graph.edges_to.items()},
        "by_type": {node_type.value: [_node(node) for node in found] for node_type, found in graph.by_type.items()},
        "unloaded": sorted(graph.unloaded),
        "primaries": [_node(node) for node in graph.primaries],
        "by_path": list(graph.by_path),
        "ids": {node_type.value: list(graph.ids_of_types(frozenset({node_type}))) for node_type in NodeType},
        "parents": [(_node(node), _node(node.parent)) for artifact in graph.artifacts for node in artifact.nodes],
    }


def _files() -> dict[str, bytes]:
    found, _ = discover(STRATEGY, STRATEGY.parent)
    return {relpath: open(name, "rb").read() for name, relpath in found}


def _build(files: dict[str, bytes]) -> Graph:
    return build_graph([load_bytes(data, path) for path, data in files.items()], "strategy")


def _ids(text: str) -> list[str]:
    return re.findall(r"\bid: ([a-z0-9.-]+)", text)


def _edits(text: str, ids: list[str], rng: random.Random) -> str:
    """One edit a person might make."""
    mine = _ids(text)
    choice = rng.randrange(7)
    if choice == 0 and mine:  # rename an id the file declares
        old = rng.choice(mine)
        return text.replace(f"id: {old}\n", f"id: {old}.renamed\n", 1)
    if choice == 1 and mine:  # declare an id of another file again
        return text.replace(f"id: {mine[-1]}\n", f"id: {rng.choice(ids)}\n", 1)
    if choice == 2:  # break the file
        return text + "\n  : : [\n"
    if choice == 3 and ids:  # point a reference somewhere else
        found = list(re.finditer(r"(priority|narrative|value): \[?([a-z0-9.-]+)", text))
        if found:
            match = rng.choice(found)
            return text[: match.start(2)] + rng.choice(ids) + text[match.end(2) :]
    if choice == 4:  # reword
        return text.replace("title:", "title: Reworded,", 1)
    if choice == 5 and mine:  # an id that names nothing yet
        return text.replace(f"id: {mine[0]}\n", "id: brand-new\n", 1)
    return text


SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 6))]
"""Each seed is a random walk of 25 edits, the whole strategy loaded and built again after
each (a second or more a seed): the everyday run walks the first, CI (--integration) all six."""


@pytest.mark.parametrize("seed", SEEDS)
def test_replacing_one_file_at_a_time_equals_building_anew(seed: int) -> None:
    rng = random.Random(seed)
    files = _files()
    parts: list[FilePart] = [part_of(load_bytes(data, path), "strategy") for path, data in files.items()]
    graph = assemble(parts, "strategy")
    assert shape(graph) == shape(_build(files))
    all_ids = [node_id for text in files.values() for node_id in _ids(text.decode())]
    paths = list(files)
    where = {path: index for index, path in enumerate(paths)}
    for _ in range(25):
        position = rng.randrange(len(paths))
        path = paths[position]
        files[path] = _edits(files[path].decode(), all_ids, rng).encode()
        graph = replace_part(graph, parts, where, position, part_of(load_bytes(files[path], path), "strategy"))
        assert shape(graph) == shape(_build(files)), path


def test_an_unchanged_file_gives_the_same_graph() -> None:
    files = _files()
    parts = [part_of(load_bytes(data, path), "strategy") for path, data in files.items()]
    graph = assemble(parts, "strategy")
    before = shape(graph)
    path = next(iter(files))
    graph = replace_part(
        graph, parts, {p.path: i for i, p in enumerate(parts)}, 0, part_of(load_bytes(files[path], path), "strategy")
    )
    assert shape(graph) == before
