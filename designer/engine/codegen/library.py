"""Library sections: a node without a readable equivalent calls the Tessera module library itself.

``run_module`` (written once into the script) runs a module as a worker runs a node: a ``LocalContext``
with seed 0 and every core, the exported datasets, files and artifacts, and each output passed on in
its stored form (a table through Parquet), so the next section sees exactly what the next node saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modules.sdk import Module

from .literals import literal, parameter_ref
from .node_code import NodeCode, NodeSpec

RUN_MODULE = '''\
def run_module(module_id, version, node, params, **inputs):
    """Runs one module of the Tessera library as a Tessera worker runs a node: seed 0, every core,
    the exported data, and each output passed on as it is stored (a table through Parquet)."""
    module = default_registry().get(module_id, version)
    context = LocalContext(
        node_id=node,
        seed=0,
        threads=os.cpu_count() or 1,
        datasets=DATASETS,
        files=FILES,
        artifacts=dict(ARTIFACTS),
    )
    for port, value in inputs.items():
        if module.inputs[port].stored:  # this module reads the table in parts
            inputs[port] = context.tables.open(context.tables.save(value))
    outputs = module().run(inputs, module.parse_params(params), context)
    return {
        port: out.type.deserialize(out.type.serialize(outputs[port]))
        for port, out in module.outputs.items()
    }'''

AS_TABLE = '''\
def as_table(df, meta):
    """A DataFrame as a Tessera worker hands a table on: through Parquet, with its column roles."""
    return Table.deserialize(Table.serialize(DataTable(df, meta)))'''

READ_TABLE = '''\
def read_table(path):
    """A Parquet file as the Tessera library reads a table: the frame and its column roles."""
    return Table.deserialize(path.read_bytes())'''

USER_CODE = """\
# The library runs user scripts (Execute Python Script and the like) in a sandbox: bubblewrap or
# Landlock where this machine has them. Elsewhere it refuses unless told that running the script
# unconfined is acceptable: here it is your own script on your own machine.
os.environ.setdefault("TESSERA_UNSAFE_UNCONFINED_USER_CODE", "true")"""

LIBRARY_IMPORTS = ("import os", "from modules.sdk import DataTable, LocalContext, Table, default_registry")


def library_code(spec: NodeSpec, cls: type[Module], raw_params: Mapping[str, Any]) -> NodeCode:
    """The section of a node run through ``run_module``; ``raw_params`` as the document writes them
    (pipeline parameters resolved), bound fields written as ``PARAMETERS["name"]``."""
    params = {
        name: _Ref(parameter_ref(spec.bound[name])) if name in spec.bound else value
        for name, value in raw_params.items()
    }
    args = [literal(spec.module), str(spec.version), literal(spec.node_id)]
    keywords = [f"{port}={variable}" for port, variable in spec.inputs.items()]
    flat = f"run_module({', '.join([*args, literal(params, width=10_000), *keywords])})"
    lines = [*args, literal(params, indent=4, width=84), *keywords]
    wrapped = "run_module(\n" + "".join(f"    {line},\n" for line in lines) + ")"
    if len(spec.outputs) == 1:
        ((port, variable),) = spec.outputs.items()
        head, tail = f"{variable} = ", f"[{literal(port)}]"
    else:
        head, tail = "outputs = ", ""
    code = head + (flat if len(head + flat + tail) <= 88 else wrapped) + tail
    if len(spec.outputs) > 1:
        code += "\n" + "\n".join(f"{variable} = outputs[{literal(port)}]" for port, variable in spec.outputs.items())
    return NodeCode(code=code, imports=LIBRARY_IMPORTS, helpers=(RUN_MODULE,))


class _Ref:
    """A Python expression written as it is by ``literal``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text
