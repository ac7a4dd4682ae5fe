"""A pipeline document as one Python script (and the same sections as a notebook) that runs without the server.

``generate`` resolves the pipeline parameters, orders the nodes, and writes one commented section per
node: readable pandas / scikit-learn / LightGBM where an emitter exists for the node (``readable``),
the module library otherwise (``library``). Tables cross between the two kinds of section through a
conversion; any other value (a model, metrics) only between two readable sections, so a node whose
non-table neighbour is a library section becomes one too, until nothing changes.
"""

from __future__ import annotations

import ast
import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

from pydantic import ValidationError

from designer.engine.codegen.data_files import DataFile, dataset_fields
from designer.engine.graph import CycleError, Graph, parse_graph
from designer.engine.parameters import declarations, resolve
from designer.engine.problems import GraphFormatError, Problem
from modules.sdk import MetricsPort, Module, Registry, Table, UnknownModule, default_registry

from .imports import import_block
from .library import AS_TABLE, READ_TABLE, USER_CODE, library_code
from .literals import PARAMETERS, bind, comment, literal, parameter_ref
from .node_code import Emitter, NodeCode, NodeSpec
from .notebook import notebook
from .readable import emitters as readable_emitters
from .section import Section
from .specs import node_spec, variable

REQUIREMENTS = ("pandas", "pyarrow", "scikit-learn", "lightgbm")
LIBRARY_NOTE = "Tessera module library"


