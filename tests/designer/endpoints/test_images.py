"""An image model end to end: train the shapes sample, derive, deploy, score base64 images over HTTP, register."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from designer.artifacts import artifact_store
from designer.endpoints.models import EndpointCall, EndpointSample
from designer.engine.execute import load_output
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from modules.sdk import LocalContext, default_registry
from modules.sdk.values import ImageFile, ImageSet
from tests.designer.runs.conftest import drain
from tests.engine.test_inference_images import PROBABILITIES, training_document

from .conftest import deploy, derive
from .test_api import caller, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_run(owner: Any, workspace: Workspace) -> Run:
    pipeline = create_pipeline(owner, workspace, "Shapes", document=training_document())
    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED
    return run


def output(run: Run, node: str, port: str) -> Any:
    record = run.nodes.get(node_id=node).outputs[port]
    return load_output(artifact_store(), record["type"], record["digest"])


def expected_scores(run: Run, files: list[ImageFile]) -> Any:
    """Score Image Model on the same images, with the run's transformation and model, outside any endpoint."""
    registry = default_registry()
    apply, score = registry.get("apply_image_transformation"), registry.get("score_image_model")
    images = ImageSet([ImageFile(f"row_{i:05d}.png", None, f.data) for i, f in enumerate(files)])
    inputs = {"image_transformation": output(run, "steps", "image_transformation"), "image_directory": images}
    moved = apply().run(inputs, apply.parse_params({"mode": "For inference"}), LocalContext())
    scoring = {"trained_model": output(run, "train", "trained_model"), "image_directory": moved["image_directory_out"]}
    return score().run(scoring, score.parse_params({}), LocalContext())["scored_dataset"].df


def test_an_image_endpoint_scores_base64_images_as_score_image_model_does(as_editor, as_viewer, workspace, image_run):
    derived = derive(as_editor, image_run)
    live = deploy(as_editor, workspace, derived["pipeline"]["id"], name="shapes")
    files = output(image_run, "images", "image_directory").images[3:6]
    body = {"Inputs": {"WebServiceInput0": [{"image": base64.b64encode(f.data).decode()} for f in files]}}

    answer = post_json(caller(live["keys"]["primary"]), "/endpoints/shapes/score", body)
    refused = post_json(
        caller(live["keys"]["primary"]),
        "/endpoints/shapes/score",
        {"Inputs": {"WebServiceInput0": [{"image": "not an image"}]}},
    )

    assert answer.status_code == 200, answer.content
    rows = answer.json()["Results"]["WebServiceOutput0"]
    want = expected_scores(image_run, files)
    assert [r["Scored Labels"] for r in rows] == list(want["Scored Labels"])
    np.testing.assert_allclose([[r[c] for c in PROBABILITIES] for r in rows], want[PROBABILITIES], rtol=0, atol=1e-6)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["details"] == [{"input": "WebServiceInput0", "row": 0, "column": "image", "expected": "image"}]
    assert "row 0, column 'image'" in error["message"]
    # the documentation describes the column as base64 with a training image as its example
    document = caller(live["keys"]["primary"]).get("/endpoints/shapes/swagger.json").json()
    service_input = document["components"]["schemas"]["ServiceInput"]
    rows_schema = service_input["properties"]["Inputs"]["properties"]["WebServiceInput0"]["items"]
    assert rows_schema["properties"]["image"]["format"] == "byte"
    example = service_input["example"]["Inputs"]["WebServiceInput0"]
    assert len(example) == 3 and base64.b64decode(example[0]["image"]).startswith(b"\x89PNG")
    # calls are recorded, the images are not kept, and drift says why it is not measured
    assert EndpointCall.objects.filter(endpoint_id=live["id"]).count() == 2
    assert EndpointSample.objects.filter(endpoint_id=live["id"]).count() == 0
    drift = as_viewer.get(f"/api/endpoints/{live['id']}/drift/?minutes=60")
    assert drift.status_code == 200
    assert "not measured for image inputs" in drift.json()["inputs"][0]["note"]


def test_a_trained_image_model_is_registered_with_its_classes_and_kept_while_served(as_editor, workspace, image_run):
    live = deploy(as_editor, workspace, derive(as_editor, image_run)["pipeline"]["id"], name="shapes")
    body = {"workspace": workspace.pk, "name": "shapes-resnet", "run": image_run.pk, "node": "train"}

    registered = as_editor.post("/api/models/", body, format="json")
    listed = as_editor.get(f"/api/models/?workspace={workspace.pk}")
    refused = as_editor.delete(f"/api/models/{registered.json()['id']}/")

    assert registered.status_code == 201, registered.content
    model = registered.json()
    assert (model["task"], model["label_column"], model["classes"]) == (
        "multiclass",
        "",
        ["circle", "square", "triangle"],
    )
    assert model["in_use_by"] == ["shapes"]
    assert listed.status_code == 200 and "shapes-resnet" in str(listed.json())
    assert refused.status_code == 409 and "shapes" in refused.json()["detail"]
    assert as_editor.delete(f"/api/endpoints/{live['id']}/").status_code == 204
    assert as_editor.delete(f"/api/models/{model['id']}/").status_code == 204


def small_sample() -> dict[str, Any]:
    """The image-classification sample as the gallery makes it, with fewer and smaller images and one epoch."""
    from designer.pipelines.samples import image_classification

    document = image_classification({})
    smaller = {
        "images": {"images_per_class": 5, "image_size": 16},
        "train": {"epochs": 1},
        "learner": {"width_divisor": 16},
    }
    for node in document["nodes"]:
        node["params"].update(smaller.get(node["id"], {}))
    return document


def test_the_gallery_sample_derives_and_an_image_of_another_size_is_refused_naming_the_node(
    owner, as_editor, workspace
):
    pipeline = create_pipeline(owner, workspace, "Shapes sample", document=small_sample())
    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED

    derived = derive(as_editor, run)
    live = deploy(as_editor, workspace, derived["pipeline"]["id"], name="sample")
    same_size = output(run, "images", "image_directory").images[0].data
    key = caller(live["keys"]["primary"])
    scored = post_json(key, "/endpoints/sample/score", {"Inputs": {"WebServiceInput0": [{"image": _b64(same_size)}]}})
    bigger = post_json(key, "/endpoints/sample/score", {"Inputs": {"WebServiceInput0": [{"image": _b64(_png(24))}]}})

    modules = sorted(n["module"] for n in derived["pipeline"]["head"]["document"]["nodes"])
    assert modules == ["saved_image_model", "score_image_model", "web_service_image_input", "web_service_output"]
    assert any("Split Image Directory" in note and "removed" in note for note in derived["notes"])
    assert scored.status_code == 200 and len(scored.json()["Results"]["WebServiceOutput0"]) == 1
    assert bigger.status_code == 400
    error = bigger.json()["error"]
    assert error["message"] == "Module Executing Error"
    assert error["details"][0]["node"] == "score" and "trained on 16x16" in error["details"][0]["message"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _png(size: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (size, size), (10, 200, 40)).save(buf, format="PNG")
    return buf.getvalue()
