"""The script generator: sections, the parameters block, library fallback, the notebook, names, tidiness.

Scripts run in a fresh process (``harness.run_script``) and their outputs are compared with the engine
running the same document node by node, exactly.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from designer.datasets.samples import breast_cancer, iris
from designer.engine.codegen.data_files import DataFile
from designer.engine.codegen.readable import emitters
from designer.engine.codegen.script import ExportRefused, generate
from modules.sdk import DataTable, Metrics

from .harness import export, run_engine, run_script, script_outputs

RUFF = Path(sys.executable).parent / "ruff"
TABLES = {1: breast_cancer(), 2: iris()}
# How a script ends: past Arrow's native teardown, which can abort a finished run (apache/arrow#34314).
EXIT = "    sys.stdout.flush()\n    sys.stderr.flush()\n    os._exit(0)\n"


def _edge(source: str, target: str) -> dict[str, Any]:
    (s_node, s_port), (t_node, t_port) = source.split("."), target.split(".")
    return {"source": {"node": s_node, "port": s_port}, "target": {"node": t_node, "port": t_port}}


def binary(fraction: Any = 0.7) -> dict[str, Any]:
    """Dataset -> Split (the fraction bound to a pipeline parameter) -> Train / Score / Evaluate."""
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": 1}}},
            {
                "id": "split",
                "module": "split_data",
                "version": 2,
                "params": {"fraction_of_rows_in_first_output_dataset": fraction, "random_seed": 5},
            },
            {"id": "learner", "module": "two_class_logistic_regression", "version": 1, "params": {}},
            {"id": "train", "module": "train_model", "version": 1, "params": {"label_column": "diagnosis"}},
            {"id": "score", "module": "score_model", "version": 1, "params": {}},
            {"id": "evaluate", "module": "evaluate_model", "version": 1, "params": {}},
        ],
        "edges": [
            _edge("data.dataset", "split.dataset"),
            _edge("learner.untrained_model", "train.untrained_model"),
            _edge("split.results_dataset1", "train.dataset"),
            _edge("train.trained_model", "score.trained_model"),
            _edge("split.results_dataset2", "score.dataset"),
            _edge("score.scored_dataset", "evaluate.scored_dataset"),
        ],
        "parameters": {"share": {"type": "number", "default": 0.7, "description": "Rows to train on."}},
        "layout": {"split": {"x": 0, "y": 0, "comment": "Most rows train;\nthe rest test"}},
    }


def bound() -> dict[str, Any]:
    return binary({"$param": "share"})


def _assert_same(engine: dict[tuple[str, str], Any], script: dict[tuple[str, str], Any]) -> None:
    compared = {key: value for key, value in engine.items() if isinstance(value, DataTable | Metrics)}
    assert sorted(script) == sorted(compared)
    for key, value in compared.items():
        if isinstance(value, DataTable):
            pd.testing.assert_frame_equal(script[key], value.df, obj=str(key))
        else:
            assert script[key] == value.values, key


def test_sections_come_in_order_setup_nodes_outputs(tmp_path: Path) -> None:
    exported = export(bound(), TABLES, tmp_path)
    assert [s.node for s in exported.sections] == [None, "data", "split", "learner", "train", "score", "evaluate", None]
    script = exported.script
    positions = [script.index(s.code) for s in exported.sections]
    assert positions == sorted(positions)
    assert script.startswith('"""Test pipeline: a Tessera pipeline as a script.\n\nRun 1, exported ')
    assert 'if __name__ == "__main__":\n    save_outputs(HERE / "outputs")\n' in script
    assert script.endswith(EXIT)
    headings = re.findall(r"^# ── (.*) ──$", script, flags=re.MULTILINE)
    assert headings[:2] == ["Dataset (data)", "Split Data (split)"]


def test_a_document_with_a_parameter_binding_writes_the_parameters_block_and_reads_it(tmp_path: Path) -> None:
    # given a split whose fraction is bound to the pipeline parameter "share"
    exported = export(bound(), TABLES, tmp_path, values={"share": 0.6})

    # then the script pins the value in PARAMETERS and the split section reads it from there
    assert exported.parameters == {"share": 0.6}
    assert "# Pipeline parameters:" in exported.script
    assert 'PARAMETERS = {"share": 0.6}' in exported.script
    split = next(s for s in exported.sections if s.node == "split")
    assert 'PARAMETERS["share"]' in split.code

    # and running it gives the engine's outputs with that value
    assert run_script(tmp_path).returncode == 0
    _assert_same(run_engine(bound(), TABLES, tmp_path, {"share": 0.6}), script_outputs(tmp_path))

    # when the block is edited, the sections follow it
    (tmp_path / "pipeline.py").write_text(exported.script.replace('{"share": 0.6}', '{"share": 0.5}'))
    assert run_script(tmp_path).returncode == 0
    _assert_same(run_engine(bound(), TABLES, tmp_path / "again", {"share": 0.5}), script_outputs(tmp_path))


