"""A pipeline parameter's JSON Schema: its declared type joined with every field it drives."""

from __future__ import annotations

import jsonschema
import pytest

from designer.engine.graph import parse_graph
from designer.engine.parameter_schema import describe_parameters, values_json_schema
from modules.sdk import default_registry
from tests.support.pipelines import document

REGISTRY = default_registry()


def _described(parameters, params):
    doc = document([("split", "split_data", params), ("ghost", "no_such_module", {"x": {"$param": "anything"}})], [])
    doc["parameters"] = parameters
    return {p["name"]: p for p in describe_parameters(parse_graph(doc), REGISTRY)}


def test_a_value_must_fit_the_declared_type_and_the_field_it_drives() -> None:
    described = _described({"seed": {"type": "integer", "default": 1}}, {"random_seed": {"$param": "seed"}})

    schema = described["seed"]["schema"]

    assert schema == {
        "title": "seed",
        "allOf": [{"type": "integer"}, {"minimum": 0, "type": "integer"}],
        "default": 1,
    }
    jsonschema.validate(3, schema)
    for bad in (-1, 1.5, "3"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_an_unbound_or_json_parameter_takes_its_type_alone_and_an_unknown_module_is_still_listed() -> None:
    described = _described(
        {"anything": {"type": "json", "description": "Free"}, "label": {"type": "string"}},
        {},
    )

    assert described["anything"]["schema"] == {"title": "anything", "description": "Free"}
    assert described["anything"]["bindings"] == [
        {
            "node": "ghost",
            "field": "x",
            "module": "no_such_module",
            "module_version": 1,
            "module_name": None,
            "field_title": None,
        }
    ]
    assert described["label"]["schema"] == {"title": "label", "type": "string"}
    assert described["label"]["required"] is True and "default" not in described["label"]
    assert values_json_schema(list(described.values()))["required"] == ["anything", "label"]


def test_malformed_declarations_are_left_to_validation() -> None:
    described = _described({"bad name": {"type": "string"}, "ok": {"type": "colour"}}, {})

    assert described == {}
