"""The one mapper from pipeline rows to engine objects."""

from __future__ import annotations

from designer.engine.graph import Graph, parse_graph

from .models import PipelineVersion


def graph_of(version: PipelineVersion) -> Graph:
    """The engine graph of a saved version (its document was canonical when saved, so this parses)."""
    return parse_graph(version.document)