class ExportRefused(ValueError):
    """The document cannot be exported as it is; ``problems`` names every reason (node, parameter...)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class ExportedCode:
    script: str  # pipeline.py
    notebook: dict[str, Any]  # pipeline.ipynb, nbformat 4
    sections: tuple[Section, ...]  # setup, one per node, then the output block (the script's last lines)
    readable: tuple[str, ...]  # node ids written as plain pandas / scikit-learn / LightGBM
    library: tuple[str, ...]  # node ids that call the module library
    parameters: dict[str, Any]  # the PARAMETERS block's values
    packages: tuple[str, ...] = REQUIREMENTS  # what to pip install (the Tessera module library aside)


def generate(
    document: Mapping[str, Any],
    *,
    values: Mapping[str, Any] | None = None,
    data_files: Mapping[str, DataFile | str],
    artifacts: Sequence[str] = (),
    name: str = "Pipeline",
    origin: str = "",
    exported_at: dt.datetime | None = None,
    registry: Registry | None = None,
    emitters: Mapping[str, Emitter] | None = None,
) -> ExportedCode:
    """The script and notebook of ``document`` with pipeline parameter ``values`` (defaults for the rest).

    ``data_files``: node id (or ``"node.field"`` for a node with several dataset fields) -> the exported
    file its dataset field reads; ``artifacts``: digests of the artifacts exported to ``artifacts/``;
    ``origin`` says what was exported ("run 12 of version 3"). ``ExportRefused`` names what is wrong."""
    registry = registry or default_registry()
    emitters = readable_emitters() if emitters is None else emitters
    graph, resolution_values, bound = _resolved(document, values)
    classes = _classes(graph, registry)
    try:
        order = graph.topological_order()
    except CycleError as exc:
        raise ExportRefused([Problem("cycle", str(exc))]) from None
    files = _node_files(graph, registry, data_files)
    names = _output_names(order, classes)
    plan = _Plan(graph, order, classes, names, bound, files, emitters, registry)
    readable = plan.choose()
    writer = _Writer(plan, readable)
    parameters = _parameter_values(graph, resolution_values, bound)
    sections = writer.sections(parameters, artifacts)
    stamp = (exported_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    packages = _packages(sections[0].code)
    header = _header(name, origin, stamp, packages, library=bool(set(order) - readable))
    # Two blank lines around the output block's function, one between the other sections.
    script = header + "\n\n" + "\n\n".join(s.code for s in sections[:-1]) + "\n\n\n" + sections[-1].code + "\n"
    return ExportedCode(
        script=script,
        notebook=notebook(name, header, sections, writer.show_cell()),
        sections=tuple(sections),
        readable=tuple(n for n in order if n in readable),
        library=tuple(n for n in order if n not in readable),
        parameters=parameters,
        packages=packages,
    )


# -- resolving --------------------------------------------------------------------------------------


def _resolved(
    document: Mapping[str, Any], values: Mapping[str, Any] | None
) -> tuple[Graph, dict[str, Any], dict[tuple[str, str], str]]:
    try:
        declared = parse_graph(dict(document))
    except GraphFormatError as exc:
        raise ExportRefused(exc.problems) from None
    resolution = resolve(declared, dict(values or {}))  # exporting is running: required values needed
    if not resolution.ok:
        raise ExportRefused(resolution.problems)
    return resolution.graph, resolution.values, resolution.bound


def _classes(graph: Graph, registry: Registry) -> dict[str, type[Module]]:
    classes: dict[str, type[Module]] = {}
    problems = []
    for node in graph.nodes.values():
        try:
            classes[node.id] = registry.get(node.module, node.version)
            classes[node.id].parse_params(node.params)
        except UnknownModule as exc:
            problems.append(Problem("unknown_module", f"Node '{node.id}': {exc}", node=node.id))
        except ValidationError as exc:
            err = exc.errors()[0]
            param = ".".join(str(x) for x in err["loc"]) or None
            message = f"Node '{node.id}': parameter '{param}' is invalid: {err['msg']}."
            problems.append(Problem("invalid_param", message, node=node.id, param=param))
    if problems:
        raise ExportRefused(problems)
    return classes


def _node_files(
    graph: Graph, registry: Registry, data_files: Mapping[str, DataFile | str]
) -> dict[str, dict[str, DataFile]]:
    """Node -> dataset field -> the exported file it reads; refused naming the field when one is missing."""
    found: dict[str, dict[str, DataFile]] = {node_id: {} for node_id in graph.nodes}
    problems = []
    for item in dataset_fields(graph, registry):
        given = data_files.get(item.key)
        if given is None:
            message = f"Node '{item.node}': no data file was exported for its field '{item.field}'."
            problems.append(Problem("unknown_dataset", message, node=item.node, param=item.field.split(".")[0]))
            continue
        found[item.node][item.field] = given if isinstance(given, DataFile) else replace(item.data_file(), path=given)
    if problems:
        raise ExportRefused(problems)
    return found


def _output_names(order: list[str], classes: Mapping[str, type[Module]]) -> dict[tuple[str, str], str]:
    """(node, port) -> script variable, made unique where two node ids sanitize alike ("a-b", "a_b")."""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for node_id in order:
        for port in classes[node_id].outputs:
            base = candidate = variable(node_id, port)
            n = 2
            while candidate in taken:
                candidate, n = f"{base}_{n}", n + 1
            taken.add(candidate)
            names[(node_id, port)] = candidate
    return names


def _parameter_values(graph: Graph, values: Mapping[str, Any], bound: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The values of the parameters bound to a field, dataset parameters left out (their data is a file)."""
    declared, _ = declarations(graph)
    used = set(bound.values())
    return {n: values[n] for n in declared if n in used and n in values and declared[n].type != "dataset"}


# -- choosing readable or library sections ----------------------------------------------------------


