"""The neural-network learners against the same network trained directly with PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_diabetes, load_iris

from modules.library.scoring.score_model import score_table
from modules.sdk import DataTable, LocalContext, ModuleError, TrainedModel, default_registry

SETTINGS = {
    "number_of_hidden_nodes": 12,
    "number_of_learning_iterations": 60,
    "learning_rate": 0.2,
    "the_momentum": 0.5,
}


def run(module_id: str, inputs: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run(dict(inputs or {}), cls.parse_params(params), LocalContext())


def direct(x: np.ndarray, y: np.ndarray, outputs: int, classification: bool, seed: int = 0) -> torch.nn.Module:
    """The same network, written out in plain PyTorch: Min-Max inputs, uniform init, SGD with momentum."""
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(seed)
    lo, hi = x.min(axis=0), x.max(axis=0)
    xt = torch.tensor((x - lo) / np.where(hi > lo, hi - lo, 1.0))
    first = torch.nn.Linear(x.shape[1], 12, dtype=torch.float64)
    last = torch.nn.Linear(12, outputs, dtype=torch.float64)
    with torch.no_grad():
        for p in (first.weight, first.bias, last.weight, last.bias):
            p.copy_((torch.rand(p.shape, generator=g, dtype=torch.float64) - 0.5) * 0.1)
    net = torch.nn.Sequential(first, torch.nn.Sigmoid(), last)
    yt = torch.tensor(y)
    opt = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.5)
    loss_fn = torch.nn.CrossEntropyLoss() if classification else torch.nn.MSELoss()
    for _ in range(60):
        order = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), 32):
            batch = order[start : start + 32]
            opt.zero_grad()
            out = net(xt[batch])
            loss = loss_fn(out, yt[batch]) if classification else loss_fn(out[:, 0], yt[batch])
            loss.backward()
            opt.step()
    net.lo, net.span = lo, np.where(hi > lo, hi - lo, 1.0)  # type: ignore[assignment]
    return net


def forward(net: Any, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.tensor((x - net.lo) / net.span)).numpy()


def train(learner_id: str, df: pd.DataFrame, label: str) -> Any:
    learner = run(learner_id, **SETTINGS)["untrained_model"]
    return run("train_model", {"untrained_model": learner, "dataset": DataTable(df)}, label_column=label)[
        "trained_model"
    ]


def test_multiclass_probabilities_equal_the_network_trained_directly_in_pytorch():
    iris = load_iris(as_frame=True).frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    iris["target"] = iris["target"].map({0: "setosa", 1: "versicolor", 2: "virginica"})
    model = train("multiclass_neural_network", iris, "target")

    scored = score_table(model, DataTable(iris)).df
    x = iris.drop(columns=["target"]).to_numpy(dtype="float64")
    codes = pd.Categorical(iris["target"]).codes.astype("int64")
    logits = forward(direct(x, codes, 3, classification=True), x)
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)

    for i, name in enumerate(["setosa", "versicolor", "virginica"]):
        np.testing.assert_allclose(scored[f'Scored Probabilities for Class "{name}"'], expected[:, i], atol=1e-9)
    assert (scored["Scored Labels"] == iris["target"]).mean() > 0.9


def test_regression_predictions_equal_the_network_trained_directly_in_pytorch():
    frame = load_diabetes(as_frame=True).frame
    model = train("neural_network_regression", frame, "target")

    scored = score_table(model, DataTable(frame)).df
    x = frame.drop(columns=["target"]).to_numpy(dtype="float64")
    y = frame["target"].to_numpy(dtype="float64")
    net = direct(x, (y - y.mean()) / y.std(), 1, classification=False)
    expected = forward(net, x)[:, 0] * y.std() + y.mean()

    np.testing.assert_allclose(scored["Scored Labels"], expected, atol=1e-7)


def test_a_trained_network_survives_the_store_and_scores_without_torch_tensors():
    frame = load_iris(as_frame=True).frame
    frame["target"] = (frame["target"] == 2).astype("int64")
    model = train("two_class_neural_network", frame, "target")

    back = TrainedModel.deserialize(TrainedModel.serialize(model))

    pd.testing.assert_frame_equal(score_table(back, DataTable(frame)).df, score_table(model, DataTable(frame)).df)
    weights = back.estimator.steps[-1][1].w1_
    assert isinstance(weights, np.ndarray) and weights.shape == (12, 4)


def test_out_of_range_settings_name_the_parameter():
    cls = default_registry().get("two_class_neural_network")

    with pytest.raises(Exception) as caught:
        cls.parse_params({"number_of_hidden_nodes": 0})

    assert "number_of_hidden_nodes" in str(caught.value)


def test_a_two_class_network_refuses_a_three_valued_label():
    iris = load_iris(as_frame=True).frame
    learner = run("two_class_neural_network", **SETTINGS)["untrained_model"]

    with pytest.raises(ModuleError) as caught:
        run("train_model", {"untrained_model": learner, "dataset": DataTable(iris)}, label_column="target")

    assert caught.value.column == "target" or caught.value.param == "label_column"
