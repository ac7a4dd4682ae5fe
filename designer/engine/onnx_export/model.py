"""A trained model as ONNX: one typed input per feature column, Score Model's columns as outputs.

The fitted pipeline (``modules.library._features.build_pipeline``: a ColumnTransformer that one-hot
encodes text and passes numbers through, then the learner) is converted whole: scikit-learn by
skl2onnx, LightGBM by onnxmltools' converter registered with skl2onnx, Tessera's PyTorch nets
(``TorchMLPClassifier`` / ``TorchMLPRegressor``) by ``torch.onnx.export`` behind the encoder that
skl2onnx converts. Numbers travel as float64 throughout, so the answers match to 1e-5 or better.

After the converted model come a few nodes that write exactly Score Model's columns:

- regression: ``Scored Labels`` (float64);
- two-class: ``Scored Probabilities`` (the positive class, float64) and ``Scored Labels`` (the positive
  class where that probability is above 0.5, as Score Model decides, not the converter's argmax);
- multiclass: ``Scored Labels`` and one ``Scored Probabilities for Class "<value>"`` per class;
- clustering (K-Means): ``Assignments`` and ``DistancesToClusterCenter no.<k>``.
"""

from __future__ import annotations

from typing import Any

from modules.sdk import FittedModel

from .errors import ExportRefused

OPSET = 19  # Equal on strings (missing text) needs 19
ML_OPSET = 3  # ai.onnx.ml 3: tree ensembles keep their thresholds and leaf values as float64
NUMERIC = ("integer", "number")
TEXT = ("string", "category", "boolean")
THRESHOLD = 0.5


def feature_kind(dtype: str, column: str, where: str) -> str:
    """ "double" or "string": how a feature column of Tessera type ``dtype`` enters the ONNX graph."""
    if dtype in NUMERIC:
        return "double"
    if dtype in TEXT:
        return "string"
    raise ExportRefused(
        f"{where}: column '{column}' is {dtype}; ONNX inputs here are numbers and text only "
        "(convert it to a number first, e.g. with Edit Metadata).",
        node=where,
    )


def why_not(model: FittedModel) -> str:
    """Why ``model`` cannot be exported, or "" when a converter supports it."""
    from modules.library._features import wants_raw_features
    from modules.library._learners import final_step, quantiles_of

    estimator = model.estimator
    if wants_raw_features(estimator):
        return "it is a Create Python Model: its fit and predict are user code, which no ONNX converter reads"
    if model.task == "anomaly":
        return (
            "anomaly detection scores (One-Class SVM, PCA-Based Anomaly Detection) are computed outside the estimator"
        )
    if model.task == "regression" and quantiles_of(estimator) is not None:
        return "Fast Forest Quantile Regression predicts quantiles through LightGBM's quantile ensemble, not converted"
    final = final_step(estimator)
    kind = type(final).__name__
    if model.task in ("binary", "multiclass") and not hasattr(final, "predict_proba"):
        return f"{kind} has no probabilities (One-vs-One votes), which Score Model's columns need"
    if kind in ("OneVsRestClassifier",):
        inner = type(getattr(final, "estimator", None)).__name__
        if inner.startswith("TorchMLP") or inner.startswith("LGBM"):
            return f"One-vs-All over {inner} is not converted (skl2onnx converts One-vs-All over scikit-learn learners)"
    if type(final).__module__.startswith("modules.") and not kind.startswith(("TorchMLP", "ElasticNetLogistic")):
        return f"{kind} is Tessera's own estimator, for which no ONNX converter exists"
    if model.task == "clustering" and kind != "KMeans":
        return f"{kind} clustering is not converted (K-Means is)"
    return ""


