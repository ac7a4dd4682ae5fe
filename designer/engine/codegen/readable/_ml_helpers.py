"""The module-level functions the learning sections call, as source text for the generated script.

Each helper mirrors one piece of the module library (named in its docstring) operation for operation,
so that the script's results equal the library's to the bit. They read the names the sections import
(``np``, ``pd`` and the scikit-learn names listed beside each helper).
"""

from __future__ import annotations

from textwrap import dedent


def _source(text: str) -> str:
    return dedent(text).strip("\n") + "\n"


#: modules/library/_features.py: which columns are numbers, how each column reaches the model.
FEATURES = _source(
    '''
    def feature_kind(column: pd.Series) -> str:
        """How Tessera hands a column to a model: "number", "date" (as seconds since 1970) or "text"
        (text, categories and true/false, one-hot encoded)."""
        if pd.api.types.is_bool_dtype(column):
            return "text"
        if pd.api.types.is_numeric_dtype(column):
            return "number"
        if pd.api.types.is_datetime64_any_dtype(column):
            return "date"
        return "text"


    def as_text(value):
        """A text, category or true/false value as a string; a missing one stays missing (NaN)."""
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        return str(value.item() if isinstance(value, np.generic) else value)


    PLAIN_NUMBERS = {np.dtype("float64"), np.dtype("int64"), pd.Float64Dtype(), pd.Int64Dtype()}


    def prepare_columns(data: pd.DataFrame, kinds: dict) -> pd.DataFrame:
        """The feature columns of `data` in training order: numbers and dates as float64, the rest as strings;
        missing values as NaN. Built as Tessera builds it, down to the memory layout (which decides the order
        of floating-point sums in scalers and solvers): one float block when every feature is a plain number."""
        names = data.columns.tolist()
        labels = pd.Index(list(kinds), dtype=object)
        if kinds and all(kind == "number" for kind in kinds.values()) and data.columns.is_unique:
            positions = [names.index(name) for name in kinds]
            dtypes = data.dtypes.tolist()
            if all(dtypes[i] in PLAIN_NUMBERS for i in positions):
                if all(d == np.float64 for d in dtypes) and positions == list(range(len(names))):
                    block = data.to_numpy()
                elif all(d in PLAIN_NUMBERS for d in dtypes):
                    block = data.to_numpy(dtype="float64", na_value=np.nan)
                    block = block if positions == list(range(len(names))) else block[:, positions]
                else:
                    block = data.iloc[:, positions].to_numpy(dtype="float64", na_value=np.nan)
                return pd.DataFrame(block, columns=labels, index=data.index, copy=False)
        columns = {}
        for name, kind in kinds.items():
            column = data[name]
            if kind == "text":
                columns[name] = np.array([as_text(v) for v in column.astype(object)], dtype=object)
            elif kind == "date":
                stamps = pd.to_datetime(column)
                seconds = (stamps - pd.Timestamp(0, tz=stamps.dt.tz)) / pd.Timedelta(seconds=1)
                columns[name] = np.asarray(seconds.to_numpy(dtype="float64", na_value=np.nan))
            elif column.dtype == np.float64:
                columns[name] = np.asarray(column.to_numpy())
            else:
                columns[name] = np.asarray(pd.to_numeric(column).to_numpy(dtype="float64", na_value=np.nan))
        return pd.DataFrame(columns, index=data.index, columns=labels, copy=False)


    def with_features(X: pd.DataFrame, model) -> Pipeline:
        """`model` behind Tessera's featurization of the columns of `X` (the pipeline picks them from whatever
        table it is given): numbers pass through (missing values stay NaN, for the learners that take them);
        each text column is one-hot encoded with its 100 most frequent values (rarer ones share a column,
        values never seen in training score as none of them)."""
        kinds = {name: feature_kind(X[name]) for name in X.columns}
        texts = [name for name, kind in kinds.items() if kind == "text"]
        numbers = [name for name, kind in kinds.items() if kind != "text"]
        one_hot = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=100, sparse_output=False)
        parts = [("text", one_hot, texts), ("numbers", "passthrough", numbers)]
        encode = ColumnTransformer(parts, sparse_threshold=0.0)
        prepare = FunctionTransformer(prepare_columns, kw_args={"kinds": kinds})
        return Pipeline([("prepare", prepare), ("encode", encode), ("model", model)])
    '''
)
FEATURES_IMPORTS = (
    "import numpy as np",
    "import pandas as pd",
    "from sklearn.compose import ColumnTransformer",
    "from sklearn.pipeline import Pipeline",
    "from sklearn.preprocessing import FunctionTransformer, OneHotEncoder",
)

