"""Create Python Model: Azure's AzureMLModel contract, trained and scored in the sandbox, never unpickled here."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from modules.estimators.python_model import PythonClassifier, PythonRegressor
from modules.library._features import feature_encoder, prepare_features
from modules.library.algorithms.one_vs_all_multiclass import OneVsAllMulticlass
from modules.library.algorithms.one_vs_one_multiclass import OneVsOneMulticlass
from modules.library.python_language.create_python_model import DEFAULT_SCRIPT, CreatePythonModel
from modules.library.scoring.score_model import ScoreModel, score_table
from modules.library.training.cross_validate_model import CrossValidateModel
from modules.library.training.train_model import TrainModel
from modules.sdk import DataTable, FittedModel, Learner, LocalContext, ModuleError, TrainedModel
from tests.modules.conftest import adult_like, with_missing_numbers

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
    """Unpickling this runs code: it tries to write a file outside the sandbox, then says where it ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        code = (
            "import os\n"
            f"try:\n    open({str(self.marker)!r}, 'w').write('escaped')\n    where = 'wrote outside'\n"
            "except OSError:\n    where = 'could not write outside'\n"
            "raise RuntimeError(f'payload ran as uid {os.getuid()}, {where}')"
        )
        return (exec, (code,))


def test_a_malicious_blob_only_ever_runs_inside_the_child(table: DataTable, tmp_path: Path) -> None:
    model = _train(_learner(), table)
    final = model.estimator.steps[-1][1]
    marker = tmp_path / "unpickled-by"
    final.model_ = np.frombuffer(pickle.dumps(_Payload(marker)), dtype=np.uint8).copy()

    with pytest.raises(ModuleError, match="payload ran as uid") as caught:
        score_table(model, table)

    assert "could not write outside" in str(caught.value)  # it ran, in the confined child only
    assert not marker.exists()


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


# -- the features reach the script as they are: own names, own order, pandas types ---------------

FEATURES = ["hours per week", "âge", "work class", "married", "note"]


def people(n: int = 40, seed: int = 3) -> pd.DataFrame:
    """Feature names with spaces and accents; an integer, a category, a true/false and a text column."""
    rng = np.random.default_rng(seed)
    hours = rng.normal(40, 8, n).round(1)
    work = rng.choice(np.array(["Private", "Gov", "Self-emp"]), n)
    return pd.DataFrame(
        {
            "hours per week": hours,
            "âge": pd.array(rng.integers(18, 70, n), dtype="Int64"),
            "work class": pd.Series(work).astype("category"),
            "married": pd.array(rng.random(n) > 0.5, dtype="boolean"),
            "note": pd.Series(rng.choice(np.array(["a", "b", None], dtype=object), n), dtype="str"),
            "pay": hours * 10 + np.where(work == "Private", 100.0, 0.0),
        }
    )


BY_NAME = f"""\
import pandas as pd

COLUMNS = {FEATURES!r}
TYPES = {{"hours per week": "float64", "âge": "int64", "work class": "category", "married": "bool", "note": "str"}}


def check(df):
    assert list(df.columns) == COLUMNS, f"columns {{list(df.columns)}}"
    assert {{c: str(t) for c, t in df.dtypes.items()}} == TYPES, f"types {{dict(df.dtypes)}}"


class AzureMLModel:
    def __init__(self):
        self.model = None

    def train(self, df_train, df_label):
        check(df_train)
        self.model = float(df_label[df_train["work class"] == "Private"].mean())

    def predict(self, df):
        check(df)
        private = (df["work class"] == "Private").astype("float64") * self.model
        return pd.DataFrame({{"Scored Labels": df["hours per week"] * 2 + df["âge"] + private}})
"""


def _by_name_expected(train: pd.DataFrame, scored: pd.DataFrame) -> np.ndarray:
    private_mean = train.loc[train["work class"] == "Private", "pay"].mean()
    private = (scored["work class"] == "Private").to_numpy(dtype="float64") * private_mean
    expected: np.ndarray = scored["hours per week"].to_numpy() * 2 + scored["âge"].to_numpy(dtype="float64") + private
    return expected