def test_the_defaults_are_pinned_when_no_value_is_given(tmp_path: Path) -> None:
    assert export(bound(), TABLES, tmp_path).parameters == {"share": 0.7}


def test_a_library_section_writes_a_bound_field_as_the_parameter(tmp_path: Path) -> None:
    exported = export(bound(), TABLES, tmp_path, emitters={})
    split = next(s for s in exported.sections if s.node == "split")
    assert '"fraction_of_rows_in_first_output_dataset": PARAMETERS["share"]' in split.code
    assert run_script(tmp_path).returncode == 0
    _assert_same(run_engine(bound(), TABLES, tmp_path), script_outputs(tmp_path))


def test_without_readable_emitters_every_node_calls_the_library_and_gives_the_same_outputs(tmp_path: Path) -> None:
    exported = export(binary(), TABLES, tmp_path, emitters={})
    assert exported.readable == ()
    assert exported.library == ("data", "split", "learner", "train", "score", "evaluate")
    assert "the Tessera module library (`pip install -e <tessera checkout>`" in exported.script
    assert run_script(tmp_path).returncode == 0, run_script(tmp_path).stderr
    _assert_same(run_engine(binary(), TABLES, tmp_path), script_outputs(tmp_path))


def test_a_readable_script_needs_no_tessera_and_says_so(tmp_path: Path) -> None:
    document = binary()
    document["nodes"] = document["nodes"][:2]
    document["edges"] = document["edges"][:1]
    exported = export(document, TABLES, tmp_path)
    assert exported.library == ()
    assert "modules" not in exported.script
    assert "Tessera module library" not in exported.script
    assert run_script(tmp_path).returncode == 0
    _assert_same(run_engine(document, TABLES, tmp_path), script_outputs(tmp_path))


def test_a_non_table_value_crosses_only_between_readable_sections() -> None:
    # given a readable learner whose model goes to Train Model, which has no readable emitter
    def learner(spec):  # type: ignore[no-untyped-def]
        from designer.engine.codegen.node_code import NodeCode

        return NodeCode(f"{spec.outputs['untrained_model']} = object()")

    readable = {module: emit for module, emit in emitters().items() if module != "train_model"}
    exported = generate(
        binary(),
        data_files={"data": DataFile("data/data.parquet", 1)},
        emitters={**readable, "two_class_logistic_regression": learner},
    )

    # then both ends of the model edge are library sections; tables still cross by conversion
    assert "learner" in exported.library and "train" in exported.library
    assert "object()" not in exported.script


def test_table_conversions_at_the_boundaries(tmp_path: Path) -> None:
    exported = export(binary(), TABLES, tmp_path)
    split = next(s for s in exported.sections if s.node == "split")
    if "split" in exported.readable and "train" in exported.library:
        assert "split_results_dataset1_table = as_table(split_results_dataset1, " in split.code
    score = next(s for s in exported.sections if s.node == "score")
    if "score" in exported.library and "evaluate" in exported.readable:
        assert "score_scored_dataset_df = score_scored_dataset.df" in score.code


def test_the_notebook_holds_the_script_sections_as_cells(tmp_path: Path) -> None:
    exported = export(bound(), TABLES, tmp_path)
    notebook = exported.notebook
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code[:-1] == [s.code for s in exported.sections[:-1]]
    assert "\n\n".join(code[:-1]) in exported.script
    assert code[-1].startswith("from IPython.display import display\n")
    assert "print(json.dumps(evaluate_evaluation_results" in code[-1]
    assert re.search(r"\ndisplay\(score_scored_dataset(\.df)?\)$", code[-1])
    markdown = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert "### Split Data (`split`)\n\nMost rows train;\nthe rest test" in markdown
    assert len({c["id"] for c in notebook["cells"]}) == len(notebook["cells"])
    json.dumps(notebook)  # plain JSON


def test_the_notebook_runs_as_a_script_minus_saving(tmp_path: Path) -> None:
    exported = export(binary(), TABLES, tmp_path)
    cells = ["".join(c["source"]) for c in exported.notebook["cells"] if c["cell_type"] == "code"]
    show = cells[-1].replace("from IPython.display import display\n", "display = print  # no IPython here\n")
    program = "\n\n".join([*cells[:-1], show]) + "\n"
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "AUC" in done.stdout


