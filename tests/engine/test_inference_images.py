"""Deriving an inference pipeline from an image-classification run, then scoring base64 images in-process."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from designer.engine.execute import OutputRecord, load_output
from designer.engine.graph import Graph, parse_graph
from designer.engine.scoring import Limits, ScoringError, ScoringPipeline, parse_azure, parse_mlflow, records
from designer.engine.store import LocalArtifactStore
from designer.engine.validate import validate
from modules.sdk import LocalContext, default_registry
from modules.sdk.values import ImageSet
from tests.engine.test_inference import derive, run_all
from tests.support.pipelines import document

PROBABILITIES = [f'Scored Probabilities for Class "{c}"' for c in ("circle", "square", "triangle")]


def training_document() -> dict[str, Any]:
    return document(
        [
            ("images", "convert_to_image_directory", {"images_per_class": 6, "image_size": 20, "random_seed": 1}),
            ("steps", "init_image_transformation", {"size": 18, "crop_size": 16, "random_horizontal_flip": True}),
            ("transform", "apply_image_transformation", {"mode": "For inference"}),
            ("split", "split_image_directory", {"fraction_of_images_in_the_first_output": 0.5}),
            ("learner", "resnet", {"model_name": "resnet18", "width_divisor": 16}),
            ("train", "train_pytorch_model", {"epochs": 1, "batch_size": 4}),
            ("score", "score_image_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "images.image_directory -> transform.image_directory",
            "steps.image_transformation -> transform.image_transformation",
            "transform.image_directory_out -> split.image_directory",
            "learner.untrained_model -> train.untrained_model",
            "split.first -> train.training_dataset",
            "split.second -> train.validation_dataset",
            "train.trained_model -> score.trained_model",
            "split.second -> score.image_directory",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )


Trained = tuple[Graph, LocalArtifactStore, dict[str, dict[str, OutputRecord]]]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    store = LocalArtifactStore(Path(tmp_path_factory.mktemp("store")))
    graph = parse_graph(training_document())
    return graph, store, run_all(graph, store, LocalContext())


@pytest.fixture(scope="module")
def pipeline(trained: Trained) -> ScoringPipeline:
    graph, store, outputs = trained
    return ScoringPipeline.load(derive(graph, store, outputs).graph, default_registry(), store.get)


def raw_images(trained: Trained) -> ImageSet:
    graph, store, outputs = trained
    images: ImageSet = load_output(store, "image_directory", outputs["images"]["image_directory"].digest)
    return images


def body(cells: list[Any]) -> dict[str, Any]:
    return {"Inputs": {"WebServiceInput0": [{"image": c} for c in cells]}, "GlobalParameters": {}}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_the_image_sample_becomes_saved_artifacts_and_an_image_web_service_input(trained: Trained) -> None:
    graph, store, outputs = trained

    derived = derive(graph, store, outputs)

    modules = sorted(n.module for n in derived.graph.nodes.values())
    assert modules == [
        "apply_image_transformation",
        "saved_image_model",
        "saved_image_transformation",
        "score_image_model",
        "web_service_image_input",
        "web_service_output",
    ]
    nodes = {n.module: n for n in derived.graph.nodes.values()}
    assert nodes["saved_image_model"].params["artifact"] == outputs["train"]["trained_model"].digest
    assert nodes["saved_image_transformation"].params["artifact"] == outputs["steps"]["image_transformation"].digest
    assert nodes["apply_image_transformation"].params == {"mode": "For inference"}
    source = nodes["web_service_image_input"].params
    assert source["name"] == "WebServiceInput0" and source["column"] == "image"
    images = raw_images(trained).images
    first = images[0].data
    assert len(source["example"]) == 3 and base64.b64decode(source["example"][0]["image"]) == first
    by_bytes = {image.data: image.label for image in images}
    shown = [by_bytes[base64.b64decode(row["image"])] for row in source["example"]]
    assert sorted(shown) == ["circle", "square", "triangle"]  # one example of each class, not three of one
    notes = " ".join(derived.notes)
    assert "Saved Image Model" in notes and "'circle', 'square', 'triangle'" in notes
    assert "Saved Image Transformation" in notes and "Split Image Directory" in notes
    assert "Web Service Image Input 'WebServiceInput0'" in notes
    assert derived.label_column == "" and derived.sources == {}
    assert validate(derived.graph, default_registry()).problems == []


def test_scoring_base64_images_matches_score_image_model_on_the_same_images(
    trained: Trained, pipeline: ScoringPipeline
) -> None:
    chosen = raw_images(trained).images[4:7]
    registry = default_registry()
    graph, store, outputs = trained
    steps = load_output(store, "image_transformation", outputs["steps"]["image_transformation"].digest)
    model = load_output(store, "trained_image_model", outputs["train"]["trained_model"].digest)
    apply = registry.get("apply_image_transformation")
    score = registry.get("score_image_model")
    images = ImageSet([type(f)(f"row_{i:05d}.png", None, f.data) for i, f in enumerate(chosen)])
    moved = apply().run(
        {"image_transformation": steps, "image_directory": images},
        apply.parse_params({"mode": "For inference"}),
        LocalContext(),
    )["image_directory_out"]
    expected = score().run({"trained_model": model, "image_directory": moved}, score.parse_params({}), LocalContext())

    answer = records(
        pipeline.score(parse_azure(body([b64(f.data) for f in chosen]), pipeline.inputs, Limits()))["WebServiceOutput0"]
    )

    want = expected["scored_dataset"].df
    assert [r["Scored Labels"] for r in answer] == list(want["Scored Labels"])
    np.testing.assert_allclose([[r[c] for c in PROBABILITIES] for r in answer], want[PROBABILITIES], rtol=0, atol=1e-6)
    assert [r["Image Path"] for r in answer] == ["row_00000.png", "row_00001.png", "row_00002.png"]


def test_mlflow_records_with_base64_images_score_the_same(trained: Trained, pipeline: ScoringPipeline) -> None:
    cells = [b64(f.data) for f in raw_images(trained).images[:2]]
    azure = pipeline.score(parse_azure(body(cells), pipeline.inputs, Limits()))["WebServiceOutput0"]

    mlflow = pipeline.score(
        parse_mlflow({"dataframe_records": [{"image": c} for c in cells]}, pipeline.inputs, Limits())
    )

    assert records(mlflow["WebServiceOutput0"]) == records(azure)


def refused(pipeline: ScoringPipeline, cells: list[Any], limits: Limits | None = None) -> ScoringError:
    with pytest.raises(ScoringError) as caught:
        parse_azure(body(cells), pipeline.inputs, limits or Limits())
    return caught.value


def test_a_string_that_is_not_an_image_is_refused_naming_the_row_and_column(
    trained: Trained, pipeline: ScoringPipeline
) -> None:
    good = b64(raw_images(trained).images[0].data)

    not_base64 = refused(pipeline, [good, "hello, world"])
    not_an_image = refused(pipeline, [good, good, b64(b"GIF89a not a png")])
    a_number = refused(pipeline, [7])

    assert not_base64.status == 400
    assert not_base64.message.startswith("Input 'WebServiceInput0', row 1, column 'image': the text is not base64")
    assert not_base64.details == [{"input": "WebServiceInput0", "row": 1, "column": "image", "expected": "image"}]
    assert "row 2, column 'image': the data is not a PNG or JPEG image" in not_an_image.message
    assert "row 0, column 'image': expected a base64 PNG or JPEG image" in a_number.message


def test_an_oversized_image_is_refused_before_it_is_decoded(pipeline: ScoringPipeline) -> None:
    huge = b64(png(4097, 4096))

    default = refused(pipeline, [huge])
    tight = refused(pipeline, [b64(png(20, 20))], Limits(max_image_pixels=399))

    assert default.status == 400
    assert "row 0, column 'image': the image is 4097x4096 pixels; at most 16,777,216 pixels" in default.message
    assert "the image is 20x20 pixels; at most 399 pixels" in tight.message


def test_a_missing_or_extra_column_is_refused_as_for_tables(pipeline: ScoringPipeline) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_azure({"Inputs": {"WebServiceInput0": [{"picture": "x"}]}}, pipeline.inputs, Limits())

    assert caught.value.status == 400
    assert "row 0: column 'image' is missing" in caught.value.message


def test_the_example_request_scores_and_is_the_openapi_example(pipeline: ScoringPipeline) -> None:
    example = pipeline.example_request()

    response = pipeline.example_response()

    assert [i.to_json() for i in pipeline.inputs] == [
        {"name": "WebServiceInput0", "columns": [{"name": "image", "type": "image"}]}
    ]
    assert len(example["Inputs"]["WebServiceInput0"]) == 3
    assert len(response["Results"]["WebServiceOutput0"]) == 3
    assert set(response["Results"]["WebServiceOutput0"][0]) == {"Image Path", "Scored Labels", *PROBABILITIES}


def test_a_jpeg_and_a_data_url_are_scored_like_pngs(pipeline: ScoringPipeline) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (30, 30, 200)).save(buf, format="JPEG")
    jpeg = b64(buf.getvalue())

    scored = pipeline.score(parse_azure(body([jpeg, "data:image/jpeg;base64," + jpeg]), pipeline.inputs, Limits()))

    answer = records(scored["WebServiceOutput0"])
    # Apply Image Transformation stores the resized images as PNG, under the row's name
    assert [r["Image Path"] for r in answer] == ["row_00000.png", "row_00001.png"]
    assert answer[0]["Scored Labels"] == answer[1]["Scored Labels"]