def export_model(model: FittedModel, *, what: str = "") -> Any:
    """``model`` as an ``onnx.ModelProto``: inputs named after its feature columns, outputs Score Model's columns."""
    what = what or model.name or model.learner
    reason = why_not(model)
    if reason:
        raise ExportRefused(f"{what} cannot be exported as ONNX: {reason}.", node=what, code="no_converter")
    kinds = {c: feature_kind(t, c, what) for c, t in model.feature_types.items()}
    try:
        onx = _convert(model, kinds)
    except ExportRefused:
        raise
    except Exception as exc:  # a converter's own refusal: which estimator, in its words
        from modules.library._learners import final_step

        kind = type(final_step(model.estimator)).__name__
        raise ExportRefused(
            f"{what} cannot be exported as ONNX: the converter for {kind} failed ({str(exc)[:300]}).",
            node=what,
            code="no_converter",
        ) from None
    _score_columns(onx, model)
    onx.doc_string = f"{what}: Tessera trained model ({model.task}), label '{model.label_column}'"
    return onx


# -- conversion ------------------------------------------------------------------------------------


def _register_lightgbm() -> None:
    from lightgbm import LGBMClassifier, LGBMRegressor
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )

    def convert(scope: Any, operator: Any, container: Any) -> None:
        convert_lightgbm(scope, operator, _DoubleTrees(container))

    update_registered_converter(
        LGBMClassifier,
        "LightGbmLGBMClassifier",
        calculate_linear_classifier_output_shapes,
        convert,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )
    update_registered_converter(
        LGBMRegressor, "LightGbmLGBMRegressor", calculate_linear_regressor_output_shapes, convert
    )


#: Tree ensemble attributes that ONNX holds as float32 unless given as a float64 tensor (ai.onnx.ml 3).
_DOUBLE_ATTRIBUTES = ("nodes_values", "nodes_hitrates", "target_weights", "class_weights", "base_values")


class _DoubleTrees:
    """A converter container that writes LightGBM's thresholds and leaf values as float64 tensors.

    onnxmltools writes them as float32 attributes: a request value between a threshold and its
    float32 rounding then takes the other branch (3 of 442 diabetes rows did). ai.onnx.ml 3 takes
    the same attributes as float64 tensors (``*_as_tensor``); everything else passes through.
    """

    def __init__(self, container: Any) -> None:
        self._container = container

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)

    def add_node(
        self, op_type: str, inputs: Any, outputs: Any, op_domain: str = "", op_version: Any = None, **attrs: Any
    ) -> Any:
        if op_type in ("TreeEnsembleRegressor", "TreeEnsembleClassifier"):
            import numpy as np
            from onnx import numpy_helper

            for key in _DOUBLE_ATTRIBUTES:
                if key in attrs and attrs[key] is not None:
                    attrs[f"{key}_as_tensor"] = numpy_helper.from_array(np.asarray(attrs.pop(key), dtype=np.float64))
            op_version = ML_OPSET
        return self._container.add_node(op_type, inputs, outputs, op_domain=op_domain, op_version=op_version, **attrs)


def _initial_types(kinds: dict[str, str]) -> list[tuple[str, Any]]:
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType

    return [
        (c, DoubleTensorType([None, 1]) if k == "double" else StringTensorType([None, 1])) for c, k in kinds.items()
    ]


def _convert(model: FittedModel, kinds: dict[str, str]) -> Any:
    from skl2onnx import convert_sklearn

    from modules.library._learners import final_step

    _register_lightgbm()
    estimator = model.estimator
    final = final_step(estimator)
    if type(final).__name__.startswith("TorchMLP"):
        return _convert_torch(estimator, final, kinds)
    estimator = _as_sklearn(estimator)
    final = final_step(estimator)
    options: dict[Any, Any] = {}
    if model.task in ("binary", "multiclass"):
        options[id(final)] = {"zipmap": False}
    onx = convert_sklearn(
        estimator,
        initial_types=_initial_types(kinds),
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
        options=options or None,
    )
    if type(final).__module__.startswith(("sklearn.ensemble", "sklearn.tree")):
        _float32_tree_inputs(onx)
    return onx


