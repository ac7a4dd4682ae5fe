"""The SDK in a notebook's shoes against the live server: the builder checked against the catalogue, typed
errors carrying the server's problems, a concurrent save, a failing run, Ctrl-C while following a run."""

from __future__ import annotations

import io
import signal
import subprocess
import threading
import time

import pytest
from rich.console import Console
from tessera_client import Conflict, RunFailed, UnknownName, ValidationFailed, Workspace, documents

from designer.datasets.samples import SAMPLES
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.runs.models import Run
from tests.support.pipelines import document, train_score_evaluate

from .conftest import PASSWORD, TESSERA, run_tessera

pytestmark = pytest.mark.django_db(transaction=True)


def _cancer():
    return next(s for s in SAMPLES if s.name == "Breast cancer (Wisconsin diagnostic)").build()


def test_the_builder_names_modules_ports_and_parameters_from_the_catalogue(server, http, lab):
    # given a workspace with a dataset uploaded straight from a DataFrame
    ws = Workspace(url=server.url, token=http.token, workspace=lab.pk)
    dataset = ws.datasets.upload(_cancer(), name="cancer")
    b = ws.pipeline_builder()

    # when a pipeline is built with module calls
    data = b.dataset("cancer", node_id="data")
    split = b.split_data(data.dataset, fraction_of_rows_in_first_output_dataset=0.7, random_seed=42, node_id="split")
    learner = b.two_class_logistic_regression(node_id="learner")
    train = b.train_model(learner.untrained_model, split.results_dataset1, label_column="diagnosis", node_id="train")
    score = b.score_model(train.trained_model, split.results_dataset2, node_id="score")
    b.evaluate_model(score.scored_dataset, node_id="evaluate")

    # then it validates on the server, with the wiring a hand-written document has, and pushes
    assert (dataset.latest_version, dataset.info["latest_version"]["rows"]) == (1, 569)
    assert b.validate()["problems"] == []
    built = b.document()
    by_hand = train_score_evaluate(dataset.id, "diagnosis")
    assert sorted(map(str, built["edges"])) == sorted(map(str, by_hand["edges"]))
    assert [(n["id"], n["module"]) for n in built["nodes"]] == [(n["id"], n["module"]) for n in by_hand["nodes"]]
    pipeline = b.push("Built")
    assert pipeline.name == "Built" and pipeline.version == 1
    assert Pipeline.objects.get(pk=pipeline.id).workspace_id == lab.pk

    # and a typo fails at once, naming what is wrong and what was meant
    with pytest.raises(UnknownName) as module:
        b.split_dta(data.dataset)
    with pytest.raises(UnknownName) as param:
        b.split_data(data.dataset, fraction_of_rows=0.7)
    with pytest.raises(UnknownName) as port:
        _ = data.datset
    assert str(module.value) == "The server has no module 'split_dta' (did you mean 'split_data'?)."
    assert str(param.value).startswith(
        "Module 'split_data' (Split Data) has no parameter or input 'fraction_of_rows' "
        "(did you mean 'fraction_of_rows_in_first_output_dataset'?)"
    )
    assert (
        str(port.value)
        == "Node 'data' (Dataset) has no output port 'datset' (did you mean 'dataset'?); its outputs: dataset."
    )


def test_errors_are_typed_and_carry_the_servers_problems(server, http, lab):
    ws = Workspace(url=server.url, token=http.token, workspace=lab.pk)
    doc = train_score_evaluate(1, "diagnosis")
    doc["nodes"][1]["colour"] = "red"

    with pytest.raises(ValidationFailed) as caught:
        ws.pipelines.push(doc, name="Colourful")

    assert caught.value.exit_code == 5
    assert [p["path"] for p in caught.value.problems] == ["nodes[1].colour"]
    assert "Unknown field 'colour' in nodes[1]" in str(caught.value)
    assert not Pipeline.objects.exists()


def test_a_save_in_between_is_a_conflict_naming_both_versions_and_nothing_is_overwritten(server, http, lab):
    # given a pipeline at version 1
    ws = Workspace(url=server.url, token=http.token, workspace=lab.pk)
    first = document([("a", "test_sleep", {"seconds": 0.0, "tag": "a"})], [])
    ws.pipelines.push(first, name="Shared")

    # when a teammate saves version 2 after this push read version 1, before it saves
    read_head = ws.pipelines.find

    def teammate_saves_meanwhile(name):
        found = read_head(name)
        teammate = document([("a", "test_sleep", {"seconds": 0.0, "tag": "teammate"})], [])
        saved = http.post(f"/api/pipelines/{found.id}/versions/", json={"document": teammate, "base_version": 1})
        assert saved.status_code == 201
        return found

    ws.pipelines.find = teammate_saves_meanwhile
    mine = document([("a", "test_sleep", {"seconds": 0.0, "tag": "mine"})], [])
    with pytest.raises(Conflict) as caught:
        ws.pipelines.push(mine, name="Shared")

    # then the push is refused with the server's message, and version 2 is the teammate's
    assert caught.value.exit_code == 7
    assert str(caught.value).startswith("Not saved: You edited version 1, but version 2 was saved by ada since.")
    versions = PipelineVersion.objects.filter(pipeline__name="Shared").order_by("number")
    assert [v.document["nodes"][0]["params"]["tag"] for v in versions] == ["a", "teammate"]


