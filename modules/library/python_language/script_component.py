"""Script components: a team's own module written as ``run(inputs, params)``, run in the sandbox as a script is.

A script component is saved as a component version (``{"kind": "script", "script": ..., "spec": ...}``);
the planner turns each of its nodes into one node of the hidden module below, whose parameters carry the
script, the port names and the parameter values. Ports are positional (``input_1``..., ``output_1``...)
because a module's ports are fixed by its class; the spec's names map onto them in order, and the child
receives and returns the tables by those names. Only tables cross the boundary (Parquet both ways, never
pickles): a spec may declare ``table`` ports only. A spec may name the ``environment`` its script runs in
(an environment version's choice, as Execute Python Script's parameter holds it).

This file also holds the spec's rules (:func:`spec_problems`, :func:`value_fault`), so the web app, the
engine and the worker agree on what a valid spec is.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import Field, ValidationError, model_serializer, model_validator

from modules.sdk import DataTable, In, MetricsPort, Module, ModuleError, Out, ParamModel, RunContext, Table

from ._environment_param import EnvironmentChoice, environment_field, interpreter, omit_builtin
from ._logged import LogChannel
from ._sandbox import MB, Limits, Sandbox, read_status, read_table_file
from .execute_python_script import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    MAX_MEMORY_MB,
    MAX_TIMEOUT_S,
    MIN_MEMORY_MB,
    _raise_for_failure,
    _write_input,
)

MODULE_ID = "script_component"
MAX_PORTS = 4
MAX_PARAMETERS = 50
MAX_SCRIPT_CHARS = 200_000
MAX_TEXT = 1000
PORT_TYPES = ("table",)
PARAM_TYPES = ("integer", "number", "string", "boolean", "column", "choice")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CATEGORY_DEFAULT = "Python Language"
_SPEC_FIELDS = ("category", "description", "inputs", "outputs", "parameters", "environment")
_PORT_FIELDS = {"inputs": ("name", "type", "optional", "description"), "outputs": ("name", "type", "description")}
_PARAM_FIELDS = ("name", "type", "default", "description", "minimum", "maximum", "choices", "input")


def input_port(i: int) -> str:
    return f"input_{i + 1}"


def output_port(i: int) -> str:
    return f"output_{i + 1}"


def spec_problems(spec: Any, script: Any) -> list[tuple[str, str]]:
    """``(path, message)`` for every fault of a script component's script and spec; empty when valid."""
    out: list[tuple[str, str]] = []
    if not isinstance(script, str) or not script.strip():
        out.append(("script", "The script must be Python source defining run(inputs, params)."))
    elif len(script) > MAX_SCRIPT_CHARS:
        out.append(
            ("script", f"The script has {len(script)} characters; a script component may have {MAX_SCRIPT_CHARS}.")
        )
    if not isinstance(spec, dict):
        return [*out, ("spec", "The spec must be an object with inputs, outputs and parameters.")]
    for key in spec:
        if key not in _SPEC_FIELDS:
            out.append((f"spec.{key}", f"Unknown field '{key}' in the spec; allowed: {', '.join(_SPEC_FIELDS)}."))
    for key in ("category", "description"):
        if key in spec and (not isinstance(spec[key], str) or len(spec[key]) > MAX_TEXT):
            out.append((f"spec.{key}", f"spec.{key} must be text of at most {MAX_TEXT} characters."))
    if spec.get("environment") is not None:  # the environment the script runs in (an environment version's choice)
        try:
            EnvironmentChoice.model_validate(spec["environment"])
        except ValidationError as exc:
            reason = exc.errors()[0].get("msg", str(exc)) if exc.errors() else str(exc)
            out.append(("spec.environment", f"spec.environment is not an environment version: {reason}"))
    names: set[str] = set()
    for kind in ("inputs", "outputs"):
        out += _port_problems(spec.get(kind, []), kind, names, required=kind == "outputs")
    out += _parameter_problems(spec.get("parameters", []), spec.get("inputs", []))
    return out


