"""Model bytes: Tessera's skops archive holds exactly what ``skops.io.dumps`` writes, and loads back to equal
predictions."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest

from modules.sdk.ports import _skops_dumps, _skops_io, _skops_loads


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _canonical(data: bytes) -> Any:
    """The schema with what differs between two saves of one object made plain: skops names each array's
    file and each object's ``__id__`` by ``id()``, so those become the file's bytes and the order in
    which ids first appear."""
    files = _files(data)
    ids: dict[int, int] = {}

    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__":
                    out[key] = ids.setdefault(value, len(ids))
                elif key == "file":
                    out[key] = files[value]
                else:
                    out[key] = plain(value)
            return out
        if isinstance(node, list):
            return [plain(item) for item in node]
        return node

    return plain(json.loads(files["schema.json"]))


def _models() -> dict[str, Any]:
    from lightgbm import LGBMClassifier
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    vote = VotingClassifier(
        [
            ("trees", LGBMClassifier(n_estimators=20, num_leaves=7, verbose=-1)),
            ("forest", RandomForestClassifier(n_estimators=15, random_state=0)),
            ("linear", LogisticRegression()),
        ],
        voting="soft",
        weights=[3, 2, 1],
    )
    ensemble = Pipeline([("scale", ColumnTransformer([("numeric", StandardScaler(), [0, 1, 2, 3])])), ("vote", vote)])
    return {"ensemble": ensemble, "forest": RandomForestClassifier(n_estimators=5, random_state=1)}


@pytest.mark.parametrize("name", ["ensemble", "forest"])
def test_the_archive_holds_skops_own_schema_and_files_and_predicts_the_same(name: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    model = _models()[name].fit(x, y)

    ours, theirs = _skops_dumps(model), _skops_io().dumps(model)

    assert _canonical(ours) == _canonical(theirs)  # the arrays beside the schema too, byte for byte
    assert len(_files(ours)) == len(_files(theirs))
    loaded = _skops_loads(_skops_dumps(model))
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_the_schema_is_written_without_indentation() -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    schema = _files(_skops_dumps(model))["schema.json"]

    assert b"\n" not in schema
