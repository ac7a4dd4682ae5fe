"""Deriving an inference pipeline through a component: the inner nodes are treated as if inlined."""

from __future__ import annotations

from pathlib import Path

from designer.engine.components import ComponentVersion, MappingLookup, expand
from designer.engine.execute import load_output
from designer.engine.graph import parse_graph, to_document
from designer.engine.grouping import group
from designer.engine.inference import OutputRef
from designer.engine.scoring import Limits, ScoringPipeline, parse_azure, records
from designer.engine.store import LocalArtifactStore
from designer.engine.validate import validate
from modules.sdk import DataTable, LocalContext, default_registry

from .test_inference import cancer, derive, run_all, training_document


def test_a_run_through_a_component_derives_and_scores_as_the_inlined_pipeline(tmp_path: Path) -> None:
    registry = default_registry()
    flat = parse_graph(training_document())
    grouping = group(flat, ["clean", "norm"], registry)
    versions = MappingLookup({(3, 1): ComponentVersion(3, 1, "Prep", grouping.document)})
    with_component = parse_graph(to_document(grouping.replace_selection(3, 1, "Prep")))
    expansion = expand(with_component, registry, versions)
    store = LocalArtifactStore(tmp_path)
    ctx = LocalContext(datasets={1: DataTable(cancer())})

    flat_outputs = run_all(flat, store, ctx)
    outputs = run_all(expansion.graph, store, ctx)
    derived = derive(expansion.graph, store, outputs)
    flat_derived = derive(flat, store, flat_outputs)

    assert validate(with_component, registry, components=versions).problems == []
    assert outputs["prep/norm"]["transformed_dataset"].digest == flat_outputs["norm"]["transformed_dataset"].digest
    assert all("/" not in node_id for node_id in derived.graph.nodes)
    assert parse_graph(to_document(derived.graph)) == derived.graph
    assert sorted(n.module for n in derived.graph.nodes.values()) == sorted(
        n.module for n in flat_derived.graph.nodes.values()
    )
    served = ScoringPipeline.load(derived.graph, registry, store.get)
    flat_served = ScoringPipeline.load(flat_derived.graph, registry, store.get)
    request = flat_served.example_request()
    scored = records(served.score(parse_azure(request, served.inputs, Limits()))["WebServiceOutput0"])
    expected = records(flat_served.score(parse_azure(request, flat_served.inputs, Limits()))["WebServiceOutput0"])
    assert len(scored) == 3
    assert scored == expected


def test_a_batch_pipeline_whose_source_was_inside_a_component_is_a_valid_document(tmp_path: Path) -> None:
    from designer.engine.batch_inference import derive_batch_inference_pipeline

    registry = default_registry()
    flat = parse_graph(training_document())
    grouping = group(flat, ["data", "clean"], registry)
    versions = MappingLookup({(3, 1): ComponentVersion(3, 1, "Source", grouping.document)})
    expansion = expand(parse_graph(to_document(grouping.replace_selection(3, 1, "Source"))), registry, versions)
    store = LocalArtifactStore(tmp_path)
    outputs = run_all(expansion.graph, store, LocalContext(datasets={1: DataTable(cancer())}))
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}

    batch = derive_batch_inference_pipeline(
        expansion.graph, registry, refs, lambda ref: load_output(store, ref.type, ref.digest), output_dataset="scored"
    )

    assert batch.source == "source__data"
    assert parse_graph(to_document(batch.graph)) == batch.graph
    assert batch.graph.nodes["source__data"].module == "dataset"
