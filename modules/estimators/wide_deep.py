"""A Wide & Deep rating model (Cheng et al., 2016) trained with PyTorch, kept as numpy weights.

The predicted rating is the mean training rating plus a wide part and a deep part:

* wide: a linear model over one-hot user id, item id and their cross (the pair hashed into
  ``crossed_dim`` buckets; the cross is left out when either id is unknown);
* deep: user and item id embeddings, each side's numeric features (standardised) and categorical
  features (embedded), concatenated and passed through fully connected layers (each optionally batch
  normalised, then activated, then dropped out while training) to one output.

Both parts are trained together on the squared error, each with its own optimizer. Id 0 stands for
"unknown" (zero embedding, never trained), so a user or item not seen in training is predicted from
its features (when a features table has them) and the other side: the cold-start path Azure offers.

Everything is float64. Parameters are drawn from one seeded generator in a fixed order (user id
embedding, item id embedding, user then item categorical embeddings, then each hidden layer's weight
and bias, then the output layer's); embeddings are normal with standard deviation 0.1 (row 0 zero),
linear layers uniform in +-1/sqrt(fan_in) as PyTorch's default, the wide weights zero. Each epoch
visits the rows in an order drawn from the same generator; dropout masks come from it too. A last
batch of a single row is skipped when batch normalisation is on (its variance is undefined).

After fitting only numpy arrays and plain values are kept, so the model saves through skops and
predicts with a numpy forward pass (batch normalisation with its running statistics, no dropout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._recommender import RecommenderBase, key_array, positions

OPTIMIZERS = ("Adagrad", "Adam", "RMSProp", "SGD", "Adadelta")
ACTIVATIONS = ("ReLU", "Sigmoid", "Tanh", "Linear", "LeakyReLU")
EMBEDDING_STD = 0.1
BN_EPS = 1e-5
BN_MOMENTUM = 0.1
LEAKY_SLOPE = 0.01
CROSS_MULTIPLIER = 1_000_003
SIDES = ("user", "item")


def cross_buckets(users: np.ndarray, items: np.ndarray, crossed_dim: int) -> np.ndarray:
    """The hashed bucket of each (user position + 1, item position + 1) pair."""
    bucket: np.ndarray = (users.astype("int64") * CROSS_MULTIPLIER + items.astype("int64")) % crossed_dim
    return bucket


def activate(x: np.ndarray, name: str) -> np.ndarray:
    if name == "ReLU":
        return np.maximum(x, 0.0)
    if name == "Sigmoid":
        out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
        return out
    if name == "Tanh":
        return np.tanh(x)
    if name == "LeakyReLU":
        return np.where(x > 0, x, LEAKY_SLOPE * x)
    return x


def encode_side(table: Any | None) -> dict[str, Any]:
    """A features table (id first, then numeric float64 and categorical text columns) as arrays.

    Numeric features are standardised over the table's rows (missing -> 0, the mean); categories
    are numbered 1.. in sorted order, 0 being unknown or missing.
    """
    if table is None or table.shape[1] == 0:
        return {"ids": np.array([], dtype="float64"), "numeric": [], "categorical": []}
    ids = key_array(table.iloc[:, 0].to_numpy(dtype=object))
    numeric = [str(c) for c in table.columns[1:] if table[c].dtype.kind == "f"]
    categorical = [str(c) for c in table.columns[1:] if table[c].dtype.kind != "f"]
    values = table[numeric].to_numpy(dtype="float64") if numeric else np.zeros((len(table), 0))
    with np.errstate(invalid="ignore"):
        offset = np.nan_to_num(np.nanmean(values, axis=0)) if len(values) else np.zeros(len(numeric))
        scale = np.nan_to_num(np.nanstd(values, axis=0)) if len(values) else np.ones(len(numeric))
    scale = np.where(scale > 0, scale, 1.0)
    vocabularies = [np.array(sorted({str(v) for v in table[c] if _present(v)}), dtype=str) for c in categorical]
    side = {
        "ids": ids,
        "numeric": numeric,
        "categorical": categorical,
        "offset": offset,
        "scale": scale,
        "vocabularies": vocabularies,
    }
    side["values"], side["codes"] = features_of(side, table)
    return side


def _present(value: Any) -> bool:
    return not (value is None or (isinstance(value, float) and np.isnan(value)))


def features_of(side: dict[str, Any], table: Any) -> tuple[np.ndarray, np.ndarray]:
    """The standardised numbers and category codes of ``table``'s rows, with ``side``'s encoding."""
    numeric, categorical = side["numeric"], side["categorical"]
    values = np.zeros((len(table), len(numeric)))
    for j, name in enumerate(numeric):
        column = table[name].to_numpy(dtype="float64", na_value=np.nan) if name in table.columns else np.nan
        values[:, j] = np.nan_to_num((column - side["offset"][j]) / side["scale"][j])
    codes = np.zeros((len(table), len(categorical)), dtype="int64")
    for j, name in enumerate(categorical):
        if name in table.columns:
            found = positions(side["vocabularies"][j], [str(v) if _present(v) else None for v in table[name]])
            codes[:, j] = found + 1
    return values, codes


def side_rows(side: dict[str, Any], keys: Any, extra: dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The feature numbers and codes of each key; ``extra`` (a scoring-time table) wins over ``side``."""
    n = len(keys)
    values = np.zeros((n, len(side["numeric"])))
    codes = np.zeros((n, len(side["categorical"])), dtype="int64")
    for source in (side, extra):
        if source is None or len(source["ids"]) == 0:
            continue
        at = positions(source["ids"], keys)
        hit = at >= 0
        values[hit] = source["values"][at[hit]]
        codes[hit] = source["codes"][at[hit]]
    return values, codes