#: modules/library/training/train_model.py: the label a classifier learns from.
CLASS_LABELS = _source(
    '''
    def class_labels(labels: pd.Series) -> np.ndarray:
        """Class labels as Tessera keeps them: true/false, whole numbers and numbers as such, anything else as text."""
        if pd.api.types.is_bool_dtype(labels):
            return labels.to_numpy(dtype=bool)
        if pd.api.types.is_integer_dtype(labels):
            return labels.to_numpy(dtype="int64")
        if pd.api.types.is_numeric_dtype(labels):
            return labels.to_numpy(dtype="float64")
        return np.array([str(v) for v in labels], dtype=object)
    '''
)

#: Train Model as Cross Validate Model and Tune Model Hyperparameters call it for each fold and trial.
TRAIN_ON = _source(
    '''
    def train_on(learner, data: pd.DataFrame, label: str, classify: bool) -> Pipeline:
        """Train Model: `learner` (a fresh copy) fitted to predict `label` from every other column of `data`."""
        y = class_labels(data[label]) if classify else data[label].to_numpy(dtype="float64")
        return with_features(data.drop(columns=[label]), clone(learner)).fit(data, y)
    '''
)
TRAIN_ON_IMPORTS = ("from sklearn.base import clone",)

#: modules/library/scoring/score_model.py.
SCORE = _source(
    '''
    def model_input(model: Pipeline, data: pd.DataFrame) -> np.ndarray:
        """The rows of `data` as the trained model's estimator gets them when Tessera scores: prepared, encoded,
        in one C-ordered array."""
        return np.ascontiguousarray(model[:-1].transform(data))


    def label_series(values, index: pd.Index) -> pd.Series:
        """Scored labels in Tessera's types: nullable boolean or integer, float64, or text."""
        dtype = {"b": "boolean", "i": "Int64", "f": "float64"}.get(np.asarray(values).dtype.kind, "str")
        return pd.Series([str(v) for v in values] if dtype == "str" else values, index=index, dtype=dtype)


    def with_scores(data: pd.DataFrame, label: str, scores: dict, append: bool) -> pd.DataFrame:
        """The score columns after the input's columns, or after the label column alone (if present)."""
        if append:
            out = data.copy()
        else:
            out = data[[label]].copy() if label in data.columns else pd.DataFrame(index=data.index)
        for name, values in scores.items():
            out[name] = values
        return out
    '''
)
SCORE_BINARY = _source(
    '''
    def score_two_class(model, data: pd.DataFrame, label: str, append: bool = True) -> pd.DataFrame:
        """Score Model, two classes: "Scored Probabilities" is the probability of the larger of the two classes
        (the positive class), "Scored Labels" is that class where the probability is above 0.5."""
        negative, positive = model.classes_
        probabilities = np.asarray(model[-1].predict_proba(model_input(model, data))[:, 1], dtype="float64")
        labels = label_series(np.where(probabilities > 0.5, positive, negative), data.index)
        return with_scores(data, label, {"Scored Labels": labels, "Scored Probabilities": probabilities}, append)
    '''
)
SCORE_MULTICLASS = _source(
    '''
    def score_multiclass(model, data: pd.DataFrame, label: str, append: bool = True) -> pd.DataFrame:
        """Score Model, several classes: the predicted class and one probability column per class."""
        X = model_input(model, data)
        scores = {"Scored Labels": label_series(model[-1].predict(X), data.index)}
        probabilities = model[-1].predict_proba(X)
        for i, value in enumerate(model.classes_.tolist()):
            scores[f'Scored Probabilities for Class "{value}"'] = np.asarray(probabilities[:, i], dtype="float64")
        return with_scores(data, label, scores, append)
    '''
)
SCORE_REGRESSION = _source(
    '''
    def score_regression(model, data: pd.DataFrame, label: str, append: bool = True) -> pd.DataFrame:
        """Score Model, regression: the prediction as "Scored Labels"."""
        predicted = np.asarray(model[-1].predict(model_input(model, data)), dtype="float64")
        return with_scores(data, label, {"Scored Labels": predicted}, append)
    '''
)
SCORERS = {"binary": "score_two_class", "multiclass": "score_multiclass", "regression": "score_regression"}
SCORER_SOURCES = {"binary": SCORE_BINARY, "multiclass": SCORE_MULTICLASS, "regression": SCORE_REGRESSION}

