"""Writes for batch inference: derive a batch inference pipeline from a completed training run."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from designer.api import Conflict, Unprocessable
from designer.artifacts import artifact_store
from designer.endpoints.models import DerivedPipeline
from designer.endpoints.services import made_earlier, remember_derived, run_outputs, run_titles
from designer.engine.batch_inference import derive_batch_inference_pipeline
from designer.engine.execute import load_output
from designer.engine.graph import to_document
from designer.engine.inference import CannotDerive
from designer.pipelines import services as pipelines
from designer.pipelines.models import Pipeline
from designer.runs.inputs import run_graph
from designer.runs.models import Run
from modules.sdk import default_registry


class CannotBatch(Unprocessable):
    """The run cannot become a batch inference pipeline: 422, with the reasons in ``problems``."""

    status_code = 422


def create_batch_inference_pipeline(
    user: Any, run: Run, name: str = "", dataset_name: str = ""
) -> tuple[Pipeline, list[str]]:
    """A new pipeline whose version 1 scores a dataset with ``run``'s model in mini-batches (Parallel Run) and
    saves the scored rows as the next version of ``dataset_name`` (by default "<pipeline> - scored").
    Asked again for the same run, it gives the pipeline made the first time rather than another copy."""
    if run.status != Run.Status.COMPLETED:
        raise Conflict(f"Run {run.pk} is {run.status}; a batch inference pipeline is derived from a completed run.")
    store = artifact_store()
    target = dataset_name.strip() or f"{run.pipeline.name} - scored"
    if found := made_earlier(run, DerivedPipeline.Kind.BATCH):
        return found
    graph = run_graph(run)
    try:
        derived = derive_batch_inference_pipeline(
            graph,
            default_registry(),
            run_outputs(run),
            lambda ref: load_output(store, ref.type, ref.digest),
            output_dataset=target[:200],
            titles=run_titles(run, graph),
        )
    except CannotDerive as exc:
        raise CannotBatch(str(exc), [p.to_dict() for p in exc.problems]) from None
    title = name.strip() or f"{run.pipeline.name} - batch inference"
    description = (
        f"Derived from run {run.pk} (version {run.pipeline_version.number} of '{run.pipeline.name}'): scores a "
        "dataset in mini-batches on the workers."
    )
    with transaction.atomic():
        pipeline = pipelines.create_pipeline(user, run.workspace, title[:200], description, to_document(derived.graph))
    return remember_derived(run, DerivedPipeline.Kind.BATCH, pipeline, derived.notes)
