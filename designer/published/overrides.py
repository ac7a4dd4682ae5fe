"""Dataset parameters of a published pipeline: a caller names a dataset of the endpoint's workspace, or
sends a file that becomes a new version of the endpoint's own dataset for that parameter.

That dataset ("<endpoint> · <parameter>") is created on first use in the endpoint's workspace and
listed with the others, so every file a caller sent stays a versioned, inspectable dataset and the
runs that read it pin its version. A file must have the columns of the parameter's default dataset
(the same names, of compatible types; order free), so a caller cannot feed a pipeline a table it was
never built for. Callers run inside one transaction (``services.trigger``): a refusal leaves no
dataset and no version behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rest_framework.exceptions import ValidationError

from designer.api import Unprocessable
from designer.datasets import services as datasets
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.datasets.models import Dataset, DatasetVersion
from designer.engine.graph import Graph
from designer.engine.parameters import PipelineParameter, declarations, type_fault
from designer.pipelines.mapper import graph_of
from designer.workspaces.models import Workspace
from modules.sdk import DatasetRef, TableSchema

from .models import OverrideDataset, PipelineEndpoint, PublishedVersion

#: Column types a file may have where the default dataset has the other: a CSV of whole numbers reads
#: as integers where the training file had decimals, and text is text whether it was profiled as a category.
_SAME_KIND = ({"integer", "number"}, {"string", "category"})


@dataclass(frozen=True)
class Upload:
    """A file a caller sent for a dataset parameter (a Django ``UploadedFile`` or anything with
    ``name``, ``size`` and ``read``)."""

    file: Any

    @property
    def name(self) -> str:
        return str(getattr(self.file, "name", "") or "upload")

    @property
    def size(self) -> int | None:
        size = getattr(self.file, "size", None)
        return int(size) if size is not None else None


def _fault(name: str, message: str, field: str, **extra: Any) -> Unprocessable:
    return Unprocessable(message, [{"field": f"{field}.{name}", "message": message, **extra}])


def check_dataset_values(
    workspace: Workspace, graph: Graph, values: Mapping[str, Any], *, field: str = "parameters"
) -> None:
    """Every dataset parameter value in ``values`` names a dataset (and version) of ``workspace``; a 400
    naming ``<field>.<parameter>`` otherwise. Malformed values are left to ``resolve``, which names them."""
    declared, _ = declarations(graph)
    for name, spec in declared.items():
        value = values.get(name)
        if spec.type != "dataset" or not isinstance(value, dict) or type_fault(spec, value):
            continue
        dataset = Dataset.objects.filter(pk=value["dataset_id"], workspace=workspace).first()
        if dataset is None:
            raise _fault(
                name,
                f"Pipeline parameter '{name}' names dataset {value['dataset_id']}, which is not a dataset of "
                "this endpoint's workspace.",
                field,
            )
        number = value.get("version")
        if number is not None and not dataset.versions.filter(version=number).exists():
            latest = dataset.versions.order_by("-version").values_list("version", flat=True).first()
            raise _fault(
                name,
                f"Pipeline parameter '{name}' names version {number} of dataset '{dataset.name}', which has "
                f"no such version (latest: {latest or 'none'}).",
                field,
            )


@dataclass(frozen=True)
class _Reference:
    """What a file for one parameter must look like: the default dataset's columns and kind."""

    dataset: str
    schema: TableSchema
    kind: str


def _reference(workspace: Workspace, spec: PipelineParameter, default: Any) -> _Reference | None:
    """The default dataset version a file must match; ``None`` when the parameter has none (a required
    parameter) or it is gone, and validation of the run then judges the file's columns."""
    if default is None or type_fault(spec, default):
        return None
    try:
        found = WorkspaceDatasetLookup(workspace).resolve(DatasetRef(**default))
    except LookupError:
        return None
    return _Reference(found.name, found.schema, found.kind)


def _compatible(expected: str, found: str) -> bool:
    return expected == found or any(expected in kind and found in kind for kind in _SAME_KIND)


