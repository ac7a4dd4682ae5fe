"""A fully connected neural network trained with PyTorch, wrapped as a scikit-learn estimator.

Azure's three neural-network learners share this: one hidden layer of sigmoid units, weights drawn
uniformly from [-diameter/2, diameter/2], plain SGD with momentum over shuffled mini-batches, and the
features normalised first (Min-Max, Gaussian or none). Training runs on the GPU when PyTorch sees one
and on the CPU otherwise.

Only numbers are kept after fitting: the weights as numpy arrays, the normalisation and the classes.
So the fitted estimator saves through skops like any scikit-learn model (this module is on the trusted
list, and its state holds nothing but arrays and plain values), and predicting is a numpy forward pass:
scoring servers never import torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # noqa: TID253 - outside the catalogue path

NORMALIZERS = ("Min-Max", "Gaussian", "None")
#: Called after each pass over the rows with (passes done, passes in all): Train Model's progress.
EpochHook = Callable[[int, int], None]


def _normalizer(x: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Offset and scale so that ``(x - offset) / scale`` is the normalised feature."""
    if kind == "Min-Max":
        lo, hi = x.min(axis=0), x.max(axis=0)
        return lo, np.where(hi > lo, hi - lo, 1.0)
    if kind == "Gaussian":
        mean, std = x.mean(axis=0), x.std(axis=0)
        return mean, np.where(std > 0, std, 1.0)
    return np.zeros(x.shape[1]), np.ones(x.shape[1])


def train_mlp(
    x: np.ndarray,
    targets: np.ndarray,
    outputs: int,
    *,
    classification: bool,
    hidden_nodes: int,
    learning_rate: float,
    iterations: int,
    diameter: float,
    momentum: float,
    batch_size: int,
    shuffle: bool,
    seed: int,
    on_epoch: EpochHook | None = None,
) -> list[np.ndarray]:
    """Weights ``[w1, b1, w2, b2]`` of a one-hidden-layer sigmoid network fitted to ``targets``; ``on_epoch(done,
    iterations)`` after each pass over the rows (it may raise to stop the fit)."""
    import torch

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    generator = torch.Generator().manual_seed(seed)
    first = torch.nn.Linear(x.shape[1], hidden_nodes, dtype=torch.float64)
    last = torch.nn.Linear(hidden_nodes, outputs, dtype=torch.float64)
    with torch.no_grad():
        for p in (first.weight, first.bias, last.weight, last.bias):
            p.copy_((torch.rand(p.shape, generator=generator, dtype=torch.float64) - 0.5) * diameter)
    net: torch.nn.Module = torch.nn.Sequential(first, torch.nn.Sigmoid(), last).to(device)
    features = torch.from_numpy(x).to(device)
    labels = torch.from_numpy(targets).to(device)
    loss_fn = torch.nn.CrossEntropyLoss() if classification else torch.nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=learning_rate, momentum=momentum)
    n = len(x)
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)  # tiny matrices: threads cost more than they bring
    try:
        _epochs(
            net, features, labels, loss_fn, optimizer, generator, device, n, iterations, batch_size, shuffle, on_epoch
        )
    finally:
        torch.set_num_threads(threads)
    return [t.detach().cpu().numpy().copy() for t in (first.weight, first.bias, last.weight, last.bias)]


def _epochs(
    net: Any,
    features: Any,
    labels: Any,
    loss_fn: Any,
    optimizer: Any,
    generator: Any,
    device: Any,
    n: int,
    iterations: int,
    batch_size: int,
    shuffle: bool,
    on_epoch: EpochHook | None = None,
) -> None:
    import torch

    classification = isinstance(loss_fn, torch.nn.CrossEntropyLoss)
    for epoch in range(iterations):
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size].to(device)
            optimizer.zero_grad()
            out = net(features[batch])
            loss = loss_fn(out, labels[batch]) if classification else loss_fn(out[:, 0], labels[batch])
            loss.backward()
            optimizer.step()
        if on_epoch is not None:
            on_epoch(epoch + 1, iterations)


class _MLP(BaseEstimator):
    def __init__(
        self,
        hidden_nodes: int = 100,
        learning_rate: float = 0.1,
        iterations: int = 100,
        diameter: float = 0.1,
        momentum: float = 0.0,
        normalizer: str = "Min-Max",
        batch_size: int = 32,
        shuffle: bool = True,
        random_state: int = 0,
    ) -> None:
        self.hidden_nodes = hidden_nodes
        self.learning_rate = learning_rate
        self.iterations = iterations
        self.diameter = diameter
        self.momentum = momentum
        self.normalizer = normalizer
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state

    def _settings(self) -> dict[str, Any]:
        return {
            "hidden_nodes": self.hidden_nodes,
            "learning_rate": self.learning_rate,
            "iterations": self.iterations,
            "diameter": self.diameter,
            "momentum": self.momentum,
            "batch_size": self.batch_size,
            "shuffle": self.shuffle,
            "seed": self.random_state,
        }

    def _fit_inputs(self, x: Any) -> np.ndarray:
        data = np.asarray(x, dtype="float64")
        self.offset_, self.scale_ = _normalizer(data, self.normalizer)
        self.n_features_in_ = data.shape[1]
        return (data - self.offset_) / self.scale_

    def _raw_output(self, x: Any) -> np.ndarray:
        data = (np.asarray(x, dtype="float64") - self.offset_) / self.scale_
        hidden = 1.0 / (1.0 + np.exp(-(data @ self.w1_.T + self.b1_)))
        out: np.ndarray = hidden @ self.w2_.T + self.b2_
        return out

    def _keep(self, weights: list[np.ndarray]) -> None:
        self.w1_, self.b1_, self.w2_, self.b2_ = weights


class TorchMLPClassifier(ClassifierMixin, _MLP):
    def fit(self, x: Any, y: Any, on_epoch: EpochHook | None = None) -> TorchMLPClassifier:
        data = self._fit_inputs(x)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        weights = train_mlp(
            data, codes.astype("int64"), len(self.classes_), classification=True, on_epoch=on_epoch, **self._settings()
        )
        self._keep(weights)
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        logits = self._raw_output(x)
        logits = logits - logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        probabilities: np.ndarray = odds / odds.sum(axis=1, keepdims=True)
        return probabilities

    def predict(self, x: Any) -> np.ndarray:
        picked: np.ndarray = self.classes_[self.predict_proba(x).argmax(axis=1)]
        return picked


class TorchMLPRegressor(RegressorMixin, _MLP):
    def fit(self, x: Any, y: Any, on_epoch: EpochHook | None = None) -> TorchMLPRegressor:
        data = self._fit_inputs(x)
        target = np.asarray(y, dtype="float64")
        self.y_offset_, self.y_scale_ = float(target.mean()), float(target.std() or 1.0)
        scaled = (target - self.y_offset_) / self.y_scale_
        weights = train_mlp(data, scaled, 1, classification=False, on_epoch=on_epoch, **self._settings())
        self._keep(weights)
        return self

    def predict(self, x: Any) -> np.ndarray:
        out: np.ndarray = self._raw_output(x)[:, 0] * self.y_scale_ + self.y_offset_
        return out