def _as_sklearn(estimator: Any) -> Any:
    """``estimator`` with Tessera's elastic-net logistic regression swapped for the scikit-learn one it equals.

    ``ElasticNetLogisticRegression`` (the Logistic Regression learners with an L1 weight) predicts as
    scikit-learn's ``LogisticRegression`` does from the same ``coef_`` / ``intercept_`` (a sigmoid for
    two classes, a softmax for more), which skl2onnx converts; only its fit differs.
    """
    import copy

    from sklearn.linear_model import LogisticRegression

    if type(final_of(estimator)).__name__ != "ElasticNetLogisticRegression":
        return estimator
    estimator = copy.deepcopy(estimator)
    holder = estimator
    while hasattr(holder.steps[-1][1], "steps"):
        holder = holder.steps[-1][1]
    fitted = holder.steps[-1][1]
    shell = LogisticRegression()
    for attribute in ("coef_", "intercept_", "classes_", "n_features_in_"):
        setattr(shell, attribute, getattr(fitted, attribute))
    holder.steps[-1] = (holder.steps[-1][0], shell)
    return estimator


def final_of(estimator: Any) -> Any:
    from modules.library._learners import final_step

    return final_step(estimator)


def _float32_tree_inputs(onx: Any) -> None:
    """scikit-learn's trees compare float32 features with their thresholds: so must the ONNX trees.

    A feature between a threshold and its float32 rounding otherwise takes the other branch (one tree
    of sixteen did so for 4 of 333 penguins); a float32 -> float64 round trip in front of each tree
    ensemble gives every tree the values scikit-learn's gave it.
    """
    from onnx import TensorProto, helper

    graph = onx.graph
    rebuilt = []
    for i, node in enumerate(graph.node):
        if node.op_type in ("TreeEnsembleRegressor", "TreeEnsembleClassifier"):
            single, double = f"tessera/f32/{i}", f"tessera/f32/{i}/as_double"
            rebuilt.append(helper.make_node("Cast", [node.input[0]], [single], to=TensorProto.FLOAT))
            rebuilt.append(helper.make_node("Cast", [single], [double], to=TensorProto.DOUBLE))
            node.input[0] = double
        rebuilt.append(node)
    del graph.node[:]
    graph.node.extend(rebuilt)


def _convert_torch(estimator: Any, final: Any, kinds: dict[str, str]) -> Any:
    """The encoder by skl2onnx, the net by torch.onnx (float64), joined with onnx.compose."""
    import io

    import onnx
    import torch
    from onnx import compose
    from skl2onnx import convert_sklearn

    encoder = estimator.steps[0][1] if len(estimator.steps) > 1 else None
    if encoder is None:
        raise ExportRefused("the PyTorch net has no feature encoder in front of it", code="no_converter")
    front = convert_sklearn(
        encoder, initial_types=_initial_types(kinds), target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET}
    )
    classify = type(final).__name__ == "TorchMLPClassifier"
    net = _torch_net(final, classify)
    buffer = io.BytesIO()
    example = torch.zeros((2, int(final.n_features_in_)), dtype=torch.float64)
    torch.onnx.export(
        net,
        (example,),
        buffer,
        input_names=["features"],
        output_names=["probabilities" if classify else "variable"],
        dynamic_axes={"features": {0: "N"}, ("probabilities" if classify else "variable"): {0: "N"}},
        opset_version=OPSET,
        dynamo=False,
    )
    back = onnx.load_from_string(buffer.getvalue())
    back = onnx.version_converter.convert_version(back, OPSET) if back.opset_import[0].version != OPSET else back
    front = compose.add_prefix(front, "encoder/", rename_inputs=False)
    front_out = front.graph.output[0].name
    back = compose.add_prefix(back, "net/")
    back.ir_version = front.ir_version
    merged_imports = {o.domain: o.version for o in front.opset_import}
    for o in back.opset_import:
        merged_imports.setdefault(o.domain, o.version)
    del back.opset_import[:]
    back.opset_import.extend(onnx.helper.make_opsetid(d, v) for d, v in merged_imports.items())
    del front.opset_import[:]
    front.opset_import.extend(onnx.helper.make_opsetid(d, v) for d, v in merged_imports.items())
    joined = compose.merge_models(front, back, io_map=[(front_out, "net/features")])
    out_name = "net/probabilities" if classify else "net/variable"
    # Give the outputs the names skl2onnx gives, so the tail reads either path alike.
    for node in joined.graph.node:
        node.output[:] = [("probabilities" if classify else "variable") if o == out_name else o for o in node.output]
    for output in joined.graph.output:
        if output.name == out_name:
            output.name = "probabilities" if classify else "variable"
    return joined