def test_the_script_reads_the_features_by_their_own_names_and_types_when_training_and_scoring() -> None:
    df = people()
    model = _train(_learner(BY_NAME, task="Regression"), DataTable(df), label="pay")

    scored = _score(model, DataTable(df))

    np.testing.assert_allclose(scored["Scored Labels"], _by_name_expected(df, df), rtol=1e-12)
    assert [str(c) for c in model.estimator.steps[-1][1].feature_names_in_] == FEATURES
    assert [name for name, _ in model.estimator.steps] == ["model"], "no encoding step in front"


def test_scoring_a_table_with_the_columns_in_another_order_gives_the_script_the_training_order() -> None:
    df = people()
    model = _train(_learner(BY_NAME, task="Regression"), DataTable(df), label="pay")
    shuffled = df[["note", "pay", "married", "âge", "work class", "hours per week"]]

    scored = _score(model, DataTable(shuffled))

    assert list(scored.columns[:6]) == list(shuffled.columns)
    np.testing.assert_allclose(scored["Scored Labels"], _by_name_expected(df, shuffled), rtol=1e-12)


def test_a_script_reading_col1_fails_because_the_columns_keep_their_names() -> None:
    script = BY_NAME.replace("        check(df_train)\n", "        df_train['Col1']\n")

    with pytest.raises(ModuleError, match="Col1"):
        _train(_learner(script, task="Regression"), DataTable(people()), label="pay")


MISSING = """\
import math

import pandas as pd


def is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def check(df):
    assert str(df["hours per week"].dtype) == "float64", df["hours per week"].dtype
    assert str(df["âge"].dtype) == "float64", df["âge"].dtype  # integers with a gap, as pandas reads them
    assert str(df["married"].dtype) == "object", df["married"].dtype
    assert set(df["married"].map(repr)) == {"True", "False", "None"}, set(df["married"].map(repr))


class AzureMLModel:
    def __init__(self):
        self.model = None

    def train(self, df_train, df_label):
        check(df_train)
        self.model = 0.0

    def predict(self, df):
        check(df)
        gaps = [sum(is_missing(v) for v in row) for row in df.itertuples(index=False)]
        return pd.DataFrame({"Scored Labels": gaps})
"""


def test_missing_values_reach_the_script_as_nan_or_none_and_are_not_refused() -> None:
    df = people()
    df.loc[[1, 4], "hours per week"] = np.nan
    df.loc[[4, 7], "âge"] = pd.NA
    df.loc[[2, 7], "married"] = pd.NA
    df.loc[9, "work class"] = np.nan
    gaps = df[FEATURES].isna().sum(axis=1)
    assert df[FEATURES].isna().any().all(), "every feature column has a gap"

    scored = _score(_train(_learner(MISSING, task="Regression"), DataTable(df), label="pay"), DataTable(df))

    assert scored["Scored Labels"].tolist() == gaps.astype("float64").tolist()


def test_cross_validation_trains_and_scores_each_fold_with_the_columns_by_name() -> None:
    df = people()
    learner = _learner(BY_NAME, task="Regression")
    params = CrossValidateModel.parse_params({"label_column": "pay", "number_of_folds": 2, "random_seed": 1})

    scored = (
        CrossValidateModel()
        .run({"untrained_model": learner, "dataset": DataTable(df)}, params, LocalContext())["scored_results"]
        .df
    )

    for fold in (0, 1):
        held_out = scored["Fold Assignments"] == fold
        expected = _by_name_expected(df[~held_out.to_numpy()], scored[held_out])
        np.testing.assert_allclose(scored.loc[held_out, "Scored Labels"], expected, rtol=1e-12)


ABOVE_MEDIAN = f"""\
import pandas as pd

COLUMNS = {FEATURES!r}


class AzureMLModel:
    def __init__(self):
        self.model = None

    def train(self, df_train, df_label):
        assert list(df_train.columns) == COLUMNS, list(df_train.columns)
        self.model = float(df_train["hours per week"].median())
        high = df_train["hours per week"] > self.model
        self.high, self.low = df_label[high].mode()[0], df_label[~high].mode()[0]
        self.positive = sorted(set(df_label))[1]

    def predict(self, df):
        assert list(df.columns) == COLUMNS, list(df.columns)
        labels = [self.high if h else self.low for h in df["hours per week"] > self.model]
        return pd.DataFrame(
            {{"Scored Labels": labels, "Scored Probabilities": [float(v == self.positive) for v in labels]}}
        )
"""


