"""The mapper from dataset rows to the engine's ``DatasetLookup``: what validation and runs resolve against."""

from __future__ import annotations

from designer.engine.validate import ResolvedDataset
from designer.workspaces.models import Workspace
from modules.sdk import DatasetRef, TableSchema

from .models import Dataset, DatasetVersion


class WorkspaceDatasetLookup:
    """Resolves ``DatasetRef``s to versions of datasets in one workspace (``version=None`` is the latest).

    Lookups are remembered for the life of the object (one validation or one run submission).
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._seen: dict[tuple[int, int | None], ResolvedDataset] = {}

    def resolve(self, ref: DatasetRef) -> ResolvedDataset:
        key = (ref.dataset_id, ref.version)
        if key not in self._seen:
            self._seen[key] = self._resolve(ref)
        return self._seen[key]

    def _resolve(self, ref: DatasetRef) -> ResolvedDataset:
        # The version with its dataset in one statement (validation and every run submission ask); what is
        # wrong with a reference that finds none is then worked out apart.
        versions = DatasetVersion.objects.select_related("dataset").filter(
            dataset__workspace=self.workspace, dataset_id=ref.dataset_id
        )
        chosen = versions.order_by("-version") if ref.version is None else versions.filter(version=ref.version)
        found = chosen.first()
        if found is not None:
            return self._resolved(found.dataset, found)
        dataset = Dataset.objects.filter(workspace=self.workspace, pk=ref.dataset_id).first()
        if dataset is None:
            raise LookupError(f"dataset {ref.dataset_id} does not exist in this workspace")
        versions = DatasetVersion.objects.filter(dataset=dataset).order_by("-version")
        latest = versions.values_list("version", flat=True).first()
        if ref.version is None or latest is None:
            raise LookupError(f"dataset '{dataset.name}' has no versions")
        raise LookupError(f"dataset '{dataset.name}' has no version {ref.version}; latest is {latest}")

    @staticmethod
    def _resolved(dataset: Dataset, chosen: DatasetVersion) -> ResolvedDataset:
        return ResolvedDataset(
            dataset_id=dataset.pk,
            version=chosen.version,
            digest=chosen.digest,
            schema=TableSchema.from_dict(chosen.schema),
            name=dataset.name,
            kind=chosen.kind,
        )
