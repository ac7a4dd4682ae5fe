"""What a code emitter is given for one node (``NodeSpec``) and what it writes back (``NodeCode``).

Variables in the generated script hold, per port type:
- ``table``: a plain pandas DataFrame in readable sections; a ``DataTable`` in library sections (the
  generator converts at the boundary: ``table.df`` one way, ``DataTable(df, meta)`` the other);
- ``untrained_model`` / ``trained_model`` / ``metrics`` / others: whatever the emitters on both ends
  agree on. The generator only lets a readable section exchange a non-table value with another
  readable section; where either end is a library section, both ends become library sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NodeSpec:
    node_id: str
    module: str  # module id, e.g. "split_data"
    version: int
    title: str  # the module's display name, e.g. "Split Data"
    #: Validated parameters with defaults filled in and pipeline parameters resolved (JSON form,
    #: ``Module.parse_params(raw).model_dump(mode="json")``).
    params: Mapping[str, Any]
    #: Connected input port -> the script variable holding its value.
    inputs: Mapping[str, str]
    #: Output port -> the script variable the section must assign (every output port of the module).
    outputs: Mapping[str, str]
    #: Connected input port -> the spec of the node feeding it (static knowledge: which learner a Train
    #: Model gets, which label column a Score Model's model was trained on).
    sources: Mapping[str, NodeSpec] = field(default_factory=dict)
    #: Connected input port -> the output port of the source node feeding it.
    source_ports: Mapping[str, str] = field(default_factory=dict)
    #: Field -> the pipeline parameter bound to it. In ``params`` such a field's value (text, a number, a
    #: list or a dict; not true/false) is the value itself, but its ``repr()`` is ``PARAMETERS["name"]``,
    #: the script's editable parameter block: an emitter writing values with ``repr`` uses the parameter.
    bound: Mapping[str, str] = field(default_factory=dict)
    #: Dataset field (``DatasetRef``) -> the path of the exported data file, relative to the script's
    #: folder, which the script names ``HERE`` (``HERE / "data/data.parquet"``).
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeCode:
    #: The section's statements: read the input variables, assign every output variable. Written for a
    #: reader: short names, a comment where the module does something a reader would not guess.
    code: str
    #: Import lines (``import pandas as pd``, ``from sklearn.pipeline import Pipeline``): merged,
    #: deduplicated and sorted at the top of the script.
    imports: tuple[str, ...] = ()
    #: Module-level function definitions the code calls, deduplicated by text, placed after the imports.
    helpers: tuple[str, ...] = ()
    #: Output port -> a Python expression for the column roles of that output table (the ``DataTable``
    #: meta: ``label_column``, ``score_columns``, ``task``), used only when a library section reads it.
    meta: Mapping[str, str] = field(default_factory=dict)


#: Readable code for one node, or ``None`` when this configuration has no readable equivalent (the
#: generator then calls the module library for that node).
Emitter = Callable[[NodeSpec], NodeCode | None]