def _port_problems(ports: Any, kind: str, names: set[str], required: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not isinstance(ports, list):
        return [(f"spec.{kind}", f"spec.{kind} must be a list.")]
    if required and not ports:
        out.append((f"spec.{kind}", "A script component needs at least one output."))
    if len(ports) > MAX_PORTS:
        out.append((f"spec.{kind}", f"A script component has at most {MAX_PORTS} {kind}; this spec has {len(ports)}."))
    for i, port in enumerate(ports):
        path = f"spec.{kind}[{i}]"
        if not isinstance(port, dict):
            out.append((path, f"{path} must be an object with a name and a type."))
            continue
        out += [(f"{path}.{k}", f"Unknown field '{k}' in {path}.") for k in port if k not in _PORT_FIELDS[kind]]
        name = port.get("name")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            out.append((f"{path}.name", f"{path}.name {name!r} must be lower_snake_case, at most 64 characters."))
        elif name in names:
            out.append((f"{path}.name", f"Port name '{name}' is used twice; input and output names must be unique."))
        else:
            names.add(name)
        if port.get("type", "table") not in PORT_TYPES:
            out.append(
                (
                    f"{path}.type",
                    f"Port '{name}' has type {port.get('type')!r}; a script component's ports are of type: "
                    f"{', '.join(PORT_TYPES)}.",
                )
            )
        if "optional" in port and not isinstance(port["optional"], bool):
            out.append((f"{path}.optional", f"{path}.optional must be true or false."))
        if "description" in port and (not isinstance(port["description"], str) or len(port["description"]) > MAX_TEXT):
            out.append((f"{path}.description", f"{path}.description must be text of at most {MAX_TEXT} characters."))
    return out


def _parameter_problems(params: Any, inputs: Any) -> list[tuple[str, str]]:
    if not isinstance(params, list):
        return [("spec.parameters", "spec.parameters must be a list.")]
    if len(params) > MAX_PARAMETERS:
        return [("spec.parameters", f"A script component has at most {MAX_PARAMETERS} parameters.")]
    input_names = {p.get("name") for p in inputs if isinstance(p, dict)} if isinstance(inputs, list) else set()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, param in enumerate(params):
        path = f"spec.parameters[{i}]"
        if not isinstance(param, dict):
            out.append((path, f"{path} must be an object with a name and a type."))
            continue
        out += [(f"{path}.{k}", f"Unknown field '{k}' in {path}.") for k in param if k not in _PARAM_FIELDS]
        name, kind = param.get("name"), param.get("type")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            out.append((f"{path}.name", f"{path}.name {name!r} must be lower_snake_case, at most 64 characters."))
        elif name in seen:
            out.append((f"{path}.name", f"Parameter name '{name}' is used twice."))
        else:
            seen.add(name)
        if kind not in PARAM_TYPES:
            out.append((f"{path}.type", f"Parameter '{name}' has type {kind!r}; one of: {', '.join(PARAM_TYPES)}."))
            continue
        if kind == "choice" and (
            not isinstance(param.get("choices"), list)
            or not param["choices"]
            or not all(isinstance(c, str) for c in param["choices"])
        ):
            out.append((f"{path}.choices", f"Parameter '{name}' is a choice: give its choices as a list of strings."))
            continue
        if kind == "column" and param.get("input") not in input_names:
            out.append(
                (f"{path}.input", f"Parameter '{name}' picks a column: 'input' must name one of the spec's inputs.")
            )
            continue
        for bound in ("minimum", "maximum"):
            if bound in param and (kind not in ("integer", "number") or not _is_number(param[bound])):
                out.append((f"{path}.{bound}", f"Parameter '{name}': {bound} applies to numbers only."))
        if "default" in param:
            fault = value_fault(param, param["default"])
            if fault:
                out.append((f"{path}.default", f"Parameter '{name}': the default {fault}."))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def value_fault(param: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit the spec parameter ``param`` (a phrase), or ``None``."""
    kind = param.get("type")
    if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return f"must be a whole number, not {value!r}"
    if kind == "number" and not _is_number(value):
        return f"must be a number, not {value!r}"
    if kind in ("string", "column") and not isinstance(value, str):
        return f"must be text, not {value!r}"
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be true or false, not {value!r}"
    if kind == "choice" and value not in (param.get("choices") or []):
        return f"must be one of {', '.join(map(str, param.get('choices') or []))}, not {value!r}"
    if kind in ("integer", "number"):
        if "minimum" in param and value < param["minimum"]:
            return f"must be at least {param['minimum']}, not {value!r}"
        if "maximum" in param and value > param["maximum"]:
            return f"must be at most {param['maximum']}, not {value!r}"
    return None


def params_json_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a script component's parameters, shaped as a module's ``params_schema``."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    types = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean", "column": "string"}
    for param in spec.get("parameters", []):
        kind = param["type"]
        prop: dict[str, Any] = {"title": param["name"].replace("_", " ").capitalize()}
        if kind == "choice":
            prop["enum"] = list(param["choices"])
            prop["type"] = "string"
        else:
            prop["type"] = types[kind]
        if kind == "column":
            prop["x-tessera-widget"] = "column"
            prop["x-tessera-port"] = param["input"]
        for bound in ("minimum", "maximum"):
            if bound in param:
                prop[bound] = param[bound]
        if param.get("description"):
            prop["description"] = param["description"]
        if "default" in param:
            prop["default"] = param["default"]
        else:
            required.append(param["name"])
        properties[param["name"]] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


class ScriptComponent(Module):
    """Runs a script component's ``run(inputs, params)`` in the sandbox (hidden: placed by the planner only).

    ``inputs`` is a dict of pandas DataFrames by the spec's input names (``None`` for an optional input
    that is not connected); ``params`` a dict of the parameter values; ``run`` returns a dict of
    DataFrames by the spec's output names (or one DataFrame when the spec has one output). The child
    process, its limits and its confinement are those of Execute Python Script.
    """

    id = "script_component"
    name = "Script component"
    category = "Python Language"
    hidden = True
    runs_user_code = True
    user_code_sandboxed = True

    class Inputs:  # MAX_PORTS of each, positional: the spec's names map onto them in order
        input_1 = In(Table, "Input 1", optional=True, doc="The spec's input number 1.")
        input_2 = In(Table, "Input 2", optional=True, doc="The spec's input number 2.")
        input_3 = In(Table, "Input 3", optional=True, doc="The spec's input number 3.")
        input_4 = In(Table, "Input 4", optional=True, doc="The spec's input number 4.")

    class Outputs:
        output_1 = Out(Table, "Output 1", doc="The spec's output number 1.")
        output_2 = Out(Table, "Output 2", doc="The spec's output number 2.")
        output_3 = Out(Table, "Output 3", doc="The spec's output number 3.")
        output_4 = Out(Table, "Output 4", doc="The spec's output number 4.")
        logged_values = Out(
            MetricsPort, "Logged values", doc="What the script logged with tessera.log_metric, log_table, log_image."
        )

    class Params(ParamModel):
        script: str = Field(
            "def run(inputs, params):\n    return {'result': inputs['dataset']}\n",
            min_length=1,
            max_length=MAX_SCRIPT_CHARS,
            title="Script",
            description="Python source defining run(inputs, params).",
        )
        inputs: list[str] = Field(
            default_factory=lambda: ["dataset"],
            max_length=MAX_PORTS,
            title="Inputs",
            description="The spec's input names, in port order.",
        )
        outputs: list[str] = Field(
            default_factory=lambda: ["result"],
            min_length=1,
            max_length=MAX_PORTS,
            title="Outputs",
            description="The spec's output names, in port order.",
        )
        parameters: list[dict[str, Any]] = Field(
            default_factory=list,
            max_length=MAX_PARAMETERS,
            title="Parameters",
            description="The spec's parameters (name, type, default, bounds).",
        )
        values: dict[str, Any] = Field(
            default_factory=dict, title="Values", description="The parameter values this node gives."
        )
        timeout_seconds: int = Field(
            DEFAULT_TIMEOUT_S,
            ge=1,
            le=MAX_TIMEOUT_S,
            title="Timeout (seconds)",
            description="The script is stopped after this many seconds.",
        )
        memory_limit_mb: int = Field(
            DEFAULT_MEMORY_MB,
            ge=MIN_MEMORY_MB,
            le=MAX_MEMORY_MB,
            title="Memory limit (MB)",
            description="The most memory the script's process may use.",
        )
        environment: EnvironmentChoice | None = environment_field()
        _omit_builtin = model_serializer(mode="wrap")(omit_builtin)

        @model_validator(mode="after")
        def _values_fit(self) -> ScriptComponent.Params:
            specs = {p.get("name"): p for p in self.parameters}
            for name, value in self.values.items():
                if name not in specs:
                    raise ValueError(f"'{name}' is not a parameter of this script component")
                fault = value_fault(specs[name], value)
                if fault:
                    raise ValueError(f"parameter '{name}' {fault}")
            return self

    def infer_schemas(self, inputs: Any, params: Any) -> dict[str, Any]:
        for spec in params.parameters:
            if spec.get("type") != "column" or spec.get("input") not in params.inputs:
                continue
            schema = inputs.get(input_port(params.inputs.index(spec["input"])))
            value = _values(params).get(spec["name"])
            if schema is not None and isinstance(value, str) and value not in schema:
                raise ModuleError(
                    f"parameter '{spec['name']}' names column '{value}', which is not in the table reaching input "
                    f"'{spec['input']}' (available: {', '.join(schema.names)})",
                    param=spec["name"],
                    column=value,
                )
        return {}

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        limits = Limits(timeout_s=params.timeout_seconds, memory_mb=params.memory_limit_mb)
        with Sandbox() as box:
            script = box.io / "script.py"
            script.write_text(params.script, encoding="utf-8")
            channel = LogChannel(box.io, ctx, "script")
            job: dict[str, Any] = {
                "entry": "run",
                "log": str(channel.path),
                "script": str(script),
                "inputs": {
                    name: _write_input(box.io, i + 1, inputs.get(input_port(i))) for i, name in enumerate(params.inputs)
                },
                "outputs": {name: str(box.io / f"output{i + 1}.parquet") for i, name in enumerate(params.outputs)},
                "params": _values(params),
                "status": str(box.io / "status.json"),
            }
            python, readonly = interpreter(params.environment, ctx)
            ctx.progress(0.0, "starting the script's Python process")
            try:
                outcome = box.run(job, limits, ctx, watch=channel.poll, python=python, readonly=readonly)
                ctx.log(f"the script's process ended after {outcome.elapsed_s:.1f} s")
                channel.finish()
            finally:
                channel.close()
            _raise_for_failure(outcome, read_status(box.io / "status.json"), limits)
            frames = {
                output_port(i): DataTable(
                    read_table_file(box.io / f"output{i + 1}.parquet", limits.memory_mb * MB, f"output '{name}'")
                )
                for i, name in enumerate(params.outputs)
            }
        ctx.progress(1.0, "done")
        # Ports the spec does not use still exist on the class: they hold an empty table.
        outputs: dict[str, Any] = {output_port(i): _or_empty(frames.get(output_port(i))) for i in range(MAX_PORTS)}
        outputs["logged_values"] = channel.metrics()
        return outputs


def _values(params: Any) -> dict[str, Any]:
    """The parameter values the script gets: the given ones over the spec's defaults."""
    values = {p["name"]: p["default"] for p in params.parameters if "default" in p}
    values.update(params.values)
    return values


def _or_empty(table: DataTable | None) -> DataTable:
    return table if table is not None else _empty()


def _empty() -> DataTable:
    """An empty table as it reads back from the store (so a stored one compares equal)."""
    import pandas as pd

    return Table.deserialize(Table.serialize(DataTable(pd.DataFrame())))
