"""Bad input through the real `tessera` command: one line naming the cause, a documented exit code, no
traceback, and nothing changed on the server."""

from __future__ import annotations

import stat

import pytest
from rest_framework.authtoken.models import Token
from tessera_client import documents

from designer.datasets.models import Dataset
from designer.pipelines.models import Pipeline
from tests.designer.factories import DatasetFactory
from tests.support.pipelines import train_score_evaluate

from .conftest import PASSWORD, CuttingProxy, assert_one_line, run_tessera

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_keeps_the_token_in_a_private_profile_file_and_never_takes_it_as_an_argument(
    home, server, ada_signs_in, lab
):
    # when ada signs in, the password on standard input
    result = run_tessera(home, "login", "--url", server.url, "-u", "ada", "--password-stdin", input=f"{PASSWORD}\n")

    # then the token is in the profile file, readable by her only, and it is hers
    assert result.code == 0, result.stderr
    path = home / ".config" / "tessera" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f'token = "{Token.objects.get(user=ada_signs_in).key}"' in path.read_text()
    assert f"Signed in to {server.url} as ada, workspace 'Lab' ({lab.pk}); token saved in {path} (mode 0600)." in (
        result.stdout.replace("\n", " ")
    )
    assert "--token" not in run_tessera(home, "login", "--help").stdout
    assert "--password " not in run_tessera(home, "login", "--help").stdout


def test_wrong_credentials_are_one_line_with_exit_3(home, server, ada_signs_in, lab):
    result = run_tessera(home, "login", "--url", server.url, "-u", "ada", input="not-her-password\n")

    assert_one_line(result, 3, "Sign-in refused for 'ada'", "Unable to sign in")
    assert not (home / ".config" / "tessera" / "config.toml").exists()


def test_a_revoked_token_is_one_line_with_exit_3(tessera, ada):
    # given a signed-in profile whose token an administrator then revokes
    Token.objects.filter(user=ada).delete()

    # when any command runs
    result = tessera("dataset", "list")

    # then it says the server refused the token
    assert_one_line(
        result,
        3,
        "The server refused your credentials (Invalid token): sign in again with `tessera login` or set TESSERA_TOKEN.",
    )


def test_no_credentials_at_all_is_exit_3_and_no_server_url_is_exit_2(home, server):
    no_token = run_tessera(home, "dataset", "list", env={"TESSERA_URL": server.url})
    nothing = run_tessera(home, "dataset", "list")

    assert_one_line(no_token, 3, "Not signed in: run `tessera login` or set TESSERA_TOKEN.")
    assert_one_line(nothing, 2, "No server URL")


def test_an_unreachable_server_is_one_line_with_exit_6(home):
    result = run_tessera(home, "pipeline", "list", env={"TESSERA_URL": "http://127.0.0.1:9", "TESSERA_TOKEN": "x"})

    assert_one_line(result, 6, "Cannot reach the server at http://127.0.0.1:9")


def test_a_connection_that_breaks_mid_upload_is_one_line_with_exit_6_and_no_dataset(home, tmp_path, server, http, lab):
    # given a network path that drops any connection after 256 kB upstream, and a 2 MB file
    proxy = CuttingProxy(server.port, limit=256 * 1024)
    big = tmp_path / "big.csv"
    big.write_text("a,b,c\n" + "".join(f"{i},{i * 2},{'x' * 40}\n" for i in range(40_000)))
    assert big.stat().st_size > 2_000_000
    env = {"TESSERA_URL": proxy.url, "TESSERA_TOKEN": http.token, "TESSERA_WORKSPACE": str(lab.pk)}
    try:
        # when the file is uploaded through it
        result = run_tessera(home, "dataset", "upload", str(big), "--name", "big", env=env)
    finally:
        proxy.close()

    # then the upload fails on the network, says so in one line, and nothing was stored
    assert_one_line(result, 6, f"The connection to {proxy.url} broke during POST /api/datasets/")
    assert proxy.cuts >= 1
    assert not Dataset.objects.filter(name="big").exists()