#: modules/library/scoring/assign_data_to_clusters.py.
ASSIGN = _source(
    '''
    def assign_clusters(model, data: pd.DataFrame, append: bool = True) -> pd.DataFrame:
        """Assign Data to Clusters: each row's nearest cluster and its Euclidean distance to every center
        (measured after the encoding and normalizing the model clusters in)."""
        out = data.copy() if append else pd.DataFrame(index=data.index)
        out["Assignments"] = np.asarray(model.predict(data), dtype="int64")
        distances = np.asarray(model.transform(data), dtype="float64")
        for k in range(distances.shape[1]):
            out[f"DistancesToClusterCenter no.{k}"] = distances[:, k]
        return out
    '''
)

PLAIN = _source(
    '''
    def plain(values: pd.Series) -> list:
        """The values as plain Python objects (numpy scalars unwrapped)."""
        return [v.item() if isinstance(v, np.generic) else v for v in values.astype(object)]
    '''
)

#: modules/library/scoring/evaluate_model.py, one function per task.
EVALUATE_BINARY = _source(
    '''
    def two_class_metrics(scored: pd.DataFrame, label: str) -> dict:
        """Evaluate Model, two classes, at threshold 0.5 (rows without a label left out)."""
        known = scored[scored[label].notna()]
        actual = plain(known[label])
        p = known["Scored Probabilities"].to_numpy(dtype="float64", na_value=np.nan)
        # The positive class is the label Score Model gives where the probability is above 0.5; when no row
        # is above, any value but the (predicted) negative class marks the same rows as positive.
        above = plain(known.loc[p > 0.5, "Scored Labels"])
        negative = set(plain(known.loc[~(p > 0.5), "Scored Labels"]))
        positive = above[0] if above else max(set(actual) - negative, default=None)
        y = np.array([v == positive for v in actual], dtype=bool)
        predicted = p > 0.5
        tp, fp, fn = int((predicted & y).sum()), int((predicted & ~y).sum()), int((~predicted & y).sum())
        tn = len(y) - tp - fp - fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        both_classes = bool(y.any() and not y.all())
        return {
            "Accuracy": (tp + tn) / len(y),
            "Precision": precision,
            "Recall": recall,
            "F1 Score": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "AUC": float(roc_auc_score(y, p)) if both_classes else None,
            "Threshold": 0.5,
        }
    '''
)
EVALUATE_MULTICLASS = _source(
    '''
    def multiclass_metrics(scored: pd.DataFrame, label: str) -> dict:
        """Evaluate Model, several classes (compared as text; rows without a label left out)."""
        known = scored[scored[label].notna()]
        y = np.array([str(v) for v in plain(known[label])], dtype=object)
        p = np.array([str(v) for v in plain(known["Scored Labels"])], dtype=object)
        return {
            "Overall Accuracy": float(accuracy_score(y, p)),
            "Micro-averaged Precision": float(precision_score(y, p, average="micro", zero_division=0)),
            "Macro-averaged Precision": float(precision_score(y, p, average="macro", zero_division=0)),
            "Micro-averaged Recall": float(recall_score(y, p, average="micro", zero_division=0)),
            "Macro-averaged Recall": float(recall_score(y, p, average="macro", zero_division=0)),
        }
    '''
)
EVALUATE_REGRESSION = _source(
    '''
    def regression_metrics(scored: pd.DataFrame, label: str) -> dict:
        """Evaluate Model, regression (rows without a label left out); None where a ratio is undefined."""
        known = scored[scored[label].notna()]
        y = pd.to_numeric(known[label]).to_numpy(dtype="float64", na_value=np.nan)
        error = y - known["Scored Labels"].to_numpy(dtype="float64", na_value=np.nan)
        spread = y - y.mean()
        abs_spread, sq_spread = np.abs(spread).sum(), (spread**2).sum()
        return {
            "Mean Absolute Error": float(np.abs(error).mean()),
            "Root Mean Squared Error": float(np.sqrt((error**2).mean())),
            "Relative Absolute Error": None if abs_spread == 0 else float(np.abs(error).sum() / abs_spread),
            "Relative Squared Error": None if sq_spread == 0 else float((error**2).sum() / sq_spread),
            "Coefficient of Determination": None if sq_spread == 0 else float(1.0 - (error**2).sum() / sq_spread),
        }
    '''
)
EVALUATE_CLUSTERING = _source(
    '''
    def clustering_metrics(assigned: pd.DataFrame, clusters: int) -> dict:
        """Evaluate Model, clustering, all clusters combined: distances of the rows to their own cluster's center
        and, on average, to the other centers."""
        cluster = assigned["Assignments"].to_numpy(dtype="int64")
        distances = assigned[[f"DistancesToClusterCenter no.{k}" for k in range(clusters)]].to_numpy(dtype="float64")
        own = distances[np.arange(len(assigned)), cluster]
        others = (distances.sum(axis=1) - own) / (clusters - 1) if clusters > 1 else None
        return {
            "Average Distance to Cluster Center": float(own.mean()),
            "Average Distance to Other Center": float(others.mean()) if others is not None else None,
            "Number of Points": len(assigned),
            "Maximal Distance to Cluster Center": float(own.max()),
        }
    '''
)
EVALUATORS = {
    "binary": ("two_class_metrics", EVALUATE_BINARY, ("from sklearn.metrics import roc_auc_score",)),
    "multiclass": (
        "multiclass_metrics",
        EVALUATE_MULTICLASS,
        ("from sklearn.metrics import accuracy_score, precision_score, recall_score",),
    ),
    "regression": ("regression_metrics", EVALUATE_REGRESSION, ()),
}

