"""What a run's node writes into its workspace besides its outputs: table artifacts, granted to the
workspace the moment they are stored (a part on another worker reads them back by digest), and new
versions of the workspace's datasets (Register Dataset)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from rest_framework.exceptions import ValidationError

from designer.artifacts import services as ownership
from modules.sdk import DatasetRef, DataTable, ModuleError, StoredTable

from .models import Run


def run_grant(run: Run) -> Callable[[Collection[str]], None]:
    """Grants digests to the run's workspace, as the outputs of its runs are."""

    def grant(digests: Collection[str]) -> None:
        ownership.grant(run.workspace_id, digests, ownership.Source.RUN)

    return grant


def run_publisher(run: Run, node_id: str) -> Callable[[str, DataTable | StoredTable, str], DatasetRef]:
    """Saves a table as the next version of a dataset of the run's workspace, made by the run's author."""

    def publish(name: str, table: DataTable | StoredTable, description: str) -> DatasetRef:
        from designer.datasets.services import publish_table

        try:
            version = publish_table(
                run.created_by,
                run.workspace,
                name,
                table,
                description=description,
                source_name=f"run {run.pk}, node {node_id}",
            )
        except ValidationError as exc:
            raise ModuleError(_text(exc.detail), param="dataset_name") from None
        return DatasetRef(dataset_id=version.dataset_id, version=version.version)

    return publish


def _text(detail: object) -> str:
    """The first message of a DRF error detail (a string, a list or a dict of them)."""
    while isinstance(detail, list | dict):
        if not detail:
            return "the dataset could not be saved"
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail)
