"""Problems found in a pipeline: one record per fault, naming what the canvas should highlight."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

CODES = frozenset(
    {
        "format",
        "unknown_module",
        "unknown_version",
        "unknown_port",
        "cycle",
        "missing_input",
        "duplicate_input",
        "incompatible_ports",
        "invalid_param",
        "unknown_column",
        "unknown_dataset",
        "wrong_dataset_kind",
        "foreign_artifact",
        "invalid_pipeline_parameter",
        "unknown_pipeline_parameter",
        "invalid_parameter_value",
        "missing_parameter_value",
        "duplicate_node",
        "dangling_edge",
        # components (see ``components.py``)
        "unknown_component",
        "invalid_component",
        "component_cycle",
        # raised while running one node (see ``execute.NodeFailed``)
        "module_error",
        "internal_error",
    }
)


@dataclass(frozen=True)
class Problem:
    """One fault. ``message`` is a full sentence for the user; the other fields let the UI pin it."""

    code: str
    message: str
    node: str | None = None
    port: str | None = None
    param: str | None = None
    column: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


class GraphFormatError(ValueError):
    """The document is not a pipeline; ``problems`` lists every reason at once."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("format", problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(" ".join(p.message for p in self.problems) or "The pipeline document is malformed.")


def node_label(node_id: str, name: str) -> str:
    """How every message names a node: its id (what the canvas shows) and its module's name."""
    return f"Node '{node_id}' ({name})"


def sentence(text: str) -> str:
    """``text`` ending with a full stop, so messages joined from parts still read as sentences."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