#: modules/library/training/cross_validate_model.py: folds and the per-fold metrics Tune ranks by.
FOLDS = _source(
    '''
    def fold_numbers(labels: pd.Series, folds: int, seed: int, stratified: bool) -> np.ndarray:
        """The fold (0 to folds - 1) in which each row is held out: stratified by the label's classes
        (compared as text) for classification, plain KFold for regression; both shuffled with the seed."""
        n = len(labels)
        classes = np.array([str(v) for v in labels.astype(object)], dtype=object)
        if stratified:
            splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros((n, 1)), classes)
        else:
            splits = KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros((n, 1)))
        assigned = np.empty(n, dtype="int64")
        for k, (_, held_out) in enumerate(splits):
            assigned[held_out] = k
        return assigned
    '''
)
FOLDS_IMPORTS = ("from sklearn.model_selection import KFold, StratifiedKFold",)

FOLD_METRICS_BINARY = _source(
    '''
    def two_class_fold_metrics(scored: pd.DataFrame, label: str, model) -> dict:
        """The metrics of one held-out fold (two classes; the positive class is the model's larger class)."""
        positive = model.classes_.tolist()[-1]
        y = np.array([v == positive for v in plain(scored[label])], dtype=bool)
        p = scored["Scored Probabilities"].to_numpy(dtype="float64")
        predicted = p > 0.5
        both_classes = bool(y.any() and not y.all())
        return {
            "Accuracy": float((predicted == y).mean()),
            "Precision": float(precision_score(y, predicted, zero_division=0)),
            "Recall": float(recall_score(y, predicted, zero_division=0)),
            "F-score": float(f1_score(y, predicted, zero_division=0)),
            "AUC": float(roc_auc_score(y, p)) if both_classes else float("nan"),
            "Average log loss": float(log_loss(y, p, labels=[False, True])),
        }
    '''
)
FOLD_METRICS_MULTICLASS = _source(
    '''
    def multiclass_fold_metrics(scored: pd.DataFrame, label: str, model) -> dict:
        """The metrics of one held-out fold (several classes: macro averages, one-vs-rest AUC; NaN where
        undefined, e.g. a class the fold's model never saw)."""
        y = np.array([str(v) for v in plain(scored[label])], dtype=object)
        predicted = np.array([str(v) for v in plain(scored["Scored Labels"])], dtype=object)
        values = {
            "Accuracy": float(accuracy_score(y, predicted)),
            "Precision": float(precision_score(y, predicted, average="macro", zero_division=0)),
            "Recall": float(recall_score(y, predicted, average="macro", zero_division=0)),
            "F-score": float(f1_score(y, predicted, average="macro", zero_division=0)),
            "AUC": float("nan"),
            "Average log loss": float("nan"),
        }
        prefix = 'Scored Probabilities for Class "'
        columns = [c for c in scored.columns if str(c).startswith(prefix)]
        classes = [str(c)[len(prefix) : -1] for c in columns]
        probabilities = scored[columns].to_numpy(dtype="float64", na_value=0.0)
        with contextlib.suppress(ValueError):
            values["Average log loss"] = float(log_loss(y, probabilities, labels=classes))
        with contextlib.suppress(ValueError):
            values["AUC"] = float(roc_auc_score(y, probabilities, multi_class="ovr", average="macro", labels=classes))
        return values
    '''
)
FOLD_METRICS_REGRESSION = _source(
    '''
    def regression_fold_metrics(scored: pd.DataFrame, label: str, model) -> dict:
        """The metrics of one held-out fold (regression; NaN where a ratio is undefined)."""
        y = scored[label].to_numpy(dtype="float64")
        error = y - scored["Scored Labels"].to_numpy(dtype="float64")
        spread = y - y.mean()
        abs_spread, sq_spread = float(np.abs(spread).sum()), float((spread**2).sum())
        return {
            "Mean absolute error": float(np.abs(error).mean()),
            "Root of mean squared error": float(np.sqrt((error**2).mean())),
            "Relative absolute error": float(np.abs(error).sum() / abs_spread) if abs_spread else float("nan"),
            "Relative squared error": float((error**2).sum() / sq_spread) if sq_spread else float("nan"),
            "Coefficient of determination": float(1.0 - (error**2).sum() / sq_spread) if sq_spread else float("nan"),
        }
    '''
)
CLASSIFICATION_IMPORTS = (
    "import contextlib",
    "from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score",
)
FOLD_METRICS = {
    "binary": ("two_class_fold_metrics", FOLD_METRICS_BINARY, CLASSIFICATION_IMPORTS),
    "multiclass": ("multiclass_fold_metrics", FOLD_METRICS_MULTICLASS, CLASSIFICATION_IMPORTS),
    "regression": ("regression_fold_metrics", FOLD_METRICS_REGRESSION, ()),
}