class _Plan:
    def __init__(
        self,
        graph: Graph,
        order: list[str],
        classes: dict[str, type[Module]],
        names: dict[tuple[str, str], str],
        bound: Mapping[tuple[str, str], str],
        files: dict[str, dict[str, DataFile]],
        emitters: Mapping[str, Emitter],
        registry: Registry,
    ) -> None:
        self.graph, self.order, self.classes, self.names = graph, order, classes, names
        self.bound = {node_id: {f: p for (n, f), p in bound.items() if n == node_id} for node_id in order}
        self.files, self.emitters, self.registry = files, emitters, registry

    def is_table(self, node_id: str, port: str) -> bool:
        return issubclass(self.classes[node_id].outputs[port].type, Table)

    def input_variable(self, node_id: str, port: str, readable: set[str]) -> str:
        """The variable a node's input reads: the producer's own, or its conversion to this node's kind."""
        edge = self.graph.incoming(node_id)[port]
        name = self.names[(edge.source, edge.source_port)]
        if not self.is_table(edge.source, edge.source_port) or (edge.source in readable) == (node_id in readable):
            return name
        return f"{name}_df" if node_id in readable else f"{name}_table"

    def spec(self, node_id: str, readable: set[str], specs: Mapping[str, NodeSpec]) -> NodeSpec:
        node = self.graph.nodes[node_id]
        incoming = self.graph.incoming(node_id)
        spec = node_spec(  # parameters already checked by _classes
            node_id,
            node.module,
            node.params,
            version=node.version,
            inputs={port: self.input_variable(node_id, port, readable) for port in incoming},
            sources={port: specs[e.source] for port, e in incoming.items() if e.source in specs},
            source_ports={port: e.source_port for port, e in incoming.items()},
            registry=self.registry,
        )
        bound = self.bound[node_id]
        params = {k: bind(v, bound[k]) if k in bound else v for k, v in spec.params.items()}
        return replace(
            spec,
            params=params,
            outputs={port: self.names[(node_id, port)] for port in spec.outputs},
            bound=bound,
            files={f: d.path for f, d in self.files[node_id].items()},
        )

    def specs(self, readable: set[str]) -> dict[str, NodeSpec]:
        specs: dict[str, NodeSpec] = {}
        for node_id in self.order:
            specs[node_id] = self.spec(node_id, readable, specs)
        return specs

    def emit(self, spec: NodeSpec) -> NodeCode | None:
        emit = self.emitters.get(spec.module)
        return None if emit is None else emit(spec)

    def choose(self) -> set[str]:
        """The nodes written as readable code: an emitter that returns code, and every non-table
        neighbour readable too (iterated until nothing changes)."""
        readable = {n for n in self.order if self.graph.nodes[n].module in self.emitters}
        while True:
            specs = self.specs(readable)
            keep = {n for n in readable if self.emit(specs[n]) is not None}
            for edge in self.graph.edges:
                if not self.is_table(edge.source, edge.source_port) and not (
                    edge.source in keep and edge.target in keep
                ):
                    keep -= {edge.source, edge.target}
            if keep == readable:
                return readable
            readable = keep