def _push(tessera, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return tessera("pipeline", "push", str(path), "--name", "P")


def test_a_file_that_is_not_a_pipeline_is_exit_5(tessera, tmp_path):
    csv = _push(tessera, tmp_path, "data.csv", "a,b\n1,2\n")
    listed = _push(tessera, tmp_path, "rows.yaml", "- 1\n- 2\n")
    no_nodes = _push(tessera, tmp_path, "empty.yaml", "hello: world\n")

    assert_one_line(csv, 5, "data.csv: a pipeline file ends in .json, .yaml or .yml.")
    assert_one_line(listed, 5, "rows.yaml is not a pipeline: its top level is a list")
    assert_one_line(no_nodes, 5, "empty.yaml is not a pipeline: it has no 'nodes' (its keys: 'hello').")
    assert not Pipeline.objects.exists()


def test_duplicate_keys_in_yaml_are_exit_5_naming_the_key_and_line(tessera, tmp_path):
    text = documents.dumps_yaml(train_score_evaluate(1, "diagnosis"))
    text = text.replace("    module: split_data\n", "    module: split_data\n    module: split_data\n", 1)

    result = _push(tessera, tmp_path, "dup.yaml", text)

    assert_one_line(result, 5, "dup.yaml:11: the key 'module' appears twice in one mapping (first on line 10).")
    assert not Pipeline.objects.exists()


def test_an_unknown_field_is_exit_5_naming_the_field_and_its_line(tessera, tmp_path):
    text = documents.dumps_yaml(train_score_evaluate(1, "diagnosis"))
    text = text.replace("    module: split_data\n", "    module: split_data\n    colour: red\n", 1)

    result = _push(tessera, tmp_path, "extra.yaml", text)

    line = assert_one_line(result, 5, "Unknown field 'colour' in nodes[1]")
    assert line.startswith(f"error: {tmp_path / 'extra.yaml'}:11: ")
    assert not Pipeline.objects.exists()


def test_a_module_the_server_does_not_have_is_exit_5_naming_it(tessera, tmp_path, ada, lab):
    dataset = DatasetFactory(workspace=lab, name="Iris", created_by=ada)
    doc = train_score_evaluate(dataset.pk, "species")
    doc["nodes"][2]["module"] = "two_class_logistic_regresion"

    result = _push(tessera, tmp_path, "typo.yaml", documents.dumps_yaml(doc))
    validated = tessera("pipeline", "validate", str(tmp_path / "typo.yaml"))

    line = assert_one_line(result, 5, "Node 'learner' uses the module 'two_class_logistic_regresion', which is not")
    assert line.startswith(f"error: {tmp_path / 'typo.yaml'}:16: ")
    assert_one_line(validated, 5, "two_class_logistic_regresion")
    assert validated.stdout.startswith(f"{tmp_path / 'typo.yaml'}:16: Node 'learner' uses the module")
    assert not Pipeline.objects.exists()


def test_things_that_do_not_exist_are_exit_4(tessera):
    run = tessera("run", "show", "999999")
    pipeline = tessera("pipeline", "pull", "Nope")
    workspace = tessera("dataset", "list", "--workspace", "Nowhere")

    assert_one_line(run, 4, "No run 999999 in your workspaces.")
    assert_one_line(pipeline, 4, "No pipeline 'Nope'")
    assert_one_line(workspace, 4, "No workspace 'Nowhere' among yours ('Lab')")


def test_every_command_has_help(home):
    groups = ["workspace", "dataset", "pipeline", "run", "endpoint", "model", "published", "schedule"]
    for args in [[], ["login"], *([g] for g in groups), ["pipeline", "push"], ["run", "submit"], ["endpoint", "score"]]:
        result = run_tessera(home, *args, "--help")
        assert result.code == 0, (args, result.stderr)
        assert "Usage: tessera" in result.stdout