BY_FOLD = _source(
    '''
    def by_fold_table(rows: list, model: str, metrics: list) -> pd.DataFrame:
        """One row per fold, then the mean and the sample standard deviation (n - 1) of each metric."""
        values = pd.DataFrame([[row[m] for m in metrics] for row in rows], columns=metrics, dtype="float64")
        folds = [row["Fold Number"] for row in rows]
        out = pd.DataFrame(
            {
                "Fold Number": pd.Series(folds + ["Mean", "Standard Deviation"], dtype="str"),
                "Number of examples in fold": pd.array(
                    [r["Number of examples in fold"] for r in rows] + [None, None], dtype="Int64"
                ),
                "Model": pd.Series([model] * (len(rows) + 2), dtype="str"),
            }
        )
        summary = pd.DataFrame([values.mean(), values.std()], columns=metrics)
        return pd.concat([out, pd.concat([values, summary], ignore_index=True)], axis=1)
    '''
)

SWEEP = _source(
    '''
    def mean_over_folds(per_fold: list) -> dict:
        """Each metric's mean over the folds (NaN if any fold's is NaN)."""
        means = {}
        for name in per_fold[0]:
            values = [fold[name] for fold in per_fold]
            means[name] = float("nan") if any(math.isnan(v) for v in values) else float(np.mean(values))
        return means


    def best_trial(rows: list, metric: str, lower_is_better: bool) -> int:
        """The trial with the best `metric` (NaN never wins; the earlier trial wins a tie)."""
        sign = 1.0 if lower_is_better else -1.0
        measured = [(sign * row[metric], row["Trial"]) for row in rows if not math.isnan(row[metric])]
        return min(measured)[1]


    def sweep_table(rows: list, parameters: dict, metrics: list, metric: str, lower_is_better: bool) -> pd.DataFrame:
        """One row per trial, best first: its number, its setting (`parameters`: column -> dtype), its metrics."""
        table = pd.DataFrame({"Trial": pd.Series([row["Trial"] for row in rows], dtype="int64")})
        for name, dtype in parameters.items():
            table[name] = pd.Series([row[name] for row in rows], dtype=dtype)
        for name in metrics:
            table[name] = pd.Series([row[name] for row in rows], dtype="float64")
        table = table.sort_values(
            [metric, "Trial"], ascending=[lower_is_better, True], na_position="last", kind="stable"
        )
        return table.reset_index(drop=True)
    '''
)