# -- writing -----------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, plan: _Plan, readable: set[str]) -> None:
        self.plan = plan
        self.readable = readable
        self.specs = plan.specs(readable)

    def node_code(self, node_id: str) -> NodeCode:
        spec = self.specs[node_id]
        if node_id in self.readable:
            code = self.plan.emit(spec)
            assert code is not None  # choose() kept only nodes whose emitter writes code
            return code
        return library_code(spec, self.plan.classes[node_id], self.plan.graph.nodes[node_id].params)

    def sections(self, parameters: Mapping[str, Any], artifacts: Sequence[str]) -> list[Section]:
        codes = {n: self.node_code(n) for n in self.plan.order}
        body = [self.node_section(n, codes[n]) for n in self.plan.order]
        outputs = self.output_section()
        helpers: list[str] = []
        imports: list[str] = ["from pathlib import Path"]
        for node_id in self.plan.order:
            imports += codes[node_id].imports
            helpers += [h.strip() for h in codes[node_id].helpers if h.strip() not in helpers]
        library = [n for n in self.plan.order if n not in self.readable]
        if self.conversions_to_library():
            helpers.append(AS_TABLE)
            imports.append("from modules.sdk import DataTable, Table")
        setup = self.setup(parameters, artifacts, library)
        if "read_table(" in setup:
            helpers.append(READ_TABLE)
        imports += ["import json"]
        code_so_far = "\n\n".join([*helpers, setup, *(s.code for s in body), outputs.code])
        block = import_block(imports, code_so_far)
        head = "\n\n\n".join(part for part in (block, *helpers) if part)
        first = Section(markdown="## Setup", code=head + "\n\n\n" + setup if head else setup)
        return [first, *body, outputs]

    def conversions_to_library(self) -> bool:
        return any(
            self.plan.is_table(e.source, e.source_port) and e.source in self.readable and e.target not in self.readable
            for e in self.plan.graph.edges
        )

    def setup(self, parameters: Mapping[str, Any], artifacts: Sequence[str], library: list[str]) -> str:
        lines = [
            "# The folder this script is in (a notebook: the folder it runs in); data/ and outputs/ are there.",
            'HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()',
        ]
        if parameters:
            lines += [
                "",
                "# Pipeline parameters: the values this export pinned. Edit them here; the sections below read them.",
                f"{PARAMETERS} = {literal(dict(parameters), width=88)}",
            ]
        if library:
            tables: dict[int, str] = {}
            files: dict[int, str] = {}
            for node_id in library:
                for data in self.plan.files[node_id].values():
                    (files if data.kind == "file" else tables)[data.dataset_id] = data.path
            lines += [
                "",
                f"# What the {LIBRARY_NOTE} sections read: datasets and file datasets by id, stored artifacts",
                "# by digest (saved models and tables).",
                "DATASETS = " + _mapping({k: f"read_table(HERE / {literal(v)})" for k, v in tables.items()}),
                "FILES = " + _mapping({k: f"(HERE / {literal(v)}).read_bytes()" for k, v in files.items()}),
                "ARTIFACTS = "
                + _mapping({d: f'(HERE / "artifacts" / {literal(d)}).read_bytes()' for d in sorted(artifacts)}),
            ]
            if any(self.plan.classes[n].runs_user_code for n in library):
                lines += ["", USER_CODE]
        return "\n".join(lines)

    def node_section(self, node_id: str, code: NodeCode) -> Section:
        cls = self.plan.classes[node_id]
        note = self.plan.graph.layout.get(node_id, {}).get("comment", "")
        kind = "" if node_id in self.readable else f" · {LIBRARY_NOTE}"
        lines = [f"# ── {_one_line(cls.name)} ({node_id}){kind} ──"]
        if isinstance(note, str) and note.strip():
            lines.append(comment(note))
        spec = self.specs[node_id]
        for field_name, parameter in spec.bound.items():
            if node_id in self.readable and parameter_ref(parameter) not in code.code:
                shown = literal(self.plan.graph.nodes[node_id].params.get(field_name))
                lines.append(f"# {field_name} = {shown} comes from the pipeline parameter {parameter!r}.")
        lines.append(code.code.strip())
        lines += self.conversions(node_id, code)
        markdown = f"### {cls.name} (`{node_id}`)" + (f"\n\n{note.strip()}" if isinstance(note, str) and note else "")
        if node_id not in self.readable:
            markdown += f"\n\nRuns the {LIBRARY_NOTE}'s module `{cls.id}` version {cls.version}."
        return Section(markdown=markdown, code="\n".join(lines), node=node_id)

    def conversions(self, node_id: str, code: NodeCode) -> list[str]:
        lines: list[str] = []
        done: set[str] = set()
        for edge in self.plan.graph.outgoing(node_id):
            if not self.plan.is_table(node_id, edge.source_port):
                continue
            if (node_id in self.readable) == (edge.target in self.readable):
                continue
            name = self.plan.names[(node_id, edge.source_port)]
            if name in done:
                continue
            done.add(name)
            if node_id in self.readable:
                meta = code.meta.get(edge.source_port, "{}")
                lines.append(f"{name}_table = as_table({name}, {meta})  # for the library section(s) reading it")
            else:
                lines.append(f"{name}_df = {name}.df  # the plain DataFrame")
        return lines

    def outputs(self, port_type: type) -> list[tuple[str, str]]:
        """(file stem, expression) of every output of ``port_type``: tables as DataFrames, metrics as dicts."""
        found = []
        for node_id in self.plan.order:
            for port, out in self.plan.classes[node_id].outputs.items():
                if not issubclass(out.type, port_type):
                    continue
                name = self.plan.names[(node_id, port)]
                if node_id not in self.readable:
                    name += ".df" if port_type is Table else ".values"
                found.append((f"{node_id}__{port}", name))
        return found

    def output_section(self) -> Section:
        tables, metrics = self.outputs(Table), self.outputs(MetricsPort)
        body = [
            "def save_outputs(folder):",
            '    """Every table output as Parquet and every metrics output as JSON, named <node>__<port>."""',
            "    folder.mkdir(exist_ok=True)",
        ]
        if tables:
            body += [
                f"    tables = {_mapping(dict(tables), indent=4)}",
                "    for name, df in tables.items():",
                '        df.to_parquet(folder / f"{name}.parquet", index=False)',
            ]
        if metrics:
            body += [
                f"    metrics = {_mapping(dict(metrics), indent=4)}",
                "    for name, values in metrics.items():",
                "        text = json.dumps(values, indent=2, default=lambda v: v.item())  # numpy numbers too",
                '        (folder / f"{name}.json").write_text(text)',
            ]
        main = [
            'if __name__ == "__main__":',
            '    save_outputs(HERE / "outputs")',
            "    # Leave without the interpreter's native teardown: Arrow's Parquet thread pool can abort it once",
            "    # the work is done, turning a finished run into exit code -6 (apache/arrow#34314).",
            "    import os  # here, not above: a notebook has no such ending",
            "    import sys",
            "",
            "    sys.stdout.flush()",
            "    sys.stderr.flush()",
            "    os._exit(0)",
        ]
        code = "\n".join(body) + "\n\n\n" + "\n".join(main)
        return Section(markdown="## Outputs", code=code)

    def show_cell(self) -> Section:
        """The notebook's last cell: every metrics output and the last table, shown instead of saved."""
        tables, metrics = self.outputs(Table), self.outputs(MetricsPort)
        lines = ["from IPython.display import display", ""]
        lines += [f"print(json.dumps({expr}, indent=2, default=lambda v: v.item()))" for _, expr in metrics]
        lines += [f"display({expr})" for _, expr in tables[-1:]]
        return Section(markdown="## Results", code="\n".join(lines))