def test_names_are_sanitized_and_made_unique(tmp_path: Path) -> None:
    # given node ids that are not Python names, two of which sanitize alike, and a tricky name and comment
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "2-data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": 2}}},
            {"id": "a-b", "module": "select_columns", "version": 1, "params": {"columns": ["species"]}},
            {"id": "a_b", "module": "select_columns", "version": 1, "params": {"columns": ["species"]}},
        ],
        "edges": [_edge("2-data.dataset", "a-b.dataset"), _edge("a-b.results_dataset", "a_b.dataset")],
        "layout": {"a_b": {"x": 0, "y": 0, "comment": 'Ends with """ and a \\'}},
    }
    exported = export(document, TABLES, tmp_path, emitters={})
    exported_named = generate(
        document, data_files={"2-data": "data/2-data.parquet"}, name='Quotes """ \\ here', emitters={}
    )

    # then the script parses, every variable is a Python name, and the outputs are saved under the node ids
    ast.parse(exported.script)
    ast.parse(exported_named.script)
    assert "n_2_data_dataset = " in exported.script
    assert "a_b_results_dataset = " in exported.script and "a_b_results_dataset_2 = " in exported.script
    assert run_script(tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "2-data__dataset.parquet",
        "a-b__results_dataset.parquet",
        "a_b__results_dataset.parquet",
    ]


def test_a_generated_script_is_tidy_for_ruff(tmp_path: Path) -> None:
    # ruff's default rules (unused imports and names, undefined names...), pycodestyle warnings and import
    # sorting, outside the project's configuration, on the script and on the notebook
    for folder, options in ((tmp_path / "readable", {}), (tmp_path / "library", {"emitters": {}})):
        exported = export(bound(), TABLES, folder, **options)
        done = subprocess.run(
            [str(RUFF), "check", "--isolated", "--no-cache", "--select", "E4,E7,E9,F,W,I", "."],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout
        # the lines the generator writes itself (header, setup, library sections, outputs) fit in 100 columns
        mine = [exported.script.split("\n\n\n")[0], exported.sections[-1].code]
        mine += [s.code for s in exported.sections if s.node in exported.library]
        assert max(len(line) for text in mine for line in text.splitlines()) <= 100


def test_a_required_parameter_without_a_value_is_refused_naming_it() -> None:
    document = bound()
    document["parameters"]["share"] = {"type": "number"}
    with pytest.raises(ExportRefused) as refused:
        generate(document, data_files={"data": "data/data.parquet"})
    assert [(p.code, p.path) for p in refused.value.problems] == [("missing_parameter_value", "values.share")]


def test_an_unknown_module_and_a_missing_data_file_are_refused_naming_the_node() -> None:
    document = binary()
    document["nodes"][2]["module"] = "no_such_learner"
    with pytest.raises(ExportRefused) as refused:
        generate(document, data_files={"data": "data/data.parquet"})
    assert [(p.code, p.node) for p in refused.value.problems] == [("unknown_module", "learner")]
    with pytest.raises(ExportRefused) as refused:
        generate(binary(), data_files={})
    assert [(p.code, p.node, p.param) for p in refused.value.problems] == [("unknown_dataset", "data", "dataset")]


def test_user_code_in_a_library_section_runs_where_no_sandbox_is_available(tmp_path: Path) -> None:
    # given Execute Python Script as a library section, on a machine where the library finds no confinement
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": 2}}},
            {
                "id": "script",
                "module": "execute_python_script",
                "version": 1,
                "params": {
                    "python_script": "def azureml_main(dataframe1=None, dataframe2=None):\n"
                    "    return dataframe1.assign(ratio=dataframe1['petal_length_cm'] / 2)\n"
                },
            },
        ],
        "edges": [_edge("data.dataset", "script.dataset1")],
    }
    exported = export(document, TABLES, tmp_path, emitters={})
    assert 'os.environ.setdefault("TESSERA_UNSAFE_UNCONFINED_USER_CODE", "true")' in exported.script

    # when the script runs with the sandbox forced off
    done = subprocess.run(
        [sys.executable, "pipeline.py"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TESSERA_SANDBOX": "unconfined"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    # then the user's script ran and its table is the engine's
    assert done.returncode == 0, done.stderr
    expected = run_engine(copy.deepcopy(document), TABLES, tmp_path / "engine")
    result = pd.read_parquet(tmp_path / "outputs" / "script__result_dataset.parquet")
    pd.testing.assert_frame_equal(result, expected[("script", "result_dataset")].df)


def test_the_header_says_what_to_install_from_what_the_sections_import(tmp_path: Path) -> None:
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": 3}}},
            {"id": "clean", "module": "preprocess_text", "version": 1, "params": {"text_column": "review"}},
        ],
        "edges": [_edge("data.dataset", "clean.dataset")],
    }
    exported = export(document, {3: pd.DataFrame({"review": ["Loved it!", "Hated it."]})}, tmp_path)
    assert exported.library == ()
    assert exported.packages == ("pandas", "pyarrow", "scikit-learn", "lightgbm", "simplemma")
    assert "    pip install pandas pyarrow scikit-learn lightgbm simplemma\n" in exported.script
