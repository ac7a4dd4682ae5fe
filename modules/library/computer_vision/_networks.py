"""What ResNet and DenseNet share: the refusal of pretrained weights and the width divisor parameter."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from modules.sdk import ModuleError

WidthDivisor = Literal[1, 2, 4, 8, 16]

PRETRAINED_DESCRIPTION = (
    "Start from ImageNet weights. Not available: Tessera downloads nothing, so networks train from scratch."
)
WIDTH_DESCRIPTION = (
    "Divide every layer's number of channels by this (1 = the published network); a smaller network "
    "trains much faster, for small images and CPU workers."
)


def pretrained_field() -> bool:
    return Field(False, title="Pretrained", description=PRETRAINED_DESCRIPTION)


def width_field() -> WidthDivisor:
    return Field(1, title="Width divisor", description=WIDTH_DESCRIPTION)


def refuse_pretrained(pretrained: bool, family: str) -> None:
    if pretrained:
        raise ModuleError(
            f"pretrained {family} weights cannot be used: they would have to be downloaded, and Tessera's workers "
            "download nothing. Switch Pretrained off: the network then trains from scratch with Train PyTorch Model "
            "(use more epochs, or a smaller model, than you would to fine-tune)",
            param="pretrained",
        )