def test_one_vs_all_passes_the_named_columns_through_to_the_script() -> None:
    df = people()
    df["band"] = np.where(df["hours per week"] > df["hours per week"].median(), "long", "short")
    table = DataTable(df.drop(columns=["pay"]))
    binary = _learner(ABOVE_MEDIAN)
    learner = OneVsAllMulticlass().run(
        {"untrained_binary_classification_model": binary}, OneVsAllMulticlass.parse_params({}), LocalContext()
    )["untrained_model"]

    scored = _score(_train(learner, table, label="band"), table)

    assert scored["Scored Labels"].tolist() == df["band"].tolist()


def test_one_vs_one_refuses_a_python_model_which_would_get_a_bare_array() -> None:
    with pytest.raises(ModuleError, match="One-vs-All") as caught:
        OneVsOneMulticlass().run(
            {"untrained_binary_classification_model": _learner()},
            OneVsOneMulticlass.parse_params({}),
            LocalContext(),
        )

    assert caught.value.port == "untrained_binary_classification_model"


OLD_COLUMNS = """\
import pandas as pd


class AzureMLModel:
    def __init__(self):
        self.model = None

    def train(self, df_train, df_label):
        assert list(df_train.columns) == ["Col1", "Col2", "Col3", "Col4"], list(df_train.columns)
        self.model = 0.0

    def predict(self, df):
        # married one-hot (False, True), then the numbers
        return pd.DataFrame({"Scored Labels": df["Col3"] * 2 + df["Col4"] + df["Col2"]})
"""


def test_a_model_trained_before_raw_features_still_loads_and_scores_with_the_columns_it_was_trained_on() -> None:
    # Exactly what Train Model used to build for a Python model: the encoding step, then the model.
    df = people()
    feature_types = {"hours per week": "number", "âge": "integer", "married": "boolean"}
    pipeline = Pipeline(
        [("features", feature_encoder(feature_types)), ("model", PythonRegressor(script=OLD_COLUMNS, **FAST))]
    ).fit(prepare_features(df, feature_types), df["pay"].to_numpy())
    old = FittedModel(pipeline, "regression", "create_python_model", "pay", list(feature_types), feature_types)

    back = TrainedModel.deserialize(TrainedModel.serialize(old))
    scored = score_table(back, DataTable(df[["married", "âge", "hours per week"]])).df

    expected = df["hours per week"] * 2 + df["âge"].astype("float64") + df["married"].astype("float64")
    np.testing.assert_allclose(scored["Scored Labels"], expected, rtol=1e-12)


def test_features_keep_pandas_types_whatever_form_the_rows_come_in() -> None:
    # An endpoint's JSON brings whole numbers as floats and true/false as text; the script sees one form.
    types = {"n": "integer", "x": "number", "b": "boolean", "when": "datetime", "c": "category", "s": "string"}
    rows = pd.DataFrame(
        {
            "s": ["u", None],
            "c": ["p", "q"],
            "when": ["2024-01-02T03:04:05", None],
            "b": ["true", "False"],
            "x": [1, 2],
            "n": [3.0, 2**40],
        }
    )

    out = prepare_features(rows, types, raw=True)

    assert list(out.columns) == list(types)
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "n": "int64",
        "x": "float64",
        "b": "bool",
        "when": "datetime64[us]",
        "c": "category",
        "s": "str",
    }
    assert out["n"].tolist() == [3, 2**40] and out["b"].tolist() == [True, False]
    assert out["when"].isna().tolist() == [False, True] and out["s"].isna().tolist() == [False, True]


def test_a_value_of_the_wrong_kind_is_refused_naming_its_column() -> None:
    with pytest.raises(ModuleError, match="'b' was boolean") as caught:
        prepare_features(pd.DataFrame({"b": [True, "maybe"]}), {"b": "boolean"}, raw=True)

    assert caught.value.column == "b"


def test_the_default_script_trains_and_scores_a_table_with_missing_numbers_and_text() -> None:
    table = DataTable(with_missing_numbers(adult_like()))
    assert table.df[["age", "hours"]].isna().any().all() and table.df["workclass"].isna().any()

    scored = _score(_train(_learner(), table), table)

    assert set(scored["Scored Labels"]) <= {"<=50K", ">50K"}
    assert scored["Scored Probabilities"].between(0, 1).all() and scored["Scored Probabilities"].notna().all()