def test_profiles_and_the_environment_both_make_a_workspace(home, server, ada_signs_in, lab, monkeypatch):
    run_tessera(home, "login", "--url", server.url, "-u", "ada", input=f"{PASSWORD}\n")
    monkeypatch.setenv("TESSERA_CONFIG", str(home / ".config" / "tessera" / "config.toml"))

    from_config = Workspace.from_config()
    monkeypatch.setenv("TESSERA_URL", server.url)
    monkeypatch.setenv("TESSERA_TOKEN", from_config.session.token)
    monkeypatch.setenv("TESSERA_WORKSPACE", "Lab")
    from_env = Workspace.from_env()

    assert (from_config.id, from_config.name) == (lab.pk, "Lab")
    assert (from_env.id, from_env.session.url) == (lab.pk, server.url)


@pytest.mark.workers
def test_a_run_that_fails_raises_run_failed_and_the_command_exits_8(workers, server, http, tessera, tmp_path, lab):
    # given a two-class learner on the three-class Iris table: Train Model fails when it runs
    ws = Workspace(url=server.url, token=http.token, workspace=lab.pk)
    iris = next(s for s in SAMPLES if s.label_column == "species").build()
    dataset = ws.datasets.upload(iris, name="iris")
    pipeline = ws.pipelines.push(train_score_evaluate(dataset.id, "species"), name="Wrong learner").pipeline

    # when the notebook waits for a run, and the command follows another
    with pytest.raises(RunFailed) as caught:
        pipeline.submit().wait(console=Console(file=io.StringIO()))
    ran = tessera("run", "submit", "Wrong learner", "--wait")

    # then both name the node and the reason
    assert caught.value.exit_code == 8
    assert "Node 'train' (Train Model) failed: label column 'species' has 3 classes" in str(caught.value)
    assert caught.value.run["status"] == "failed"
    assert ran.code == 8
    assert "Traceback" not in ran.stderr
    assert ran.lines[-1].startswith("error: Run ") and "failed: Node 'train' (Train Model) failed" in ran.lines[-1]
    assert any("✗ train" in line for line in ran.lines), ran.stderr


def test_ctrl_c_while_following_a_run_offers_to_cancel_it(home, server, tessera, lab):
    # given a pipeline whose node no worker takes (none is running): the run stays queued
    path = home / "slow.yaml"
    documents.write(document([("nap", "test_sleep", {"seconds": 30.0, "tag": "nap"})], []), path)
    assert tessera("pipeline", "push", str(path), "--name", "Slow").code == 0
    env = {"HOME": str(home), "TESSERA_CONFIG": str(home / ".config" / "tessera" / "config.toml"), "PATH": "/usr/bin"}
    follower = subprocess.Popen(
        [str(TESSERA), "run", "submit", "Slow", "--wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Ctrl-C as a terminal sends it: SIGINT handled by default in the command even where this test
        # process inherited it ignored (as a suite that started workers may have it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    following = threading.Event()

    def read_stderr() -> None:  # the command's stderr, line by line, until it exits
        for line in follower.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Following run "):
                following.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert following.wait(60), "".join(lines)
        time.sleep(3)  # connected to the run's socket by now

        # when Ctrl-C is pressed and the question answered yes
        follower.send_signal(signal.SIGINT)
        follower.stdin.write("y\n")  # type: ignore[union-attr]
        follower.stdin.close()  # type: ignore[union-attr]
        try:
            follower.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the command did not end within 60 s of Ctrl-C; its stderr: {''.join(lines)!r}")
        reader.join(10)
    finally:
        if follower.poll() is None:
            follower.kill()
    stderr = "".join(lines)

    # then the run is cancelled on the server and the command exits 130
    run = Run.objects.get(pipeline__name="Slow")
    assert follower.returncode == 130, stderr
    assert f"Cancel run {run.pk} on the server?" in stderr
    assert f"Run {run.pk} cancelled." in stderr
    assert "Traceback" not in stderr
    assert run.status == "cancelled"
