"""One-vs-One Multiclass: a multiclass learner made of one two-class model per pair of classes."""

from __future__ import annotations

from typing import Any

from modules.library._features import wants_raw_features
from modules.sdk import In, Learner, Module, ModuleError, Out, ParamModel, RunContext, UntrainedModel

from .one_vs_all_multiclass import two_class_learner


class OneVsOneMulticlass(Module):
    """Turns an untrained two-class learner into a multiclass one: one copy learns each pair of classes.

    ``sklearn.multiclass.OneVsOneClassifier(<the two-class estimator>)``: k classes make k(k-1)/2
    models, and a row's scored label is the class that wins the most pairwise votes. Votes are not
    probabilities, so Score Model writes "Scored Labels" only (no per-class probability columns).
    The connected learner must be two-class and in Single Parameter mode, and not Create Python
    Model: its script reads the feature columns by name, and this wrapper hands its models a bare
    array (One-vs-All Multiclass passes the columns through).
    """

    id = "one_vs_one_multiclass"
    name = "One-vs-One Multiclass"
    category = "Machine Learning Algorithms"

    class Inputs:
        untrained_binary_classification_model = In(UntrainedModel, "Untrained binary classification model")

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from sklearn.multiclass import OneVsOneClassifier

        binary = two_class_learner(inputs["untrained_binary_classification_model"], self.name)
        if wants_raw_features(binary.estimator):
            raise ModuleError(
                f"{binary.name or binary.learner} reads the feature columns by name, and One-vs-One hands its "
                "models a bare array; connect it to One-vs-All Multiclass instead",
                port="untrained_binary_classification_model",
            )
        estimator = OneVsOneClassifier(binary.estimator)
        return {"untrained_model": Learner(estimator, "multiclass", self.id, f"{self.name} ({binary.name})")}