def train_wide_deep(
    data: dict[str, np.ndarray],
    shapes: dict[str, Any],
    settings: dict[str, Any],
    on_epoch: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Weights fitted to ``data`` (``users, items, cross, user_values, user_codes, item_values, item_codes, y``)."""
    import torch

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    g = torch.Generator().manual_seed(int(settings["seed"]))
    params = _initial(shapes, settings, g)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in data.items()}
    live = {k: _moved(v, device, grad=k != "running") for k, v in params.items()}
    wide_params = [live["wide"], live["wide_bias"]]
    deep_params = _deep_parameters(live)
    wide_opt = _optimizer(settings["wide_optimizer"], wide_params, settings["wide_learning_rate"])
    deep_opt = _optimizer(settings["deep_optimizer"], deep_params, settings["deep_learning_rate"])
    n = len(data["y"])
    for epoch in range(int(settings["epochs"])):
        order = torch.randperm(n, generator=g)
        total = 0.0
        for start in range(0, n, int(settings["batch_size"])):
            batch = order[start : start + int(settings["batch_size"])]
            if settings["batch_normalization"] and len(batch) < 2:
                continue
            batch = batch.to(device)
            rows = {k: v[batch] for k, v in tensors.items()}
            wide_opt.zero_grad()
            deep_opt.zero_grad()
            predicted = _forward_torch(live, rows, shapes, settings, g, training=True)
            loss = torch.mean((predicted - rows["y"]) ** 2)
            loss.backward()
            wide_opt.step()
            deep_opt.step()
            total += float(loss.detach()) * len(batch)
        if not np.isfinite(total):
            raise FloatingPointError(f"the loss overflowed in epoch {epoch + 1}")
        if on_epoch is not None:
            on_epoch(epoch, total / max(n, 1))
    return _to_numpy(live)


def _moved(value: Any, device: Any, grad: bool) -> Any:
    """Tensors (in lists or tuples) on ``device``, as leaves that collect gradients when ``grad``."""
    if isinstance(value, list | tuple):
        return type(value)(_moved(v, device, grad) for v in value)
    moved = value.to(device)
    return moved.requires_grad_(True) if grad else moved


def _initial(shapes: dict[str, Any], settings: dict[str, Any], g: Any) -> dict[str, Any]:
    import torch

    def embedding(rows: int, dim: int) -> Any:
        table = torch.randn(rows, dim, generator=g, dtype=torch.float64) * EMBEDDING_STD
        table[0] = 0.0
        return table

    def linear(fan_in: int, fan_out: int) -> tuple[Any, Any]:
        bound = 1.0 / np.sqrt(fan_in)
        weight = (torch.rand(fan_out, fan_in, generator=g, dtype=torch.float64) * 2 - 1) * bound
        bias = (torch.rand(fan_out, generator=g, dtype=torch.float64) * 2 - 1) * bound
        return weight, bias

    params: dict[str, Any] = {
        "user_embedding": embedding(shapes["n_users"] + 1, settings["user_dim"]),
        "item_embedding": embedding(shapes["n_items"] + 1, settings["item_dim"]),
        "categorical": [embedding(size + 1, settings["categorical_dim"]) for size in shapes["vocabulary_sizes"]],
    }
    layers = []
    fan_in = deep_width(shapes, settings)
    for units in settings["hidden_units"]:
        layers.append(linear(fan_in, units))
        fan_in = units
    params["layers"] = layers
    params["output"] = linear(fan_in, 1)
    norm = settings["batch_normalization"]
    units = settings["hidden_units"] if norm else []
    params["bn"] = [(torch.ones(u, dtype=torch.float64), torch.zeros(u, dtype=torch.float64)) for u in units]
    params["running"] = [(torch.zeros(u, dtype=torch.float64), torch.ones(u, dtype=torch.float64)) for u in units]
    params["wide"] = torch.zeros(
        shapes["n_users"] + shapes["n_items"] + 2 + settings["crossed_dim"], dtype=torch.float64
    )
    params["wide_bias"] = torch.zeros(1, dtype=torch.float64)
    return params


def deep_width(shapes: dict[str, Any], settings: dict[str, Any]) -> int:
    width: int = settings["user_dim"] + settings["item_dim"] + shapes["n_numeric"]
    return width + len(shapes["vocabulary_sizes"]) * settings["categorical_dim"]


def _deep_parameters(live: dict[str, Any]) -> list[Any]:
    out = [live["user_embedding"], live["item_embedding"], *live["categorical"]]
    for weight, bias in live["layers"]:
        out += [weight, bias]
    for gamma, beta in live["bn"]:
        out += [gamma, beta]
    out += list(live["output"])
    return out


def _optimizer(name: str, params: list[Any], lr: float) -> Any:
    import torch

    kinds = {
        "Adagrad": torch.optim.Adagrad,
        "Adam": torch.optim.Adam,
        "RMSProp": torch.optim.RMSprop,
        "SGD": torch.optim.SGD,
        "Adadelta": torch.optim.Adadelta,
    }
    return kinds[name](params, lr=lr)


def _forward_torch(
    p: dict[str, Any], rows: dict[str, Any], shapes: dict[str, Any], settings: dict[str, Any], g: Any, training: bool
) -> Any:
    import torch

    u, i = rows["users"], rows["items"]
    offset_item = shapes["n_users"] + 1
    offset_cross = offset_item + shapes["n_items"] + 1
    known = ((u > 0) & (i > 0)).to(torch.float64)
    w = p["wide"]
    wide = w[u] + w[offset_item + i] + known * w[offset_cross + rows["cross"]] + p["wide_bias"]
    x = torch.cat(_deep_inputs(p, rows, shapes, torch.cat), dim=1)
    for n, (weight, bias) in enumerate(p["layers"]):
        x = x @ weight.T + bias
        if settings["batch_normalization"]:
            mean, var = p["running"][n]
            gamma, beta = p["bn"][n]
            x = torch.nn.functional.batch_norm(
                x, mean, var, gamma, beta, training=training, momentum=BN_MOMENTUM, eps=BN_EPS
            )
        x = _activate_torch(x, settings["activation"])
        if training and settings["dropout"] > 0:
            keep = torch.rand(x.shape, generator=g, dtype=torch.float64).to(x.device) >= settings["dropout"]
            x = x * keep / (1.0 - settings["dropout"])
    weight, bias = p["output"]
    return wide + (x @ weight.T + bias)[:, 0]


def _deep_inputs(p: dict[str, Any], rows: dict[str, Any], shapes: dict[str, Any], cat: Any) -> list[Any]:
    parts = [p["user_embedding"][rows["users"]], p["item_embedding"][rows["items"]]]
    tables = iter(p["categorical"])
    for side in SIDES:
        parts.append(rows[f"{side}_values"])
        codes = rows[f"{side}_codes"]
        for j in range(codes.shape[1]):
            parts.append(next(tables)[codes[:, j]])
    return parts


def _activate_torch(x: Any, name: str) -> Any:
    import torch

    if name == "ReLU":
        return torch.relu(x)
    if name == "Sigmoid":
        return torch.sigmoid(x)
    if name == "Tanh":
        return torch.tanh(x)
    if name == "LeakyReLU":
        return torch.nn.functional.leaky_relu(x, LEAKY_SLOPE)
    return x


def _to_numpy(live: dict[str, Any]) -> dict[str, Any]:
    def arr(t: Any) -> np.ndarray:
        out: np.ndarray = t.detach().cpu().numpy().copy()
        return out

    return {
        "user_embedding": arr(live["user_embedding"]),
        "item_embedding": arr(live["item_embedding"]),
        "categorical": [arr(t) for t in live["categorical"]],
        "layers": [[arr(w), arr(b)] for w, b in live["layers"]],
        "output": [arr(t) for t in live["output"]],
        "bn": [[arr(a), arr(b)] for a, b in live["bn"]],
        "running": [[arr(m), arr(v)] for m, v in live["running"]],
        "wide": arr(live["wide"]),
        "wide_bias": float(live["wide_bias"].detach().cpu()[0]),
    }


class WideDeepRecommender(RecommenderBase):
    def __init__(
        self,
        epochs: int = 15,
        batch_size: int = 64,
        wide_optimizer: str = "Adagrad",
        wide_learning_rate: float = 0.1,
        crossed_dim: int = 1000,
        deep_optimizer: str = "Adagrad",
        deep_learning_rate: float = 0.1,
        user_dim: int = 16,
        item_dim: int = 16,
        categorical_dim: int = 4,
        hidden_units: tuple[int, ...] = (256, 128),
        activation: str = "ReLU",
        dropout: float = 0.1,
        batch_normalization: bool = True,
        random_state: int = 0,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.wide_optimizer = wide_optimizer
        self.wide_learning_rate = wide_learning_rate
        self.crossed_dim = crossed_dim
        self.deep_optimizer = deep_optimizer
        self.deep_learning_rate = deep_learning_rate
        self.user_dim = user_dim
        self.item_dim = item_dim
        self.categorical_dim = categorical_dim
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_normalization = batch_normalization
        self.random_state = random_state

    def _settings(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "wide_optimizer": self.wide_optimizer,
            "wide_learning_rate": self.wide_learning_rate,
            "crossed_dim": self.crossed_dim,
            "deep_optimizer": self.deep_optimizer,
            "deep_learning_rate": self.deep_learning_rate,
            "user_dim": self.user_dim,
            "item_dim": self.item_dim,
            "categorical_dim": self.categorical_dim,
            "hidden_units": [int(u) for u in self.hidden_units],
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_normalization": self.batch_normalization,
            "seed": self.random_state,
        }

    def fit(
        self,
        x: Any,
        y: Any,
        user_features: Any | None = None,
        item_features: Any | None = None,
        on_epoch: Callable[[int, float], None] | None = None,
    ) -> WideDeepRecommender:
        """Fit to (user, item) rows ``x`` and ratings ``y``; each features table has the id first."""
        users, items, ratings = self._remember(x, y)
        self.sides_ = {"user": encode_side(user_features), "item": encode_side(item_features)}
        self.mean_ = float(ratings.mean())
        data = self._inputs(users, items, self.users_[users], self.items_[items])
        data["y"] = ratings - self.mean_
        self.weights_ = train_wide_deep(data, self._shapes(), self._settings(), on_epoch)
        return self

    def _shapes(self) -> dict[str, Any]:
        sizes = [len(v) for side in SIDES for v in self.sides_[side].get("vocabularies", [])]
        numeric = sum(len(self.sides_[side]["numeric"]) for side in SIDES)
        return {
            "n_users": len(self.users_),
            "n_items": len(self.items_),
            "n_numeric": numeric,
            "vocabulary_sizes": sizes,
        }

    def _inputs(
        self,
        users: np.ndarray,
        items: np.ndarray,
        user_keys: Any,
        item_keys: Any,
        extra: dict[str, dict[str, Any] | None] | None = None,
    ) -> dict[str, np.ndarray]:
        """Model inputs for positions (-1 unknown) and the raw keys (for the feature lookups)."""
        u, i = users + 1, items + 1
        data = {"users": u, "items": i, "cross": cross_buckets(u, i, self.crossed_dim)}
        for side, keys in (("user", user_keys), ("item", item_keys)):
            data[f"{side}_values"], data[f"{side}_codes"] = side_rows(self.sides_[side], keys, (extra or {}).get(side))
        return data

    def predict_ids(
        self, users: Any, items: Any, user_features: Any | None = None, item_features: Any | None = None, **_: Any
    ) -> np.ndarray:
        """Ratings of (user, item) pairs; features tables given here add or replace users' and items' features."""
        extra = {
            "user": self._scoring_side("user", user_features),
            "item": self._scoring_side("item", item_features),
        }
        data = self._inputs(positions(self.users_, users), positions(self.items_, items), users, items, extra)
        lo, hi = self.rating_range_
        clipped: np.ndarray = np.clip(self.mean_ + self._forward(data), lo, hi)
        return clipped

    def _predict_positions(self, users: np.ndarray, items: np.ndarray, **features: Any) -> np.ndarray:
        data = self._inputs(users, items, self.users_[np.maximum(users, 0)], self.items_[np.maximum(items, 0)])
        out: np.ndarray = self.mean_ + self._forward(data)
        return out

    def _scoring_side(self, side: str, table: Any | None) -> dict[str, Any] | None:
        if table is None or len(table) == 0:
            return None
        known = self.sides_[side]
        values, codes = features_of(known, table)
        return {"ids": key_array(table.iloc[:, 0].to_numpy(dtype=object)), "values": values, "codes": codes}

    def _forward(self, data: dict[str, np.ndarray]) -> np.ndarray:
        w = self.weights_
        u, i = data["users"], data["items"]
        offset_item = len(self.users_) + 1
        offset_cross = offset_item + len(self.items_) + 1
        known = (u > 0) & (i > 0)
        wide = w["wide"][u] + w["wide"][offset_item + i] + np.where(known, w["wide"][offset_cross + data["cross"]], 0.0)
        wide = wide + w["wide_bias"]
        parts = [w["user_embedding"][u], w["item_embedding"][i]]
        tables = iter(w["categorical"])
        for side in SIDES:
            parts.append(data[f"{side}_values"])
            codes = data[f"{side}_codes"]
            parts += [next(tables)[codes[:, j]] for j in range(codes.shape[1])]
        x = np.concatenate(parts, axis=1)
        for n, (weight, bias) in enumerate(w["layers"]):
            x = x @ weight.T + bias
            if self.batch_normalization:
                mean, var = w["running"][n]
                gamma, beta = w["bn"][n]
                x = (x - mean) / np.sqrt(var + BN_EPS) * gamma + beta
            x = activate(x, self.activation)
        weight, bias = w["output"]
        out: np.ndarray = wide + (x @ weight.T + bias)[:, 0]
        return out