def _torch_net(final: Any, classify: bool) -> Any:
    import torch

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            as_tensor = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
            self.offset = torch.nn.Parameter(as_tensor(final.offset_), requires_grad=False)
            self.scale = torch.nn.Parameter(as_tensor(final.scale_), requires_grad=False)
            self.first = torch.nn.Linear(final.w1_.shape[1], final.w1_.shape[0], dtype=torch.float64)
            self.last = torch.nn.Linear(final.w2_.shape[1], final.w2_.shape[0], dtype=torch.float64)
            with torch.no_grad():
                self.first.weight.copy_(as_tensor(final.w1_))
                self.first.bias.copy_(as_tensor(final.b1_))
                self.last.weight.copy_(as_tensor(final.w2_))
                self.last.bias.copy_(as_tensor(final.b2_))
            self.y_offset = float(getattr(final, "y_offset_", 0.0))
            self.y_scale = float(getattr(final, "y_scale_", 1.0))

        def forward(self, x: Any) -> Any:
            out = self.last(torch.sigmoid(self.first((x - self.offset) / self.scale)))
            if classify:
                return torch.softmax(out, dim=1)
            return out * self.y_scale + self.y_offset

    return Net().eval()


# -- Score Model's columns -------------------------------------------------------------------------


def _tensor_of(values: list[Any]) -> tuple[Any, int]:
    """Class values as an ONNX constant tensor and its element type, typed as Score Model types them."""
    import numpy as np
    from onnx import TensorProto, numpy_helper

    if all(isinstance(v, bool) for v in values):
        return numpy_helper.from_array(np.array(values, dtype=bool)), TensorProto.BOOL
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return numpy_helper.from_array(np.array(values, dtype=np.int64)), TensorProto.INT64
    if all(isinstance(v, float) for v in values):
        return numpy_helper.from_array(np.array(values, dtype=np.float64)), TensorProto.DOUBLE
    return numpy_helper.from_array(np.array([str(v) for v in values], dtype=object)), TensorProto.STRING


