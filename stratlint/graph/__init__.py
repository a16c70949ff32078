"""The reference graph (stratlint.graph.core), how it is built (build), and what a
file-scoped rule sees of it (view)."""

from __future__ import annotations

from stratlint.graph.build import GraphBuilder, build_graph
from stratlint.graph.core import (
    INITIATIVE_TYPES,
    Artifact,
    Graph,
    Lookup,
    Node,
    ReferenceEdge,
    initiative_of,
    primary_share,
)
from stratlint.graph.view import FileView, file_views

__all__ = [
    "INITIATIVE_TYPES",
    "Artifact",
    "FileView",
    "Graph",
    "GraphBuilder",
    "Lookup",
    "Node",
    "ReferenceEdge",
    "build_graph",
    "file_views",
    "initiative_of",
    "primary_share",
]
