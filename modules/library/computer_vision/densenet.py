"""DenseNet: an untrained densely connected network for image classification."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext
from modules.sdk.ports import UntrainedImageModel
from modules.sdk.values import ImageModelSpec

from ._networks import WidthDivisor, pretrained_field, refuse_pretrained, width_field


class DenseNet(Module):
    """An untrained DenseNet image classifier; train it with Train PyTorch Model.

    The model names are Azure's (torchvision's): densenet121, densenet161, densenet169 and
    densenet201, with their growth rates and block sizes. The network is written in plain PyTorch
    with the same layers and initialisation and is trained from scratch: pretrained ImageNet weights
    would need a download, so Pretrained is refused with an explanation. Memory efficient recomputes
    each layer's bottleneck during the backward pass (checkpointing) instead of keeping it: slower,
    much less memory. Width divisor (a Tessera addition) narrows every layer. DenseNet pools five
    times, so images must be at least 29 pixels on each side. The output carries the configuration
    only, no weights.
    """

    id = "densenet"
    name = "DenseNet"
    category = "Computer Vision"

    class Outputs:
        untrained_model = Out(UntrainedImageModel, "Untrained model")

    class Params(ParamModel):
        model_name: Literal["densenet121", "densenet161", "densenet169", "densenet201"] = Field(
            "densenet201", title="Model name", description="Which DenseNet: its depth and growth rate."
        )
        pretrained: bool = pretrained_field()
        memory_efficient: bool = Field(
            False,
            title="Memory efficient",
            description="Recompute intermediate features in the backward pass: less memory, slower training.",
        )
        width_divisor: WidthDivisor = width_field()

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.image_nets import densenet_config

        refuse_pretrained(params.pretrained, "DenseNet")
        config = densenet_config(
            params.model_name, width_divisor=params.width_divisor, memory_efficient=params.memory_efficient
        )
        spec = ImageModelSpec(architecture="densenet", model_name=params.model_name, config=config, name=self.name)
        return {"untrained_model": spec}
