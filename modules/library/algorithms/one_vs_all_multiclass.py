"""One-vs-All Multiclass: a multiclass learner made of one two-class model per class."""

from __future__ import annotations

from typing import Any

from modules.library._learners import refuse_parameter_range
from modules.sdk import In, Learner, Module, ModuleError, Out, ParamModel, RunContext, UntrainedModel

PORT = "untrained_binary_classification_model"


class OneVsAllMulticlass(Module):
    """Turns an untrained two-class learner into a multiclass one: one copy learns each class against the rest.

    ``sklearn.multiclass.OneVsRestClassifier(<the two-class estimator>)``. A row's scored label is the
    class whose model is most confident; its probabilities are the models' probabilities, normalized
    to sum to 1. The connected learner must be two-class and in Single Parameter mode.
    """

    id = "one_vs_all_multiclass"
    name = "One-vs-All Multiclass"
    category = "Machine Learning Algorithms"

    class Inputs:
        untrained_binary_classification_model = In(UntrainedModel, "Untrained binary classification model")

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from sklearn.multiclass import OneVsRestClassifier

        binary = two_class_learner(inputs[PORT], self.name)
        estimator = OneVsRestClassifier(binary.estimator)
        return {"untrained_model": Learner(estimator, "multiclass", self.id, f"{self.name} ({binary.name})")}


def two_class_learner(learner: Learner, module_name: str) -> Learner:
    """``learner``, checked to be a two-class learner in Single Parameter mode."""
    if learner.task != "binary":
        raise ModuleError(
            f"{module_name} needs a two-class learner, "
            f"but {learner.name or learner.learner} is a {learner.task} learner",
            port=PORT,
        )
    refuse_parameter_range(learner, PORT, module_name)
    return learner
