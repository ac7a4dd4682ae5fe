"""Building a scoring bundle: a .tar.gz holding an endpoint's inference pipeline, its artifacts, its input
schema and examples, Tessera's engine and module library, and a runner that serves it (``runner.py``).

Pure: the caller gives the endpoint's pinned document and a function that reads an artifact by digest.
Nothing of the server goes in: no key, no settings, no database row beyond what the endpoint publishes
in its OpenAPI document (name, inputs, example).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from designer.engine.graph import Graph, Node, parse_graph, to_document
from designer.engine.problems import node_label
from designer.engine.scoring import INPUT_MODULE
from designer.engine.store import ArtifactMissing
from designer.engine.validate import artifact_refs
from modules.sdk import Registry, UnknownModule

from . import files
from .probe import Probe, ProbeFailed, probe

FORMAT = "tessera.scoring_bundle"
FORMAT_VERSION = 1
ENGINE = Path(__file__).resolve().parents[1]  # designer/engine
DESIGNER = ENGINE.parent


@dataclass(frozen=True)
class BundleSource:
    """What the bundle is built from: the endpoint as deployed (its pinned document and published parts)."""

    endpoint: str
    revision: int
    pipeline: str
    pipeline_version: int
    document: dict[str, Any]
    inputs: list[dict[str, Any]]
    outputs: list[str]
    example: dict[str, Any]
    example_response: dict[str, Any] = field(default_factory=dict)
    description: str = ""


class BundleRefused(Exception):
    """The endpoint cannot be bundled; ``problems`` name the node at fault."""

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def bundle_refusal(document: dict[str, Any], registry: Registry) -> BundleRefused | None:
    """Why a served document cannot be bundled (a module that runs user code, an unknown module), or ``None``.

    For listings (the registry's formats, the endpoint page): cheap, reads no artifact."""
    try:
        _classes(parse_graph(document), registry)
    except BundleRefused as exc:
        return exc
    return None


def bundle_name(endpoint: str) -> str:
    return f"{endpoint}-scoring-bundle"


def build_bundle(
    source: BundleSource, registry: Registry, read_artifact: Callable[[str], bytes], out: IO[bytes]
) -> dict[str, Any]:
    """Write the bundle (gzip-compressed tar, one top folder) to ``out``; returns its manifest."""
    graph = parse_graph(source.document)
    _classes(graph, registry)  # refuses what cannot leave Tessera
    graph, stripped = _without_baseline_rows(graph, read_artifact)
    artifacts: dict[str, bytes] = dict(stripped)
    for node_id, param, digest in artifact_refs(graph, registry):
        if digest not in artifacts:
            try:
                artifacts[digest] = read_artifact(digest)
            except ArtifactMissing:
                raise BundleRefused(
                    f"Artifact {digest[:12]}... that the endpoint reads is gone from the store; redeploy the endpoint."
                ) from None
        if _holds_user_code(artifacts[digest]):
            label = node_label(node_id, registry.get(graph.nodes[node_id].module, graph.nodes[node_id].version).name)
            raise BundleRefused(
                f"{label}: its model was made by Create Python Model and runs the user's script on every call, only "
                "inside Tessera's sandbox; a scoring bundle carries no sandbox, so this endpoint cannot be bundled.",
                [{"node": node_id, "param": param}],
            )
    sources = _source_files()
    built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "endpoint": source.endpoint,
        "description": source.description,
        "revision": source.revision,
        "pipeline": source.pipeline,
        "pipeline_version": source.pipeline_version,
        "built_at": built_at,
        "inputs": source.inputs,
        "outputs": source.outputs,
        "routes": {"azure": "/score", "mlflow": "/invocations", "health": "/healthz"},
        "artifacts": [{"digest": d, "bytes": len(b)} for d, b in sorted(artifacts.items())],
    }
    texts = {
        "pipeline.json": _json(to_document(graph)),
        "schema/inputs.json": _json(source.inputs),
        "runner.py": files.ENTRY,
        ".dockerignore": ".venv\n__pycache__\n",
        **{f"examples/{name}": _json(body) for name, body in _examples(source).items()},
    }
    top = bundle_name(source.endpoint)
    with tempfile.TemporaryDirectory(prefix="tessera-bundle-") as scratch:
        folder = Path(scratch) / top
        for name, content in texts.items():
            _write(folder / name, content.encode())
        for digest, data in artifacts.items():
            _write(folder / "artifacts" / digest, data)
        for path, name in sources:
            _write(folder / "src" / name, path.read_bytes())
        _write(folder / "bundle.json", _json(manifest).encode())
        tried = _tried(folder, source)
        manifest["requirements"] = tried.requirements
        texts = {
            "bundle.json": _json(manifest),
            "requirements.txt": "".join(f"{line}\n" for line in tried.requirements),
            "Dockerfile": files.dockerfile(tried.requirements),
            "README.md": files.readme(manifest),
        }
        for name, content in texts.items():
            _write(folder / name, content.encode())
        with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as tar:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    _add(tar, f"{top}/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return manifest


def _classes(graph: Graph, registry: Registry) -> dict[str, Any]:
    """Each node's module class; a module that runs user code is refused (the bundle carries no sandbox)."""
    classes: dict[str, Any] = {}
    for node in graph.nodes.values():
        try:
            classes[node.id] = registry.get(node.module, node.version)
        except UnknownModule as exc:
            raise BundleRefused(f"Node '{node.id}': {exc}.", [{"node": node.id}]) from None
        if classes[node.id].runs_user_code:
            label = node_label(node.id, classes[node.id].name)
            raise BundleRefused(
                f"{label} runs user code, which only runs inside Tessera's sandbox; a scoring bundle carries no "
                "sandbox, so this endpoint cannot be bundled.",
                [{"node": node.id, "module": node.module}],
            )
    return classes


#: The estimator of Create Python Model: its predictions run the user's pickled model in a sandboxed child.
USER_CODE_ESTIMATORS = (b"modules.estimators.python_model",)


def _holds_user_code(data: bytes) -> bool:
    """Whether a trained model artifact's skops schema names an estimator that runs user code."""
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as outer,
            zipfile.ZipFile(io.BytesIO(outer.read("estimator.skops"))) as inner,
        ):
            schema = inner.read("schema.json")
    except (zipfile.BadZipFile, KeyError):
        return False  # not a trained model (a transformation, a table)
    return any(name in schema for name in USER_CODE_ESTIMATORS)


