"""Create Python Model: Azure's AzureMLModel contract, trained and scored in the sandbox, never unpickled here."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from modules.estimators.python_model import PythonClassifier, PythonRegressor
from modules.library.python_language.create_python_model import DEFAULT_SCRIPT, CreatePythonModel
from modules.library.scoring.score_model import ScoreModel, score_table
from modules.library.training.train_model import TrainModel
from modules.sdk import DataTable, FittedModel, Learner, LocalContext, ModuleError, TrainedModel

FAST = {"timeout_seconds": 60, "memory_limit_mb": 1024}


def _learner(script: str = DEFAULT_SCRIPT, **params: Any) -> Learner:
    parsed = CreatePythonModel.parse_params({"python_script": script, **FAST, **params})
    learner: Learner = CreatePythonModel().run({}, parsed, LocalContext())["untrained_model"]
    return learner


def _train(learner: Learner, table: DataTable, label: str = "income") -> FittedModel:
    params = TrainModel.parse_params({"label_column": label})
    model: FittedModel = TrainModel().run({"untrained_model": learner, "dataset": table}, params, LocalContext())[
        "trained_model"
    ]
    return model


def _score(model: FittedModel, table: DataTable) -> pd.DataFrame:
    params = ScoreModel.parse_params({})
    scored: DataTable = ScoreModel().run({"trained_model": model, "dataset": table}, params, LocalContext())[
        "scored_dataset"
    ]
    return scored.df


def test_a_script_wrapping_logistic_regression_scores_as_logistic_regression_itself(table: DataTable) -> None:
    # Newton's method converges to the optimum itself, so the two fits agree to rounding.
    script = DEFAULT_SCRIPT.replace("LogisticRegression(max_iter=1000)", "LogisticRegression(solver='newton-cholesky')")
    assert script != DEFAULT_SCRIPT
    solver = LogisticRegression(solver="newton-cholesky")
    direct = Learner(solver, task="binary", learner="two_class_logistic_regression")

    ours = _score(_train(_learner(script), table), table)
    theirs = _score(_train(direct, table), table)

    assert ours["Scored Labels"].tolist() == theirs["Scored Labels"].tolist()
    np.testing.assert_allclose(ours["Scored Probabilities"], theirs["Scored Probabilities"], rtol=1e-6)


def test_the_trained_model_is_opaque_bytes_and_survives_a_skops_round_trip(table: DataTable) -> None:
    model = _train(_learner(), table)
    final = model.estimator.steps[-1][1]

    assert isinstance(final, PythonClassifier)
    assert isinstance(final.model_, np.ndarray) and final.model_.dtype == np.uint8
    back = TrainedModel.deserialize(TrainedModel.serialize(model))
    pd.testing.assert_frame_equal(score_table(back, table).df, score_table(model, table).df)


def test_the_trusted_process_never_unpickles(table: DataTable, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the worker unpickled the user's model")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)

    scored = _score(_train(_learner(), table), table)

    assert scored["Scored Labels"].notna().all()


class _Payload:
    """Unpickling this runs code: it records the process that unpickled it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        code = f"import os; open({str(self.marker)!r}, 'w').write(str(os.getpid()))"
        return (exec, (code,))


def test_a_malicious_blob_only_ever_runs_inside_the_child(table: DataTable, tmp_path: Path) -> None:
    model = _train(_learner(), table)
    final = model.estimator.steps[-1][1]
    marker = tmp_path / "unpickled-by"
    final.model_ = np.frombuffer(pickle.dumps(_Payload(marker)), dtype=np.uint8).copy()

    with pytest.raises(ModuleError, match="predict"):
        score_table(model, table)

    assert marker.exists(), "the payload should have run, in the child"
    assert int(marker.read_text()) != os.getpid()


def test_a_script_error_in_train_names_the_line(table: DataTable) -> None:
    script = DEFAULT_SCRIPT.replace(
        "        self.model.fit(df_train, df_label)\n", "        raise ValueError('no fitting today')\n"
    )
    line = script.splitlines().index("        raise ValueError('no fitting today')") + 1

    with pytest.raises(ModuleError) as caught:
        _train(_learner(script), table)

    assert f"at line {line}" in str(caught.value)
    assert "no fitting today" in str(caught.value)


def test_a_syntax_error_names_the_line_before_any_process_starts() -> None:
    with pytest.raises(ModuleError, match="syntax error at line 3"):
        _learner("import pandas\n\nclass AzureMLModel(:\n    pass\n")


def test_a_script_without_the_class_is_refused() -> None:
    with pytest.raises(ModuleError, match="AzureMLModel"):
        _learner("def azureml_main(dataframe1=None, dataframe2=None):\n    return dataframe1,\n")


def test_predict_without_scored_labels_is_a_clear_error(table: DataTable) -> None:
    script = DEFAULT_SCRIPT.replace("'Scored Labels'", "'labels'")
    model = _train(_learner(script), table)

    with pytest.raises(ModuleError, match="no column 'Scored Labels'"):
        score_table(model, table)


REGRESSION = """\
import pandas as pd


class AzureMLModel:
    def __init__(self):
        self.mean = None

    def train(self, df_train, df_label):
        self.mean = float(df_label.mean())

    def predict(self, df):
        return pd.DataFrame({"Scored Labels": [self.mean] * len(df)})
"""


def test_a_regression_model_predicts_numbers(table: DataTable) -> None:
    learner = _learner(REGRESSION, task="Regression")
    assert isinstance(learner.estimator, PythonRegressor)

    scored = _score(_train(learner, table, label="hours"), table)

    np.testing.assert_allclose(scored["Scored Labels"], table.df["hours"].mean())