def _check_columns(name: str, reference: _Reference, version: DatasetVersion, source: str) -> None:
    if version.kind != reference.kind:
        wanted = "a .zip of files" if reference.kind == DatasetVersion.FILE else "a table (CSV, TSV or Parquet)"
        raise _fault(name, f"Pipeline parameter '{name}' takes {wanted}, like its default dataset "
                     f"'{reference.dataset}'; '{source}' is not one.", "parameters")  # fmt: skip
    if version.kind == DatasetVersion.FILE:
        return
    expected = {c.name: c.dtype for c in reference.schema.columns}
    found = {c["name"]: c["type"] for c in version.schema.get("columns", [])}
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    mistyped = [
        {"column": c, "expected": expected[c], "found": found[c]}
        for c in expected
        if c in found and not _compatible(expected[c], found[c])
    ]
    if not (missing or unexpected or mistyped):
        return
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"'{c}'" for c in missing))
    if unexpected:
        parts.append("not in the default dataset " + ", ".join(f"'{c}'" for c in unexpected))
    if mistyped:
        parts.append(
            "of another type " + ", ".join(f"'{m['column']}' ({m['found']}, not {m['expected']})" for m in mistyped)
        )
    raise _fault(
        name,
        f"The file '{source}' for pipeline parameter '{name}' does not have the columns of its default dataset "
        f"'{reference.dataset}': {'; '.join(parts)}.",
        "parameters",
        missing=missing,
        unexpected=unexpected,
        mistyped=mistyped,
    )


def _dataset_name(endpoint: PipelineEndpoint, parameter: str) -> str:
    """``<endpoint> · <parameter>``, or with a number after it when a dataset of the workspace has that name."""
    base = f"{endpoint.name} · {parameter}"
    taken = set(
        Dataset.objects.filter(workspace_id=endpoint.workspace_id, name__startswith=base).values_list("name", flat=True)
    )
    n = 1
    name = base
    while name in taken:
        n += 1
        name = f"{base} ({n})"
    return name


def _store(endpoint: PipelineEndpoint, name: str, upload: Upload, user: Any) -> DatasetVersion:
    """The file as the next version of the endpoint's dataset for ``name`` (created with version 1 on first use)."""
    link = OverrideDataset.objects.select_related("dataset").filter(endpoint=endpoint, parameter=name).first()
    try:
        if link is not None:
            return datasets.add_version(user, link.dataset, upload.file)
        dataset = datasets.create_dataset(
            user,
            endpoint.workspace,
            _dataset_name(endpoint, name),
            upload.file,
            f"Files sent for the parameter '{name}' of the pipeline endpoint '{endpoint.name}'.",
        )
    except ValidationError as exc:
        raise _fault(name, f"Pipeline parameter '{name}': {_said(exc)}", "parameters") from None
    OverrideDataset.objects.create(endpoint=endpoint, parameter=name, dataset=dataset)
    return dataset.versions.get()


def _said(exc: ValidationError) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        text = detail.get("detail") or next(iter(detail.values()), "")
        return str(text[0] if isinstance(text, list) and text else text)
    return str(detail[0] if isinstance(detail, list) and detail else detail)


def store_uploads(
    endpoint: PipelineEndpoint, published: PublishedVersion, uploads: Mapping[str, Upload], user: Any
) -> dict[str, dict[str, int]]:
    """Each uploaded file as a new version of its parameter's dataset; the values that name them.
    Call inside a transaction: a refused file raises, and the versions already stored roll back with it."""
    graph = graph_of(published.version)
    declared, _ = declarations(graph)
    values: dict[str, dict[str, int]] = {}
    for name, upload in sorted(uploads.items()):
        spec = declared.get(name)
        if spec is None:
            known = ", ".join(sorted(declared)) or "none"
            raise _fault(name, f"There is no pipeline parameter '{name}' (this pipeline's parameters: {known}).",
                         "parameters")  # fmt: skip
        if spec.type != "dataset":
            raise _fault(name, f"Pipeline parameter '{name}' is of type {spec.type}, not a dataset: send its value "
                         "as text, not as a file.", "parameters")  # fmt: skip
        if upload.size == 0:
            raise _fault(name, f"The file '{upload.name}' for pipeline parameter '{name}' is empty.", "parameters")
        default = (published.defaults or {}).get(name, None if spec.required else spec.default)
        reference = _reference(endpoint.workspace, spec, default)  # before the new version exists
        version = _store(endpoint, name, upload, user)
        if version.kind == DatasetVersion.TABLE and version.rows == 0:
            raise _fault(name, f"The file '{upload.name}' for pipeline parameter '{name}' has columns but no rows.",
                         "parameters")  # fmt: skip
        if reference is not None:
            _check_columns(name, reference, version, upload.name)
        values[name] = {"dataset_id": version.dataset_id, "version": version.version}
    return values
