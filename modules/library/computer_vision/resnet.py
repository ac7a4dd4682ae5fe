"""ResNet: an untrained residual network (ResNet, ResNeXt or Wide ResNet) for image classification."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext
from modules.sdk.ports import UntrainedImageModel
from modules.sdk.values import ImageModelSpec

from ._networks import WidthDivisor, pretrained_field, refuse_pretrained, width_field

ResNetName = Literal[
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "wide_resnet50_2",
    "wide_resnet101_2",
]


class ResNet(Module):
    """An untrained ResNet image classifier; train it with Train PyTorch Model.

    The model names are Azure's (torchvision's): resnet18/34 use basic blocks, resnet50/101/152
    bottleneck blocks, resnext50_32x4d and resnext101_32x8d grouped convolutions, wide_resnet50_2 and
    wide_resnet101_2 twice the bottleneck width. The network is written in plain PyTorch with the same
    layers and initialisation and is trained from scratch: pretrained ImageNet weights would need a
    download, so Pretrained is refused with an explanation. Zero init residual starts each residual
    branch's last batch norm at 0. Width divisor (a Tessera addition) narrows every layer for small
    images and CPU workers. The output carries the configuration only, no weights.
    """

    id = "resnet"
    name = "ResNet"
    category = "Computer Vision"

    class Outputs:
        untrained_model = Out(UntrainedImageModel, "Untrained model")

    class Params(ParamModel):
        model_name: ResNetName = Field(
            "resnext101_32x8d", title="Model name", description="Which ResNet: its depth, width and grouping."
        )
        pretrained: bool = pretrained_field()
        zero_init_residual: bool = Field(
            False,
            title="Zero init residual",
            description="Start the last batch norm of each residual branch at zero, so each block starts as identity.",
        )
        width_divisor: WidthDivisor = width_field()

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.image_nets import resnet_config

        refuse_pretrained(params.pretrained, "ResNet")
        config = resnet_config(
            params.model_name, width_divisor=params.width_divisor, zero_init_residual=params.zero_init_residual
        )
        spec = ImageModelSpec(architecture="resnet", model_name=params.model_name, config=config, name=self.name)
        return {"untrained_model": spec}
