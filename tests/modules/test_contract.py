"""One contract suite over every registered module: a new module is covered the moment it exists.

Each module needs an entry in CASES (inputs built from the shared small table, plus parameters);
``test_every_registered_module_has_a_contract_case`` fails until it has one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from modules.library.scoring.score_model import score_table
from modules.sdk import (
    DataTable,
    FittedModel,
    FittedTransform,
    Learner,
    LocalContext,
    Metrics,
    Module,
    StoredTable,
    Table,
    TableSchema,
    default_registry,
)
from modules.sdk.values import FittedImageModel, ImageModelSpec, ImageSet, ImageTransform, ZipArchive
from tests.modules.cases import CASES

MODULES = sorted(default_registry().latest(), key=lambda m: m.id)


def _ids(module: type[Module]) -> str:
    return module.id


def test_every_registered_module_has_a_contract_case() -> None:
    registered = {m.id for m in MODULES}

    assert registered - set(CASES) == set(), "add a Case for each new module"
    assert set(CASES) - registered == set(), "a Case names a module that is not registered"


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_describe_is_json_and_params_schema_is_valid_json_schema(module: type[Module]) -> None:
    described = json.loads(json.dumps(module.describe()))

    Draft202012Validator.check_schema(described["params_schema"])
    assert described["id"] == module.id
    assert described["description"], "the palette shows the docstring"
    assert [p["name"] for p in described["outputs"]] == list(module.outputs)


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_every_parameter_has_a_title_and_a_description(module: type[Module]) -> None:
    properties = module.Params.model_json_schema().get("properties", {})

    untitled = [name for name, prop in properties.items() if not prop.get("title") or not prop.get("description")]

    assert untitled == []


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_default_parameters_validate_when_nothing_is_required(module: type[Module]) -> None:
    fields = module.Params.model_fields
    if any(f.is_required() for f in fields.values()):
        assert CASES[module.id].params, "a module with required parameters needs them in its Case"
        return

    params = module.Params()

    Draft202012Validator(module.Params.model_json_schema()).validate(params.model_dump(mode="json"))


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_case_parameters_validate_against_the_published_schema(module: type[Module]) -> None:
    params = module.parse_params(CASES[module.id].params)

    Draft202012Validator(module.Params.model_json_schema()).validate(params.model_dump(mode="json"))


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_run_returns_every_output_with_its_declared_type(
    module: type[Module], table: DataTable, run: Callable[..., dict[str, Any]], ctx: LocalContext
) -> None:
    case = CASES[module.id]
    inputs = case.inputs(table, run)

    outputs = module().run(inputs, module.parse_params(case.params), ctx)

    assert set(outputs) == set(module.outputs)
    for name, port in module.outputs.items():
        assert port.type.check(outputs[name]), f"output {name!r} is not a {port.type.__name__}"


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_outputs_survive_a_store_round_trip(
    module: type[Module], table: DataTable, run: Callable[..., dict[str, Any]], ctx: LocalContext
) -> None:
    case = CASES[module.id]
    outputs = module().run(case.inputs(table, run), module.parse_params(case.params), ctx)

    for name, port in module.outputs.items():
        back = port.type.deserialize(port.type.serialize(outputs[name]))

        before = outputs[name]
        if module.keeps_row_labels and isinstance(before, DataTable):
            before = DataTable(before.df.reset_index(drop=True), before.meta)  # row labels are not stored
        _assert_same_content(before, back, table)


@pytest.mark.parametrize("module", [m for m in MODULES if m.keeps_row_labels], ids=_ids)
def test_a_module_that_keeps_row_labels_labels_its_rows_with_its_input_rows(
    module: type[Module], table: DataTable, run: Callable[..., dict[str, Any]], ctx: LocalContext
) -> None:
    case = CASES[module.id]
    inputs = case.inputs(table, run)
    port = next(p for p, spec in module.inputs.items() if p in inputs and issubclass(spec.type, Table))
    first = inputs[port] = DataTable(inputs[port].df.set_axis(inputs[port].df.index + 1000), inputs[port].meta)

    outputs = module().run(inputs, module.parse_params(case.params), ctx)

    for name, out in module.outputs.items():
        if issubclass(out.type, Table):  # a reset index (0, 1, ...) would not be among 1000, 1001, ...
            assert outputs[name].df.index.isin(first.df.index).all(), name


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_inferred_schemas_match_the_outputs(
    module: type[Module], table: DataTable, run: Callable[..., dict[str, Any]], ctx: LocalContext
) -> None:
    case = CASES[module.id]
    inputs = case.inputs(table, run)
    params = module.parse_params(case.params)
    schemas = {n: (v.schema if isinstance(v, DataTable) else None) for n, v in inputs.items()}

    inferred = module().infer_schemas(schemas, params)
    outputs = module().run(inputs, params, ctx)

    assert set(inferred) <= {n for n, p in module.outputs.items() if issubclass(p.type, Table)}
    for name, schema in inferred.items():
        if schema is None:
            continue  # unknown before running is allowed; a wrong guess is not
        actual = TableSchema.of(outputs[name].df)
        assert schema.names == actual.names
        assert [c.dtype for c in schema.columns] == [c.dtype for c in actual.columns]


def _assert_same_content(before: Any, after: Any, table: DataTable) -> None:
    if isinstance(before, StoredTable):  # a table the module wrote into the store in chunks
        before = before.read()
    if isinstance(before, DataTable):
        pd.testing.assert_frame_equal(after.df, before.df)
        assert after.meta == before.meta
    elif isinstance(before, FittedModel):
        pd.testing.assert_frame_equal(score_table(after, table).df, score_table(before, table).df)
        assert (after.task, after.label_column, after.feature_types, after.classes) == (
            before.task,
            before.label_column,
            before.feature_types,
            before.classes,
        )
    elif isinstance(before, Learner):
        assert repr(after.estimator.get_params()) == repr(before.estimator.get_params())
        assert (after.task, after.learner, after.name) == (before.task, before.learner, before.name)
    elif isinstance(before, FittedTransform):
        assert (after.kind, after.spec) == (before.kind, before.spec)
    elif isinstance(before, Metrics):
        assert (after.values, after.task) == (before.values, before.task)
        assert after.detail == json.loads(json.dumps(before.detail))
    elif isinstance(before, ImageSet | ImageTransform | ImageModelSpec | FittedImageModel):
        _assert_same_images(before, after)
    elif isinstance(before, ZipArchive):
        assert after.data == before.data
    else:
        raise AssertionError(f"no round-trip comparison for {type(before).__name__}")


def _assert_same_images(before: Any, after: Any) -> None:
    """Image directories, image transformations and image models: same content, weights bit for bit."""
    if isinstance(before, ImageSet):
        assert (after.classes, after.transform) == (before.classes, before.transform)
        assert [(f.path, f.label, f.data) for f in after.images] == [(f.path, f.label, f.data) for f in before.images]
    elif isinstance(before, ImageTransform | ImageModelSpec):
        assert after == before
    else:
        fields = ("architecture", "model_name", "config", "classes", "image_size", "name")
        assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
        assert after.training == json.loads(json.dumps(before.training))
        assert list(after.weights) == list(before.weights)
        for name, array in before.weights.items():
            assert after.weights[name].dtype == array.dtype
            np.testing.assert_array_equal(after.weights[name], array)