def _without_baseline_rows(graph: Graph, read_artifact: Callable[[str], bytes]) -> tuple[Graph, dict[str, bytes]]:
    """Each Web Service Input's drift baseline swapped for a row-less copy with the same schema and metadata
    (the training profile its warnings are checked against): the bundle carries no training rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from designer.engine.store import digest_of

    nodes = dict(graph.nodes)
    made: dict[str, bytes] = {}
    for node in graph.nodes.values():
        baseline = node.params.get("baseline")
        if node.module != INPUT_MODULE or not isinstance(baseline, str) or not baseline:
            continue
        try:
            schema = pq.read_schema(io.BytesIO(read_artifact(baseline)))
        except ArtifactMissing:
            nodes[node.id] = Node(node.id, node.module, node.version, {**node.params, "baseline": ""}, node.regenerate)
            continue  # the endpoint itself answers without its warnings then (scoring._checks)
        buffer = pa.BufferOutputStream()
        pq.write_table(schema.empty_table(), buffer)
        data = buffer.getvalue().to_pybytes()
        digest = digest_of(data)
        made[digest] = data
        nodes[node.id] = Node(node.id, node.module, node.version, {**node.params, "baseline": digest}, node.regenerate)
    return Graph(nodes, graph.edges, graph.parameters, graph.layout), made


def _examples(source: BundleSource) -> dict[str, Any]:
    """Example requests in the endpoint's shapes, and the endpoint's answer to the Azure one."""
    found: dict[str, Any] = {"score.json": source.example}
    inputs = source.example.get("Inputs") or {}
    if len(inputs) == 1:
        rows = next(iter(inputs.values()))
        columns = [c["name"] for c in source.inputs[0]["columns"]]
        found["invocations-records.json"] = {"dataframe_records": rows}
        found["invocations-split.json"] = {
            "dataframe_split": {"columns": columns, "data": [[row.get(c) for c in columns] for row in rows]}
        }
    if source.example_response:
        found["score-response.json"] = source.example_response
    return found


def _source_files() -> list[tuple[Path, str]]:
    """Tessera's plain-Python parts the runner imports: ``designer/__init__.py``, ``designer/engine``, ``modules``."""
    import modules

    library = Path(modules.__file__).resolve().parent
    found = [(DESIGNER / "__init__.py", "designer/__init__.py")]
    for root, prefix in ((ENGINE, "designer/engine"), (library, "modules")):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.append((path, f"{prefix}/{path.relative_to(root).as_posix()}"))
    return found


_tried_before: dict[str, Probe] = {}  # what a bundle's files gave when started, by their digest


def _tried(folder: Path, source: BundleSource) -> Probe:
    """The bundle started once: it must answer the example as the endpoint did (when the endpoint could).

    A bundle of the same pipeline, artifacts and examples is started once per process: the same files give
    the same answer and import the same packages, and each download would otherwise wait for it again."""
    seen = hashlib.sha256()
    for name in ("pipeline.json", "examples/score.json"):  # the document names every artifact by digest
        seen.update((folder / name).read_bytes())
    key = seen.hexdigest()
    tried = _tried_before.get(key)
    if tried is None:
        try:
            tried = probe(folder)
        except ProbeFailed as exc:
            raise BundleRefused(f"the bundle's runner could not start: {exc}") from None
        if len(_tried_before) >= 64:
            _tried_before.clear()
        _tried_before[key] = tried
    if tried.status != 200 or (source.example_response and tried.answer != source.example_response):
        raise BundleRefused("the bundle's runner answered the example request differently from the endpoint.")
    return tried


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False) + "\n"


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))
