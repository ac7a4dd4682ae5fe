"""The table modules of an inference pipeline as ONNX nodes, one tensor per column.

A table travels through the graph as an ordered list of ``Col``: its name, its Tessera type and the
ONNX tensor ([N, 1]) that holds it: float64 for numbers (missing: NaN), string for text (missing:
the empty string), bool for true/false. Each converter takes the columns in and gives the columns
out, as the module's ``run`` would; a case it cannot reproduce exactly is an ``ExportRefused``
naming the node and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from modules.sdk import Column, TableSchema

from .errors import ExportRefused

#: Tessera column types and the ONNX element type a request column of that type is sent as.
INPUT_KINDS = {"integer": "double", "number": "double", "string": "string", "category": "string", "boolean": "bool"}


@dataclass(frozen=True)
class Col:
    name: str
    dtype: str  # Tessera's: integer, number, string, category, boolean
    tensor: str

    @property
    def kind(self) -> str:
        return INPUT_KINDS[self.dtype]


@dataclass
class Builder:
    """Collects ONNX nodes and constants under fresh tensor names."""

    nodes: list[Any] = field(default_factory=list)
    initializers: list[Any] = field(default_factory=list)
    inputs: list[Any] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self.taken:
            i += 1
            name = f"{base}#{i}"
        self.taken.add(name)
        return name

    def op(self, op_type: str, inputs: list[str], base: str, **attrs: Any) -> str:
        from onnx import helper

        out = self.fresh(base)
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def const(self, value: Any, base: str) -> str:
        from onnx import numpy_helper

        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def double(self, value: float, base: str = "const") -> str:
        import numpy as np

        return self.const(np.array(value, dtype=np.float64), f"const/{base}")

    def text(self, value: str, base: str = "const") -> str:
        import numpy as np

        return self.const(np.array(value, dtype=object), f"const/{base}")


def schema_of(cols: list[Col]) -> TableSchema:
    return TableSchema(tuple(Column(c.name, c.dtype) for c in cols))  # type: ignore[arg-type]


# -- Web Service Input ---------------------------------------------------------------------------------


def request_columns(b: Builder, params: dict[str, Any], where: str) -> list[Col]:
    from onnx import TensorProto, helper

    elem = {"double": TensorProto.DOUBLE, "string": TensorProto.STRING, "bool": TensorProto.BOOL}
    cols = []
    for spec in params.get("columns") or []:
        name, dtype = str(spec["name"]), str(spec["type"])
        if dtype not in INPUT_KINDS:
            raise ExportRefused(
                f"{where}: column '{name}' is {dtype}; an ONNX input here takes numbers, text or true/false "
                "(dates and images have no ONNX input type that Score Model's preparation can be rebuilt from).",
                node=where,
            )
        tensor = b.fresh(name)
        b.inputs.append(helper.make_tensor_value_info(tensor, elem[INPUT_KINDS[dtype]], [None, 1]))
        cols.append(Col(name, dtype, tensor))
    return cols


# -- Select Columns in Dataset / Edit Metadata ----------------------------------------------------------


def select_columns(b: Builder, cols: list[Col], params: Any, where: str) -> list[Col]:
    names = params.columns.resolve(schema_of(cols), param="columns")
    by_name = {c.name: c for c in cols}
    return [by_name[n] for n in names]


def edit_metadata(b: Builder, cols: list[Col], params: Any, where: str) -> list[Col]:
    """Renames, categorical flags and roles (metadata only); a data type change only where it changes no value."""
    from modules.library.data_transformation.edit_metadata import DTYPES, _renames, _selected

    schema = schema_of(cols)
    names = _selected(schema, params)
    renames = _renames(schema, names, params)
    out = []
    for c in cols:
        if c.name in names and params.data_type != "Unchanged":
            wanted = DTYPES[params.data_type]
            if INPUT_KINDS.get(wanted) != c.kind:
                raise ExportRefused(
                    f"{where}: changing column '{c.name}' from {c.dtype} to {wanted} is not converted to ONNX "
                    "(ONNX casts write numbers as text differently from Python).",
                    node=where,
                )
            c = replace(c, dtype=wanted)
        out.append(replace(c, name=renames.get(c.name, c.name)))
    return out


# -- Apply Transformation ---------------------------------------------------------------------------------


def apply_transformation(
    b: Builder, cols: list[Col], kind: str, spec: dict[str, Any], absent: list[str], where: str
) -> list[Col]:
    converter = TRANSFORMS.get(kind)
    if converter is None:
        raise ExportRefused(
            f"{where}: a transformation made by '{kind}' has no ONNX converter "
            f"(converted: {', '.join(sorted(TRANSFORMS))}).",
            node=where,
        )
    return converter(b, cols, spec, set(absent), where)


def _find(cols: list[Col], name: str, absent: set[str], where: str) -> Col | None:
    for c in cols:
        if c.name == name:
            return c
    if name in absent:
        return None  # the label, which requests do not send
    raise ExportRefused(
        f"{where}: column '{name}', which the transformation was fitted on, is not in the input.", node=where
    )


def _normalize(b: Builder, cols: list[Col], spec: dict[str, Any], absent: set[str], where: str) -> list[Col]:
    import math

    method, use_0 = spec["method"], bool(spec["use_0_for_constant_columns"])
    out = {c.name: c for c in cols}
    for name, stats in spec["columns"].items():
        col = _find(cols, name, absent, where)
        if col is None:
            continue
        if col.kind != "double":
            raise ExportRefused(f"{where}: column '{name}' is {col.dtype}, not numeric.", node=where)
        x, tag = col.tensor, f"normalize/{name}"
        if stats["constant"] and use_0:
            zero = b.op("Mul", [x, b.double(0.0)], tag)  # NaN stays NaN, everything else 0
        elif method == "Logistic":
            zero = b.op("Sigmoid", [x], tag)
        elif method == "Tanh":
            zero = b.op("Tanh", [x], tag)
        elif stats["constant"]:
            zero = x
        elif method == "ZScore":
            zero = b.op("Div", [b.op("Sub", [x, b.double(stats["mean"])], tag), b.double(stats["sd"])], tag)
        elif method == "MinMax":
            low, high = stats["min"], stats["max"]
            zero = b.op("Div", [b.op("Sub", [x, b.double(low)], tag), b.double(high - low)], tag)
        elif method == "LogNormal":
            # the log-normal CDF: ndtr((log x - mu) / sigma), 0 at and below zero, NaN stays NaN
            positive = b.op("Greater", [x, b.double(0.0)], tag)
            safe = b.op("Where", [positive, x, b.double(1.0)], tag)
            z = b.op(
                "Div",
                [b.op("Sub", [b.op("Log", [safe], tag), b.double(stats["mu"])], tag), b.double(stats["sigma"])],
                tag,
            )
            erf = b.op("Erf", [b.op("Div", [z, b.double(math.sqrt(2.0))], tag)], tag)
            cdf = b.op("Mul", [b.op("Add", [erf, b.double(1.0)], tag), b.double(0.5)], tag)
            zero = b.op("Where", [positive, cdf, b.op("Mul", [x, b.double(0.0)], tag)], tag)
        else:
            raise ExportRefused(f"{where}: normalization method '{method}' is not converted to ONNX.", node=where)
        out[name] = Col(name, "number", zero)
    return [out[c.name] for c in cols]


def _missing(b: Builder, col: Col) -> str:
    """A bool [N, 1] tensor: where ``col`` is missing (NaN for numbers, the empty string for text)."""
    if col.kind == "double":
        return b.op("IsNaN", [col.tensor], f"missing/{col.name}")
    if col.kind == "string":
        return b.op("Equal", [col.tensor, b.text("")], f"missing/{col.name}")
    return b.op("And", [col.tensor, b.op("Not", [col.tensor], "false")], f"missing/{col.name}")  # never missing


def _clean_missing(b: Builder, cols: list[Col], spec: dict[str, Any], absent: set[str], where: str) -> list[Col]:
    import numpy as np

    mode = spec["mode"]
    present = [c for c in (_find(cols, n, absent, where) for n in spec["columns"]) if c is not None]
    if mode == "Remove entire column":
        gone = {c.name for c in present}
        return [c for c in cols if c.name not in gone]
    if mode == "Remove entire row":
        if not present:
            return cols
        flags = [_missing(b, c) for c in present]
        anything = flags[0]
        for flag in flags[1:]:
            anything = b.op("Or", [anything, flag], "missing/any")
        keep = b.op(
            "Reshape", [b.op("Not", [anything], "keep"), b.const(np.array([-1], dtype=np.int64), "flat")], "keep"
        )
        return [Col(c.name, c.dtype, b.op("Compress", [c.tensor, keep], f"kept/{c.name}", axis=0)) for c in cols]
    out = {c.name: c for c in cols}
    for name, value in spec.get("fill", {}).items():
        col = out.get(name)
        if col is None:
            continue
        dtype = spec["types"][name]
        if col.kind == "double" and dtype in ("number", "integer"):
            filled = b.op("Where", [_missing(b, col), b.double(float(value)), col.tensor], f"filled/{name}")
            out[name] = Col(name, "number" if dtype == "number" else col.dtype, filled)
        elif col.kind == "string" and isinstance(value, str):
            filled = b.op("Where", [_missing(b, col), b.text(value), col.tensor], f"filled/{name}")
            out[name] = Col(name, col.dtype, filled)
        elif col.kind == "bool":
            continue  # a true/false input cannot be missing
        else:
            raise ExportRefused(
                f"{where}: filling column '{name}' ({col.dtype}) with {value!r} is not converted to ONNX.", node=where
            )
    result = [out[c.name] for c in cols]
    if spec.get("indicator"):
        from modules.library.data_transformation.clean_missing_data import INDICATOR_SUFFIX

        result += [Col(c.name + INDICATOR_SUFFIX, "boolean", _missing(b, c)) for c in present]
    return result


TRANSFORMS: dict[str, Callable[..., list[Col]]] = {
    "normalize_data": _normalize,
    "clean_missing_data": _clean_missing,
}


# -- into the model's features ---------------------------------------------------------------------------


def feature_tensor(b: Builder, col: Col, wanted: str, where: str) -> str:
    """``col`` as the model's feature of Tessera type ``wanted`` takes it (numbers float64, text strings)."""
    from .model import feature_kind

    kind = feature_kind(wanted, col.name, where)
    if kind == col.kind:
        return col.tensor
    if col.kind == "bool" and kind == "string":  # Score Model one-hot encodes true/false as "True"/"False"
        return b.op("Where", [col.tensor, b.text("True"), b.text("False")], f"text/{col.name}")
    raise ExportRefused(
        f"{where}: the model was trained on column '{col.name}' as {wanted}, but it arrives as {col.dtype}.",
        node=where,
    )
