import json

import numpy as np
import pandas as pd

from designer.engine.records_json import records_json


def test_a_float_answer_comes_back_as_the_number_the_model_produced():
    frame = pd.DataFrame({"Scored Labels": [99.8, 1.2345678901234568e-05, 0.1 + 0.2, 2.5e20]})

    text = records_json(frame)

    assert text == (
        '[{"Scored Labels":99.8},{"Scored Labels":1.2345678901234568e-05},'
        '{"Scored Labels":0.30000000000000004},{"Scored Labels":2.5e+20}]'
    )
    assert [row["Scored Labels"] for row in json.loads(text)] == frame["Scored Labels"].tolist()


def test_every_float_round_trips_exactly():
    values = np.random.default_rng(7).standard_normal(500) * np.logspace(-12, 12, 500)
    frame = pd.DataFrame({"x": values})

    read = [row["x"] for row in json.loads(records_json(frame))]

    assert read == values.tolist()


def test_float32_is_written_by_its_own_shortest_text():
    frame = pd.DataFrame({"p": np.array([0.1, 0.7], dtype=np.float32)})

    assert records_json(frame) == '[{"p":0.1},{"p":0.7}]'


def test_missing_and_infinite_floats_are_null():
    frame = pd.DataFrame({"a": [np.nan, np.inf, -np.inf, 1.5], "b": pd.array([None, 2.25, None, 1.0], dtype="Float64")})

    assert records_json(frame) == ('[{"a":null,"b":null},{"a":null,"b":2.25},{"a":null,"b":null},{"a":1.5,"b":1.0}]')


def test_other_columns_are_written_as_before_beside_floats():
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-03-01 10:20:30", None]),
            "label": ["yes", 'say "hi" é'],
            "count": np.array([3, 4], dtype=np.int64),
            "flag": [True, False],
            "maybe": pd.array([1, None], dtype="Int64"),
            "mixed": [99.8, "text"],
            "score": [0.25, 99.8],
            7: ["a", "b"],
        }
    )

    text = records_json(frame)

    assert text == (
        '[{"when":"2024-03-01T10:20:30.000","label":"yes","count":3,"flag":true,"maybe":1,"mixed":99.8,'
        '"score":0.25,"7":"a"},'
        '{"when":null,"label":"say \\"hi\\" é","count":4,"flag":false,"maybe":null,"mixed":"text",'
        '"score":99.8,"7":"b"}]'
    )


def test_a_table_without_floats_is_written_by_pandas_unchanged():
    frame = pd.DataFrame({"label": ["a", None], "n": [1, 2]})

    assert records_json(frame) == frame.to_json(orient="records", force_ascii=False)
    assert records_json(frame.iloc[:0]) == "[]"


def test_the_shortest_text_is_what_python_writes():
    values = [99.8, 1e-7, 123456789.123456789, 5.0]

    text = records_json(pd.DataFrame({"v": values}))

    assert text == "[" + ",".join('{"v":' + repr(v) + "}" for v in values) + "]"


def test_text_columns_are_written_as_pandas_writes_them_missing_values_null():
    df = pd.DataFrame(
        {
            "s": pd.Series(['a"é', None, "ü\n"], dtype="str"),
            "c": pd.Series(["x", None, "z"], dtype="string"),
            "f": [99.8, float("nan"), 1.2345678901234567e-05],
        }
    )

    written = json.loads(records_json(df))

    assert written[0]["s"] == 'a"é' and written[1]["s"] is None and written[2]["s"] == "ü\n"
    assert [r["s"] for r in written] == [r["s"] for r in json.loads(df[["s"]].to_json(orient="records"))]
    assert [r["c"] for r in written] == ["x", None, "z"]
    assert [r["f"] for r in written] == [99.8, None, 1.2345678901234567e-05]


def test_a_scored_frame_written_whole_reads_the_same_as_column_by_column():
    # floats, a nullable integer label, a boolean and text: the whole-frame path; then one missing label
    frame = pd.DataFrame(
        {
            "x": [0.1 + 0.2, 99.8],
            "Scored Labels": pd.array([1, 0], dtype="Int64"),
            "flag": pd.array([True, False], dtype="boolean"),
            "name": pd.Series(["a/b", "é"], dtype="str"),
            "Scored Probabilities": [0.75, 1.2345678901234568e-05],
        }
    )
    expected = [
        {"x": 0.30000000000000004, "Scored Labels": 1, "flag": True, "name": "a/b", "Scored Probabilities": 0.75},
        {"x": 99.8, "Scored Labels": 0, "flag": False, "name": "é", "Scored Probabilities": 1.2345678901234568e-05},
    ]

    assert records_json(frame) == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    frame.loc[1, "Scored Labels"] = pd.NA
    expected[1]["Scored Labels"] = None
    assert records_json(frame) == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))


def test_the_text_is_what_json_dumps_writes_for_every_magnitude_missing_and_infinite_values_included():
    rng = np.random.default_rng(11)
    values = rng.standard_normal((400, 3)) * np.logspace(-12, 22, 400)[:, None]
    values[::37, 1] = np.nan
    values[::53, 2] = np.inf
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    frame["Scored Labels"] = pd.array(rng.integers(0, 3, 400), dtype="Int64")
    frame["name"] = pd.Series([f"row {i} e-mail" if i % 50 == 0 else f"r{i}" for i in range(400)], dtype="str")
    for part in (frame, frame.iloc[1:2], frame.iloc[60:90], frame[frame.index % 50 != 0]):
        expected = [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in part.astype(object).to_dict("records")
        ]
        assert records_json(part) == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