def _score_columns(onx: Any, model: FittedModel) -> None:
    """Replace the converter's outputs by Score Model's columns (each shaped [N])."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    from modules.library.scoring.assign_data_to_clusters import ASSIGNMENTS, DISTANCE
    from modules.library.scoring.score_model import SCORED_LABELS, SCORED_PROBABILITIES

    graph = onx.graph
    produced = {o.name for o in graph.output}
    nodes: list[Any] = []
    inits: list[Any] = []
    outputs: list[Any] = []

    def const(name: str, array: Any) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    flat = "tessera/flat"
    if model.task == "regression" or model.task == "clustering":
        const(flat, np.array([-1], dtype=np.int64))

    def column(source: str, index: int, out: str, elem: int = TensorProto.DOUBLE) -> None:
        idx = const(f"tessera/idx/{out}", np.array(index, dtype=np.int64))
        nodes.append(helper.make_node("Gather", [source, idx], [f"{out}/raw"], axis=1))
        nodes.append(helper.make_node("Cast", [f"{out}/raw"], [out], to=elem))
        outputs.append(helper.make_tensor_value_info(out, elem, [None]))

    if model.task == "regression":
        nodes.append(helper.make_node("Reshape", ["variable", flat], ["tessera/variable"]))
        nodes.append(helper.make_node("Cast", ["tessera/variable"], [SCORED_LABELS], to=TensorProto.DOUBLE))
        outputs.append(helper.make_tensor_value_info(SCORED_LABELS, TensorProto.DOUBLE, [None]))
    elif model.task == "clustering":
        nodes.append(helper.make_node("Reshape", ["label", flat], ["tessera/label"]))
        nodes.append(helper.make_node("Cast", ["tessera/label"], [ASSIGNMENTS], to=TensorProto.INT64))
        outputs.append(helper.make_tensor_value_info(ASSIGNMENTS, TensorProto.INT64, [None]))
        from modules.library._learners import final_step

        for k in range(int(final_step(model.estimator).n_clusters)):
            column("scores", k, DISTANCE.format(k))
    else:
        known = [v.item() if isinstance(v, np.generic) else v for v in model.estimator.classes_]
        if model.task == "binary":
            positive = model.classes[-1]
            negative = next(c for c in model.classes if c != positive)
            column("probabilities", known.index(positive), SCORED_PROBABILITIES)
            half = const("tessera/threshold", np.array(THRESHOLD, dtype=np.float64))
            nodes.append(helper.make_node("Greater", [SCORED_PROBABILITIES, half], ["tessera/positive"]))
            pair, elem = _tensor_of([positive, negative])
            pair.name = "tessera/pair"
            inits.append(pair)
            one = const("tessera/zero_one", np.array([0], dtype=np.int64))
            two = const("tessera/one_one", np.array([1], dtype=np.int64))
            nodes.append(helper.make_node("Gather", ["tessera/pair", one], ["tessera/positive_value"]))
            nodes.append(helper.make_node("Gather", ["tessera/pair", two], ["tessera/negative_value"]))
            nodes.append(
                helper.make_node(
                    "Where", ["tessera/positive", "tessera/positive_value", "tessera/negative_value"], [SCORED_LABELS]
                )
            )
            outputs.append(helper.make_tensor_value_info(SCORED_LABELS, elem, [None]))
        else:
            values, elem = _tensor_of(known)
            values.name = "tessera/classes"
            inits.append(values)
            nodes.append(helper.make_node("ArgMax", ["probabilities"], ["tessera/argmax"], axis=1, keepdims=0))
            nodes.append(helper.make_node("Gather", ["tessera/classes", "tessera/argmax"], [SCORED_LABELS]))
            outputs.append(helper.make_tensor_value_info(SCORED_LABELS, elem, [None]))
            for i, value in enumerate(known):
                column("probabilities", i, f'{SCORED_PROBABILITIES} for Class "{value}"')
    missing = {i for n in nodes for i in n.input if i in ("variable", "label", "probabilities", "scores")} - produced
    if missing:
        raise ExportRefused(f"the converted model has no output {sorted(missing)[0]!r}", code="no_converter")
    graph.node.extend(nodes)
    graph.initializer.extend(inits)
    del graph.output[:]
    graph.output.extend(outputs)


def model_feeds(model: FittedModel, df: Any) -> dict[str, Any]:
    """The ONNX inputs of :func:`export_model`'s graph for the rows of ``df``: each feature as [N, 1]."""
    from modules.library._features import prepare_features

    features = prepare_features(df, model.feature_types)
    out = {}
    for column, dtype in model.feature_types.items():
        values = features[column]
        if dtype in NUMERIC:
            out[column] = values.to_numpy(dtype="float64").reshape(-1, 1)
        else:
            out[column] = values.map(lambda v: "" if v != v else v).to_numpy(dtype=object).reshape(-1, 1)
    return out


def check_model(onx: Any, model: FittedModel, table: Any) -> Any:
    """onnxruntime's answers for ``table``'s rows against Score Model's (``check.Checked``), or ``ExportRefused``."""
    from modules.library.scoring.assign_data_to_clusters import assign_table
    from modules.library.scoring.score_model import score_table

    from .check import ExportMismatch, compare, run, session

    expected = (assign_table(model, table) if model.task == "clustering" else score_table(model, table)).df
    try:
        return compare(expected, run(session(onx.SerializeToString()), model_feeds(model, table.df)))
    except ExportMismatch as exc:
        raise ExportRefused(
            f"The ONNX model does not give Score Model's answers on the training rows: {exc}; not exported.",
            code="check_failed",
        ) from None