def _mapping(items: Mapping[Any, str], indent: int = 0) -> str:
    """A dict literal whose values are expressions, one item per line."""
    if not items:
        return "{}"
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{literal(k)}: {v},\n" for k, v in items.items())
    return "{\n" + body + " " * indent + "}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _packages(setup: str) -> tuple[str, ...]:
    """The distributions to install: pandas, pyarrow (Parquet), scikit-learn, LightGBM, and whatever other
    third-party module a section imports (simplemma for Preprocess Text, say); Tessera's own aside."""
    found = list(REQUIREMENTS)
    owners = metadata.packages_distributions()
    for node in ast.parse(setup).body:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for top in {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"modules", "__future__"}:
            package = (owners.get(top) or [top])[0]
            if package.lower() not in {p.lower() for p in found}:
                found.append(package)
    return tuple(found)


def _header(name: str, origin: str, stamp: str, packages: Sequence[str], *, library: bool) -> str:
    title = _one_line(name).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    made = f"{_one_line(origin)[:1].upper()}{_one_line(origin)[1:]}, exported" if origin else "Exported"
    lines = [
        f'"""{title}: a Tessera pipeline as a script.',
        "",
        f"{made} {stamp}. One section per node, in the order the pipeline runs them.",
        "",
        "Run it in this folder:",
        "",
        f"    pip install {' '.join(packages)}",
        "    python pipeline.py",
        "",
        "It reads data/ and writes every table output to outputs/<node>__<port>.parquet and every",
        "metrics output to outputs/<node>__<port>.json.",
    ]
    if library:
        lines += [
            "",
            f'The sections marked "{LIBRARY_NOTE}" call Tessera\'s modules directly; they also need',
            f"the {LIBRARY_NOTE} (`pip install -e <tessera checkout>`, or the Tessera server's",
            "virtual environment).",
        ]
    return "\n".join(lines) + '\n"""'
