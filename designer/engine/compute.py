"""Compute targets: where a node runs (a Celery queue) and, for partition-parallel modules, on which Dask cluster.

The operator declares targets (``TESSERA_COMPUTE_TARGETS``: JSON, or ``@path`` to a JSON file); a node
may name one in the pipeline document (``"compute": "<name>"``), which is not part of its cache key: the
pandas path and the Dask path give the same outputs. A node that names none runs on the default target.

Which path runs is decided per node, from its target and its inputs: a module without a Dask path
always runs with pandas; a target without a cluster runs everything with pandas; ``path: "dask"``
runs every partition-parallel module on the cluster; ``path: "auto"`` (the default) does so when the
node's table inputs together hold at least ``threshold_bytes`` of Parquet. Plain Python, no Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .problems import Problem

NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
_NAME = re.compile(NAME_PATTERN)
LOCAL = "local"  # the embedded default: a Dask cluster on the worker's own host, started when first needed
Path_ = Literal["auto", "pandas", "dask"]
PATHS = ("auto", "pandas", "dask")
DEFAULT_THRESHOLD_BYTES = 1 << 30  # 1 GiB of Parquet: above it, a partition-parallel module goes to Dask


@dataclass(frozen=True)
class ComputeTarget:
    """One place nodes run. ``dask``: a scheduler address (``tcp://host:8786``), ``"local"`` for a cluster
    the worker starts on its own host (``workers`` processes, ``memory_limit`` each), or ``None``."""

    name: str
    queue: str = "cpu"
    dask: str | None = LOCAL
    path: Path_ = "auto"
    threshold_bytes: int = DEFAULT_THRESHOLD_BYTES
    #: Rows per partition when a table is read onto the cluster; ``None``: one partition per Parquet row group.
    partition_rows: int | None = None
    workers: int = 2
    threads_per_worker: int = 1
    memory_limit: str = "2GiB"
    dashboard: str | None = None  # a link the node's panel can show; the local cluster's is filled in when known
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_cluster(self) -> bool:
        return self.dask is not None

    def describe(self) -> dict[str, Any]:
        """The catalogue entry (what the designer offers in a node's "Compute" choice)."""
        out = asdict(self)
        out.pop("extra")
        out["cluster"] = "none" if self.dask is None else ("local" if self.dask == LOCAL else "remote")
        return out


class ComputeSettingsError(ValueError):
    """``TESSERA_COMPUTE_TARGETS`` cannot be read; the message names the target and field at fault."""


_FIELDS = {f for f in ComputeTarget.__dataclass_fields__ if f != "extra"}


def default_targets(threshold_bytes: int = DEFAULT_THRESHOLD_BYTES) -> dict[str, ComputeTarget]:
    """Without a declaration: ``default`` (queue ``cpu``, the embedded local cluster, automatic by size)."""
    return {"default": ComputeTarget("default", threshold_bytes=threshold_bytes, description="the embedded default")}


def parse_targets(raw: Any, threshold_bytes: int = DEFAULT_THRESHOLD_BYTES) -> dict[str, ComputeTarget]:
    """Targets from their JSON declaration: a list of objects (the first is the default), or ``{"targets": [...]}``."""
    if isinstance(raw, dict) and "targets" in raw:
        raw = raw["targets"]
    if not isinstance(raw, list) or not raw:
        raise ComputeSettingsError("TESSERA_COMPUTE_TARGETS must be a non-empty JSON list of targets")
    out: dict[str, ComputeTarget] = {}
    for i, entry in enumerate(raw):
        target = _target(entry, i, threshold_bytes)
        if target.name in out:
            raise ComputeSettingsError(f"compute target '{target.name}' is declared twice")
        out[target.name] = target
    return out


def _target(entry: Any, i: int, threshold_bytes: int) -> ComputeTarget:
    where = f"compute target {i + 1}"
    if not isinstance(entry, dict):
        raise ComputeSettingsError(f"{where} must be an object, not {type(entry).__name__}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ComputeSettingsError(f"{where} needs a name of 1 to 64 letters, digits, '.', '_' or '-', not {name!r}")
    where = f"compute target '{name}'"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ComputeSettingsError(
            f"{where} has unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(_FIELDS))})"
        )
    values: dict[str, Any] = {"threshold_bytes": threshold_bytes, **entry}
    _check(where, "queue", values.get("queue", "cpu"), str)
    dask = values.get("dask", LOCAL)
    if dask is not None and (not isinstance(dask, str) or not (dask == LOCAL or "://" in dask)):
        raise ComputeSettingsError(
            f'{where}: dask must be "local", a scheduler address such as tcp://host:8786, or null'
        )
    if values.get("path", "auto") not in PATHS:
        raise ComputeSettingsError(f"{where}: path must be one of {', '.join(PATHS)}, not {values.get('path')!r}")
    for key in ("threshold_bytes", "workers", "threads_per_worker"):
        _check(where, key, values.get(key, 1), int, minimum=0 if key == "threshold_bytes" else 1)
    if values.get("partition_rows") is not None:
        _check(where, "partition_rows", values["partition_rows"], int, minimum=1)
    return ComputeTarget(**values)


def _check(where: str, key: str, value: Any, kind: type, minimum: int | None = None) -> None:
    number: Any = value  # compared only once known to be of ``kind``
    if not isinstance(value, kind) or isinstance(value, bool) or (minimum is not None and number < minimum):
        bound = f" of at least {minimum}" if minimum is not None else ""
        raise ComputeSettingsError(f"{where}: {key} must be a {kind.__name__}{bound}, not {value!r}")


def targets_from_env(environ: Mapping[str, str]) -> dict[str, ComputeTarget]:
    """``TESSERA_COMPUTE_TARGETS`` (JSON text, or ``@/path/to/targets.json``) with
    ``TESSERA_DASK_THRESHOLD_MB`` as every target's default threshold; the embedded default without them."""
    threshold = DEFAULT_THRESHOLD_BYTES
    if environ.get("TESSERA_DASK_THRESHOLD_MB"):
        try:
            threshold = int(float(environ["TESSERA_DASK_THRESHOLD_MB"]) * 1024 * 1024)
        except ValueError:
            raise ComputeSettingsError(
                f"TESSERA_DASK_THRESHOLD_MB must be a number, not {environ['TESSERA_DASK_THRESHOLD_MB']!r}"
            ) from None
    text = environ.get("TESSERA_COMPUTE_TARGETS", "").strip()
    if not text:
        return default_targets(threshold)
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text()
        except OSError as exc:
            raise ComputeSettingsError(
                f"TESSERA_COMPUTE_TARGETS names {text[1:]}, which cannot be read: {exc}"
            ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ComputeSettingsError(f"TESSERA_COMPUTE_TARGETS is not JSON: {exc}") from None
    return parse_targets(raw, threshold)


def target_of(targets: Mapping[str, ComputeTarget], name: str | None) -> ComputeTarget:
    """The target a node names, or the default (the first declared) when it names none."""
    if name is None:
        return next(iter(targets.values()))
    return targets[name]


def compute_problems(nodes: Mapping[str, str | None], targets: Mapping[str, ComputeTarget]) -> list[Problem]:
    """A problem for every node (id -> its ``compute``) that names a target the operator did not declare."""
    known = ", ".join(targets)
    return [
        Problem(
            "unknown_compute",
            f"Node '{node_id}' asks for compute target '{name}', which is not declared (declared: {known}).",
            node=node_id,
            param="compute",
        )
        for node_id, name in nodes.items()
        if name is not None and name not in targets
    ]


def choose_path(target: ComputeTarget, partition_parallel: bool, input_bytes: int) -> Literal["pandas", "dask"]:
    """``"dask"`` when the module can run partition-parallel, the target has a cluster and its rule says so."""
    if not partition_parallel or not target.has_cluster or target.path == "pandas":
        return "pandas"
    if target.path == "dask":
        return "dask"
    return "dask" if input_bytes >= target.threshold_bytes else "pandas"
