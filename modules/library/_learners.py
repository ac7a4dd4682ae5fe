"""What the learner modules share: Azure's "Create trainer mode", the sweep a range-mode learner carries, model roles.

Not a module and not a place for estimators; each learner file builds its own. Nothing here fits anything.

**Create trainer mode.** A learner whose ``Params`` subclass :class:`LearnerParams` has a
``create_trainer_mode`` of "Single Parameter" (train it with Train Model) or "Parameter Range" (sweep it
with Tune Model Hyperparameters). Each tunable parameter ``p`` is paired with a list field declared with
``value_range("p", default)``; both use one ``Annotated`` alias so each value in the list meets the
constraints of ``p`` and the published JSON Schema says so. The pairing is checked when the class is
defined, and the schema marks which fields the form shows in which mode (``x-tessera-visible-when``).

**What a range-mode learner outputs.** ``Learner.estimator`` is then a scikit-learn ``ParameterGrid``
rather than an estimator, so nothing can fit it by mistake. Its ``param_grid`` maps *every* parameter of
the learner module to a list: the range for tunable ones, ``[value]`` for the others, and
``create_trainer_mode: ["Single Parameter"]``. Each point of the grid is therefore a complete set of
single-parameter settings for the module named by ``Learner.learner``, so a sweep builds each candidate
with ``registry.get(learner.learner).Params.model_validate(point)`` and that module's ``run``, iterates
the whole grid ("Entire grid") or samples it with ``sklearn.model_selection.ParameterSampler`` ("Random
sweep"), and reports results under the Azure parameter names. :func:`parameter_sweep` is the reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import ConfigDict, Field

from modules.sdk import Learner, Module, ModuleError, ParamModel
from modules.sdk.values import Task

TrainerMode = Literal["Single Parameter", "Parameter Range"]
SINGLE: TrainerMode = "Single Parameter"
RANGE: TrainerMode = "Parameter Range"
#: JSON Schema keys: which tunable parameter a range field belongs to, and when the form shows a field.
RANGE_OF = "x-tessera-range-of"
VISIBLE_WHEN = "x-tessera-visible-when"

#: The task of clustering learners and models.
CLUSTERING: Task = "clustering"
SUPERVISED = ("regression", "binary", "multiclass")
#: ``KMeans.init`` placeholder for Azure's "First N": Train Clustering Model replaces it with the first
#: distinct rows of the prepared training features before fitting (scikit-learn has no such option).
FIRST_N = "first_n"


def value_range(of: str, default: list[Any]) -> Any:
    """The Parameter Range list of the tunable parameter ``of`` (declare it as ``list[<alias of of>]``)."""
    words = of.replace("_", " ")
    return Field(
        list(default),
        min_length=1,
        title=f"Range for {words}",
        description=f"Values of '{words}' for Tune Model Hyperparameters to try (Parameter Range mode).",
        json_schema_extra={RANGE_OF: of},
    )


def _mark_modes(schema: dict[str, Any], cls: type[Any]) -> None:
    properties = schema.get("properties", {})
    for prop in properties.values():
        target = prop.get(RANGE_OF)
        if target in properties:
            prop[VISIBLE_WHEN] = {"create_trainer_mode": RANGE}
            properties[target][VISIBLE_WHEN] = {"create_trainer_mode": SINGLE}


class LearnerParams(ParamModel):
    """Base of the ``Params`` of a learner that supports Azure's two trainer modes."""

    model_config = ConfigDict(json_schema_extra=_mark_modes)

    create_trainer_mode: TrainerMode = Field(
        SINGLE,
        title="Create trainer mode",
        description="Single Parameter: one value per setting, for Train Model. "
        "Parameter Range: lists of values, for Tune Model Hyperparameters to sweep.",
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        problems = range_problems(cls)
        if problems:
            raise TypeError(f"{cls.__qualname__}: " + "; ".join(problems))

    @classmethod
    def ranges(cls) -> dict[str, str]:
        """``{tunable parameter: its range field}``."""
        found = {}
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and isinstance(extra.get(RANGE_OF), str):
                found[str(extra[RANGE_OF])] = name
        return found

    def sweep(self) -> dict[str, list[Any]]:
        """Every parameter as a list of candidates, in single-parameter form (see the module docstring)."""
        values = self.model_dump(mode="json")
        ranges = self.ranges()
        range_fields = set(ranges.values())
        grid: dict[str, list[Any]] = {}
        for name, value in values.items():
            if name in range_fields:
                continue
            if name == "create_trainer_mode":
                grid[name] = [SINGLE]
            elif name in ranges:
                grid[name] = _unique(values[ranges[name]])
            else:
                grid[name] = [value]
        return grid


def range_problems(cls: type[LearnerParams]) -> list[str]:
    """Why the range fields of ``cls`` do not pair up with its tunable parameters (empty when they do)."""
    schema = cls.model_json_schema()
    properties = schema.get("properties", {})
    problems = []
    for target, name in cls.ranges().items():
        if target not in properties:
            problems.append(f"range field {name!r} belongs to unknown parameter {target!r}")
            continue
        items = properties[name].get("items")
        if _constraints(items or {}) != _constraints(properties[target]):
            problems.append(f"the values of range field {name!r} are not constrained like {target!r}")
    return problems


def _constraints(prop: dict[str, Any]) -> dict[str, Any]:
    ignored = {"title", "description", "default", VISIBLE_WHEN}
    return {k: v for k, v in prop.items() if k not in ignored and not k.startswith("x-")}


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


P = TypeVar("P", bound=LearnerParams)


def make_learner(module: Module, params: P, task: Task, build: Callable[[P], Any]) -> Learner:
    """The learner's output: a built estimator, or in Parameter Range mode the grid to sweep."""
    if params.create_trainer_mode == RANGE:
        from sklearn.model_selection import ParameterGrid

        return Learner(ParameterGrid(params.sweep()), task=task, learner=module.id, name=module.name)
    return Learner(build(params), task=task, learner=module.id, name=module.name)


def parameter_sweep(learner: Learner) -> Any:
    """The ``ParameterGrid`` of a range-mode learner, or ``None`` for a learner ready to train."""
    from sklearn.model_selection import ParameterGrid

    return learner.estimator if isinstance(learner.estimator, ParameterGrid) else None


def refuse_parameter_range(learner: Learner, port: str, consumer: str) -> None:
    """Raise when ``learner`` is in Parameter Range mode: ``consumer`` needs single values."""
    if parameter_sweep(learner) is not None:
        raise ModuleError(
            f"{learner.name or learner.learner} has Create trainer mode 'Parameter Range'; {consumer} trains one "
            "model from single values. Connect it to Tune Model Hyperparameters to sweep the ranges, or set its "
            "Create trainer mode to 'Single Parameter'",
            port=port,
        )


def final_step(estimator: Any) -> Any:
    """The estimator at the end of (nested) pipelines."""
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def quantiles_of(estimator: Any) -> list[float] | None:
    """The quantile levels a quantile ensemble predicts, one per member, or ``None`` for other models.

    A quantile ensemble is a ``VotingRegressor`` whose every member is a LightGBM quantile regressor;
    its ``transform`` gives one column of predictions per member, in order.
    """
    final = final_step(estimator)
    members = getattr(final, "estimators", None)
    if type(final).__name__ != "VotingRegressor" or not members:
        return None
    levels = []
    for _, member in members:
        settings = member.get_params()
        if settings.get("objective") != "quantile":
            return None
        levels.append(float(settings["alpha"]))
    return levels


def quantile_column(level: float) -> str:
    """The scored column of one quantile level: ``Quantile:0.25``."""
    return f"Quantile:{level:g}"


def needs_non_negative_label(estimator: Any) -> bool:
    """Whether the learner models counts (Poisson), so a negative label cannot be fitted."""
    return type(final_step(estimator)).__name__ == "PoissonRegressor"
