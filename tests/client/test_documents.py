"""Pipeline documents as YAML and JSON files: exact round trips, duplicate keys, lines of problems."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tessera_client import documents
from tessera_client.errors import DocumentError, ExitCode

from tests.support.pipelines import train_score_evaluate


def _tricky() -> dict[str, Any]:
    doc = train_score_evaluate(7, "diagnosis")
    doc["nodes"][1]["params"] |= {"note": "yes", "pattern": "1e3", "empty": "", "colon": "a: b", "unicode": "café ✓"}
    doc["nodes"][2]["params"] |= {"tol": 1e-7, "none": None, "flag": True, "list": [1, 2.5, "x", None, {"k": []}]}
    doc["nodes"][3]["params"]["label_column"] = {"$param": "label"}
    doc["parameters"] = {"label": {"type": "string", "default": "diagnosis", "description": "Which column: 'y'."}}
    doc["layout"]["data"] |= {"comment": "# not a comment", "colour": "#ff0000"}
    doc["nodes"][4]["regenerate"] = True
    return doc


def test_a_document_written_as_yaml_reads_back_equal_and_writes_the_same_text():
    # given a document with values YAML could misread (yes, 1e3, '#', ':', unicode, null, nested lists)
    doc = _tricky()

    # when it is written as YAML, read back, and written again
    text = documents.dumps_yaml(doc)
    back = documents.loads_yaml(text, "p.yaml")

    # then the document is equal and the text is the same
    assert back.content == doc
    assert json.dumps(back.content) == json.dumps(doc)  # same key order, same types (1 stays 1, 1.0 stays 1.0)
    assert documents.dumps_yaml(back.content) == text


def test_the_yaml_is_readable_one_edge_and_one_layout_entry_a_line():
    text = documents.dumps_yaml(train_score_evaluate(3, "diagnosis"))

    assert "  - {source: {node: data, port: dataset}, target: {node: split, port: dataset}}\n" in text
    assert "  split: {x: 100, y: 80}\n" in text
    assert text.startswith("schema_version: 1\nnodes:\n  - id: data\n    module: dataset\n")


@pytest.mark.parametrize(
    "script",
    [
        "import pandas as pd\n\n\ndef azureml_main(dataframe1=None):\n    return (dataframe1,)\n",
        "x = 1\ny = 2",  # no final line break
        "x = 1\n\n\n",  # several
        "x = 1  \ny = 2\n",  # a trailing space a block cannot keep: quoted instead
    ],
)
def test_a_script_of_several_lines_reads_as_written_and_round_trips(script):
    doc = train_score_evaluate(3, "diagnosis")
    doc["nodes"][2]["params"]["python_script"] = script

    text = documents.dumps_yaml(doc)

    assert documents.loads_yaml(text, "p.yaml").content == doc
    assert documents.dumps_yaml(documents.loads_yaml(text, "p.yaml").content) == text
    if "  \n" not in script and "\n" in script.rstrip("\n"):  # one line and its breaks stays quoted
        assert "python_script: |" in text
        assert "\n        def azureml_main(dataframe1=None):\n" in text or "azureml_main" not in script


def test_json_files_round_trip_too(tmp_path):
    doc = _tricky()
    path = documents.write(doc, tmp_path / "p.json")

    assert documents.read(path).content == doc
    assert documents.dumps_json(documents.read(path).content) == path.read_text()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(min_size=1), JSON_VALUES, max_size=5))
def test_any_json_parameter_values_survive_document_yaml_document(params):
    doc = train_score_evaluate(1, "y")
    doc["nodes"][0]["params"] = params

    text = documents.dumps_yaml(doc)
    back = documents.loads_yaml(text).content

    assert json.dumps(back, sort_keys=False) == json.dumps(doc, sort_keys=False)
    assert documents.dumps_yaml(back) == text


def test_a_duplicate_key_in_yaml_names_the_key_and_both_lines():
    text = (
        "schema_version: 1\nnodes:\n  - id: a\n    module: dataset\n    module: split_data\n    version: 1\nedges: []\n"
    )

    with pytest.raises(DocumentError) as caught:
        documents.loads_yaml(text, "p.yaml")

    assert str(caught.value) == "p.yaml:5: the key 'module' appears twice in one mapping (first on line 4)."
    assert caught.value.exit_code == ExitCode.VALIDATION


def test_a_duplicate_key_in_json_is_refused_by_name():
    with pytest.raises(DocumentError, match=r"^p.json: the key 'nodes' appears twice in one object.$"):
        documents.loads_json('{"nodes": [], "edges": [], "nodes": []}', "p.json")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "rows.yaml",
            "- 1\n- 2\n",
            "rows.yaml is not a pipeline: its top level is a list, not a mapping with 'nodes'.",
        ),
        ("empty.yaml", "", "empty.yaml is not a pipeline: the file is empty."),
        ("bad.yaml", "nodes: [\n", "bad.yaml:2 is not a pipeline: not valid YAML"),
        ("bad.json", '{"nodes": ', "bad.json:1 is not a pipeline: not valid JSON"),
        ("data.csv", "a,b\n1,2\n", "data.csv: a pipeline file ends in .json, .yaml or .yml."),
        ("tagged.yaml", "nodes: !!python/object:os.system {}\n", "tagged.yaml:1 is not a pipeline: not valid YAML"),
    ],
)
def test_a_file_that_is_not_a_pipeline_is_one_line_naming_why(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)

    with pytest.raises(DocumentError) as caught:
        documents.read(path)

    assert str(caught.value).startswith(str(tmp_path / message) if "/" not in message else message)
    assert "\n" not in str(caught.value)


def test_a_problem_path_from_the_server_points_at_its_line():
    doc = documents.loads_yaml(documents.dumps_yaml(train_score_evaluate(3, "diagnosis")), "p.yaml")

    assert doc.where({"path": "nodes[1].params.fraction_of_rows_in_first_output_dataset"}) == "p.yaml:13"
    assert doc.where({"path": "nodes[3].colour"}) == "p.yaml:21"  # not in the file: its node's line
    assert doc.where({"path": None}) == "p.yaml"


def test_documents_equal_after_the_servers_defaults_are_the_same_version():
    mine = train_score_evaluate(3, "diagnosis")
    stored = json.loads(json.dumps(mine))
    for node in stored["nodes"]:
        node["regenerate"] = False
    del mine["parameters"]
    mine["layout"]["ghost"] = {"x": 1, "y": 2}  # a layout entry of no node: the server drops it

    assert documents.same_document(mine, stored)
    stored["nodes"][1]["params"]["random_seed"] = 43
    assert not documents.same_document(mine, stored)
