"""The scoring fast paths give exactly what the general paths give: the same frames, the same predictions
to the last bit, and the same refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from designer.engine.request_rows import typed_frame
from designer.engine.scoring import InputSpec, ScoringError, rows_table
from modules.library._compiled import CompiledPipeline, fast_predictor
from modules.library._features import build_pipeline, check_no_missing_numbers, prepare_features
from modules.library.web_service.web_service_input import InputColumn, rows_to_frame
from modules.sdk import ModuleError

RNG = np.random.default_rng(7)


def mixed_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": RNG.integers(18, 90, n).astype("int64"),
            "income": RNG.normal(50_000, 12_000, n),
            "city": RNG.choice(["Oslo", "Lyon", "Porto", "Graz"], n),
            "score": pd.array(RNG.integers(0, 5, n), dtype="Int64"),
            "ratio": RNG.random(n),
        }
    )


MIXED_TYPES = {"age": "integer", "income": "number", "city": "string", "score": "integer", "ratio": "number"}
NUMERIC_TYPES = {"ratio": "number", "income": "number", "age": "integer"}  # not in the frame's column order


def fitted(feature_types: dict[str, str], estimator: object, df: pd.DataFrame, y: np.ndarray) -> Pipeline:
    pipeline = build_pipeline(feature_types, estimator)
    return pipeline.fit(prepare_features(df, feature_types), y)


@pytest.mark.parametrize(
    ("feature_types", "estimator", "method"),
    [
        (NUMERIC_TYPES, Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]), "predict_proba"),
        (MIXED_TYPES, Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=0.5))]), "predict_proba"),
        (MIXED_TYPES, LGBMClassifier(n_estimators=20, verbose=-1, deterministic=True), "predict_proba"),
        (MIXED_TYPES, RandomForestClassifier(n_estimators=10, random_state=0), "predict"),
        (MIXED_TYPES, LGBMRegressor(n_estimators=20, verbose=-1, deterministic=True), "predict"),
    ],
)
@pytest.mark.parametrize("rows", [1, 3, 257])
def test_a_compiled_pipeline_predicts_bit_for_bit_what_scikit_learn_does(feature_types, estimator, method, rows):
    train = mixed_frame(400)
    y = train["income"].to_numpy() if method == "predict" and "Regressor" in type(estimator).__name__ else None
    if y is None:
        y = (train["ratio"] > 0.5).to_numpy().astype(int) + (train["city"] == "Oslo").to_numpy()
    pipeline = fitted(feature_types, estimator, train, y)
    compiled = fast_predictor(pipeline)
    assert isinstance(compiled, CompiledPipeline)
    assert fast_predictor(pipeline) is compiled  # compiled once per fitted pipeline

    test = mixed_frame(rows)
    test.loc[test.index[::2], "city"] = "Bergen"  # a value never seen in training: the encoder's own rule
    features = prepare_features(test, feature_types)
    expected = getattr(pipeline, method)(features)
    got = getattr(compiled, method)(features)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)


def two_classes(df: pd.DataFrame) -> np.ndarray:
    return ((df["ratio"] > 0.5) ^ (df["city"] == "Oslo")).to_numpy().astype(int)


@pytest.mark.parametrize(
    "model",
    [
        Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]),
        Pipeline([("scale", StandardScaler(with_mean=False)), ("model", LogisticRegression(C=0.5))]),
        Pipeline(
            [("scale", StandardScaler(with_std=False)), ("again", StandardScaler()), ("model", LogisticRegression())]
        ),
        LogisticRegression(C=2.0),
    ],
    ids=["scaled", "scaled without centring", "two scalers", "unscaled"],
)
@pytest.mark.parametrize("feature_types", [NUMERIC_TYPES, MIXED_TYPES], ids=["numbers", "mixed"])
@pytest.mark.parametrize("rows", [1, 3, 257])
def test_two_class_logistic_probabilities_are_computed_here_bit_for_bit_as_scikit_learns_steps_do(
    model, feature_types, rows
):
    train = mixed_frame(400)
    pipeline = fitted(feature_types, model, train, two_classes(train))
    compiled = fast_predictor(pipeline)
    assert isinstance(compiled, CompiledPipeline) and compiled._proba is not None  # scikit-learn's checks skipped

    test = mixed_frame(rows)
    features = prepare_features(test, feature_types)
    encoded = compiled.encode(features)
    expected = compiled.final.predict_proba(compiled._transformed(encoded))  # scikit-learn's steps on that array
    got = compiled.predict_proba(features)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)
    assert np.array_equal(compiled.predict(features), pipeline.predict(features))


def test_what_scikit_learn_would_refuse_or_compute_otherwise_is_left_to_it():
    train = mixed_frame(400)
    pipeline = fitted(
        NUMERIC_TYPES,
        Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]),
        train,
        two_classes(train),
    )
    compiled = fast_predictor(pipeline)
    features = prepare_features(mixed_frame(3), NUMERIC_TYPES)
    features.iloc[1, 0] = np.inf  # scikit-learn refuses it, naming infinity: so does the compiled pipeline
    with pytest.raises(ValueError, match="infinity") as refused:
        pipeline.predict_proba(features)
    with pytest.raises(ValueError, match="infinity") as also:
        compiled.predict_proba(features)
    assert str(also.value) == str(refused.value)
    # three classes, or a step of another kind: no arithmetic of its own
    three = (train["ratio"] > 0.5).to_numpy().astype(int) + (train["city"] == "Oslo").to_numpy()
    assert fast_predictor(fitted(NUMERIC_TYPES, LogisticRegression(), train, three))._proba is None
    minmax = Pipeline([("scale", MinMaxScaler()), ("model", LogisticRegression())])
    assert fast_predictor(fitted(NUMERIC_TYPES, minmax, train, two_classes(train)))._proba is None


def test_a_pipeline_the_compiler_does_not_know_is_left_to_scikit_learn():
    raw = Pipeline([("model", LogisticRegression())]).fit(np.eye(4), [0, 1, 0, 1])
    assert fast_predictor(raw) is raw
    model = LogisticRegression().fit(np.eye(4), [0, 1, 0, 1])
    assert fast_predictor(model) is model


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"age": [1, 2], "income": [1.5, np.nan], "ratio": [0.1, 0.2]}),  # numpy int64 and float64
        pd.DataFrame({"ratio": [0.1, None], "income": pd.array([1.0, None], dtype="Float64"), "age": [3, 4]}),
        pd.DataFrame({"age": pd.array([1, None], dtype="Int64"), "income": [2.0, 3.0], "ratio": [1.0, 2.0]}),
        pd.DataFrame({"x": ["a", "b"], "age": [1, 2], "income": [2.0, 3.0], "ratio": [1.0, 2.0]}),  # extra text
    ],
)
def test_numeric_features_taken_as_one_block_equal_the_column_by_column_frame(frame):
    fast = prepare_features(frame, NUMERIC_TYPES)
    slow = pd.DataFrame(
        {c: pd.to_numeric(frame[c]).to_numpy(dtype="float64", na_value=np.nan) for c in NUMERIC_TYPES},
        index=frame.index,
        columns=pd.Index(list(NUMERIC_TYPES), dtype=object),
    )
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.columns) == list(NUMERIC_TYPES)


def test_the_missing_value_check_names_the_first_column_in_training_order_with_its_count():
    frame = pd.DataFrame({"age": [1, np.nan, np.nan], "income": [np.nan, 2.0, 3.0], "ratio": [1.0, 2.0, 3.0]})
    features = prepare_features(frame, NUMERIC_TYPES)
    with pytest.raises(ModuleError) as refused:
        check_no_missing_numbers(features, NUMERIC_TYPES, "Two-Class Logistic Regression", "dataset")
    assert refused.value.column == "income" and "has 1 missing values" in str(refused.value)
    check_no_missing_numbers(features[["ratio"]], {"ratio": "number"}, "x", "dataset")  # none missing: no refusal


COLUMNS = [
    {"name": "n", "type": "number"},
    {"name": "i", "type": "integer"},
    {"name": "s", "type": "string"},
    {"name": "c", "type": "category"},
    {"name": "b", "type": "boolean"},
]


@pytest.mark.parametrize(
    ("rows", "columns"),
    [
        (
            [{"n": 1.5, "i": 2, "s": "x", "c": "k", "b": True}, {"n": None, "i": None, "s": None, "c": "z", "b": None}],
            COLUMNS,
        ),
        ([{"a": 1, "b": 2.5}, {"a": None, "b": 7}], [{"name": "a", "type": "number"}, {"name": "b", "type": "number"}]),
    ],
)
def test_valid_request_rows_make_the_frame_the_cell_by_cell_path_makes(rows, columns):
    fast = typed_frame(rows, columns)
    assert fast is not None
    slow = rows_to_frame(rows, [InputColumn.model_validate(c) for c in columns])
    pd.testing.assert_frame_equal(fast, slow, check_column_type=False)  # labels: object vs pandas' str index
    assert fast.columns.dtype == object and fast.columns.tolist() == slow.columns.tolist()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"a": True}, "row 0, column 'a': expected a number, got True"),
        ({"a": float("nan")}, "row 0, column 'a': expected a number, got nan"),
        ({"a": "1.5"}, "row 0, column 'a': expected a number, got '1.5'"),
        ({"a": 1.0, "z": 2}, "row 0: column 'z' is not an input of this endpoint"),
        ({}, "row 0: column 'a' is missing"),
    ],
)
def test_unusual_rows_leave_the_fast_path_and_are_refused_as_before(row, message):
    columns = [{"name": "a", "type": "number"}]
    assert typed_frame([row], columns) is None
    with pytest.raises(ScoringError) as refused:
        rows_table([row], InputSpec("in", "n1", columns, []))
    assert refused.value.status == 400 and message in refused.value.message


def test_loading_a_scikit_learn_model_in_a_fresh_process_does_not_import_torch(tmp_path):
    """A scoring server loads its models at start: PyTorch (1.2 s, ~260 MB) only where a model needs it."""
    import subprocess
    import sys

    from modules.sdk import FittedModel
    from modules.sdk.ports import TrainedModel

    train = mixed_frame(50)
    pipeline = fitted(MIXED_TYPES, LogisticRegression(), train, (train["ratio"] > 0.5).to_numpy().astype(int))
    model = FittedModel(
        pipeline, "binary", "two_class_logistic_regression", "y", list(MIXED_TYPES), MIXED_TYPES, [0, 1]
    )
    (tmp_path / "model.bin").write_bytes(TrainedModel.serialize(model))
    script = (
        "import sys; from pathlib import Path; from modules.sdk.ports import TrainedModel\n"
        f"m = TrainedModel.deserialize(Path({str(tmp_path / 'model.bin')!r}).read_bytes())\n"
        "import skops.io._trusted_types as t\n"
        "print(type(m.estimator).__name__, 'torch' in sys.modules, len(t.SKLEARN_ESTIMATOR_TYPE_NAMES))\n"
        "import torch\n"  # and PyTorch still imports afterwards, for the models that need it
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    name, torch_loaded, defaults = found.stdout.split()
    assert (name, torch_loaded) == ("Pipeline", "False")
    assert defaults == "0"  # skops' walk of every scikit-learn module was skipped: our own prefixes decide


class Smuggled:
    """Not from a trusted library: a model holding it must not load."""

    def __init__(self) -> None:
        self.payload = [1, 2, 3]


def test_a_model_holding_a_type_outside_the_trusted_libraries_is_refused():
    from modules.sdk import FittedModel
    from modules.sdk.ports import TrainedModel

    model = FittedModel(Smuggled(), "binary", "x", "y", ["a"], {"a": "number"}, [0, 1])
    with pytest.raises(ValueError, match="outside the trusted libraries: tests.modules.test_compiled_scoring.Smuggled"):
        TrainedModel.deserialize(TrainedModel.serialize(model))


def test_lightgbm_reads_a_table_of_numbers_without_a_copy_and_predicts_bit_for_bit_as_scikit_learn():
    # given a LightGBM pipeline fitted on numbers only, and a table of those numbers next to a text label
    n = 3_000
    numbers = {"a": "number", "b": "number", "c": "number"}
    df = pd.DataFrame({name: RNG.normal(size=n) for name in numbers} | {"label": RNG.choice(["no", "yes"], n)})
    pipeline = fitted(numbers, LGBMClassifier(n_estimators=15, verbose=-1, deterministic=True), df, df["label"])
    compiled = fast_predictor(pipeline)
    assert isinstance(compiled, CompiledPipeline)
    features = prepare_features(df, numbers)

    # when the compiled pipeline builds the model's input
    x = compiled._model_input(features)

    # then it is the features' own memory (column-major, no copy), and the scores are scikit-learn's to the bit
    assert np.shares_memory(x, features.to_numpy()) and x.flags.f_contiguous
    np.testing.assert_array_equal(compiled.predict_proba(features), pipeline.predict_proba(features))
    # a scikit-learn model after the encoding still gets the C-ordered copy it has always had
    scaled = fitted(numbers, Pipeline([("s", StandardScaler()), ("m", LogisticRegression())]), df, df["label"])
    assert fast_predictor(scaled).encode(features).flags.c_contiguous


@pytest.mark.parametrize(("negative", "positive"), [("no", "yes"), ("<=50K", ">50K"), ("False", "True")])
def test_two_text_labels_taken_by_arrow_equal_the_row_by_row_labels(negative, positive):
    from modules.library.scoring.score_model import _choose, _label_series, _two_labels

    rows = RNG.random(1_000) > 0.4
    index = pd.RangeIndex(5, 1_005)
    expected = _label_series(_choose(rows, positive, negative), [negative, positive], index)
    pd.testing.assert_series_equal(_two_labels(rows, positive, negative, [negative, positive], index), expected)


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(["yes", "no", "no", "yes"], dtype="str"),
        pd.Series([True, False, True]),
        pd.Series(pd.array([1, 0, 1, 1], dtype="Int64")),
        pd.Series([0.0, 1.0, 1.0]),
        pd.Series(["yes", None, "no"], dtype="str"),  # missing values: row by row, as before
    ],
)
def test_evaluate_reads_each_distinct_label_once_and_gives_the_row_by_row_values(series):
    from modules.library.scoring.evaluate_model import _distinct, _plain_values

    codes, values = _distinct(series)
    rows = _plain_values(series)
    assert [values[c] for c in codes] == rows or series.hasnans and values == rows
    assert [type(values[c]) for c in codes] == [type(v) for v in rows]


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(["yes", "no", "no", "yes"], dtype="str"),
        pd.Series(["b", "a", "c"], dtype=object),
        pd.Series(pd.Categorical(["x", "y", "x"])),
        pd.Series([1.5, 2.5, 1.5], dtype=object),
    ],
)
def test_train_model_makes_each_distinct_text_label_once_and_gives_the_row_by_row_labels(series):
    from modules.library.training.train_model import _plain_labels

    labels = _plain_labels(series, "string")
    assert labels.dtype == object and labels.tolist() == [str(v) for v in series]
    assert all(type(v) is str for v in labels)
