"""Which learner a scored table came from: traced upstream through model ports (Score → Train → learner).

Plain graph reading, no Django. Used to name the models Evaluate Model compares ("Two-Class Boosted
Decision Tree" rather than "right input") in run metrics, the runs table and run comparison.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from modules.sdk import Table, UnknownModule
from modules.sdk.module import Module
from modules.sdk.ports import UntrainedImageModel, UntrainedModel
from modules.sdk.registry import Registry

from .graph import Graph

UNTRAINED = (UntrainedModel, UntrainedImageModel)


@dataclass(frozen=True)
class Learner:
    node: str  # the learner's node id
    name: str  # its module's display name, e.g. "Two-Class Logistic Regression"


def learner_of(graph: Graph, node_id: str, port: str, registry: Registry) -> Learner | None:
    """The learner behind the table wired into ``node_id``'s input ``port``; ``None`` when none is found.

    Walks upstream breadth first from the node feeding that input, following only inputs that carry a
    model or a transformation (never tables, so the data path does not lead to an unrelated learner),
    and stops at the first node that outputs an untrained model. A model with no learner in the graph
    (Saved Trained Model, say) is named after the node that produced it.
    """
    edge = graph.incoming(node_id).get(port)
    if edge is None:
        return None
    start = edge.source
    queue, seen, last = deque([start]), {start}, None
    while queue:
        current = queue.popleft()
        cls = _module(graph, current, registry)
        if cls is None:
            continue
        if any(issubclass(out.type, UNTRAINED) for out in cls.outputs.values()):
            return Learner(current, cls.name)
        model_inputs = [
            e.source for p, e in graph.incoming(current).items() if p in cls.inputs and not _is_table(cls, p)
        ]
        if not model_inputs and current != start:
            last = last or Learner(current, cls.name)
        for parent in model_inputs:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return last


def labels(learners: list[Learner | None], fallbacks: list[str]) -> list[str]:
    """Display names for models side by side: the learner's name, with its node id when two share one."""
    names = [learner.name if learner else fallback for learner, fallback in zip(learners, fallbacks, strict=True)]
    return [
        f"{name} ({learner.node})" if learner and names.count(name) > 1 else name
        for name, learner in zip(names, learners, strict=True)
    ]


def _module(graph: Graph, node_id: str, registry: Registry) -> type[Module] | None:
    node = graph.nodes.get(node_id)
    if node is None:
        return None
    try:
        return registry.get(node.module, node.version)
    except UnknownModule:
        return None


def _is_table(cls: type[Module], port: str) -> bool:
    return issubclass(cls.inputs[port].type, Table)
