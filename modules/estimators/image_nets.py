"""ResNet and DenseNet image classifiers written in plain PyTorch, built from a JSON configuration.

The layers, their names and their initialisation follow the published torchvision layout, so a state
dict has the familiar keys (``layer1.0.conv1.weight``, ``features.denseblock1.denselayer1.norm1.weight``).
Nothing is downloaded: every network starts from seeded random weights. Weights leave this module as
numpy arrays (``to_numpy``) and come back through ``load_numpy``; nothing is pickled or ``torch.load``-ed.

Imported only by the modules that train or score (never while reading the catalogue), so torch is
imported at the top here.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np
import torch  # noqa: TID253 - outside the catalogue path
from torch import nn  # noqa: TID253 - outside the catalogue path

#: Azure's ResNet choices: block, blocks per stage, groups, width per group.
RESNETS: dict[str, tuple[str, list[int], int, int]] = {
    "resnet18": ("basic", [2, 2, 2, 2], 1, 64),
    "resnet34": ("basic", [3, 4, 6, 3], 1, 64),
    "resnet50": ("bottleneck", [3, 4, 6, 3], 1, 64),
    "resnet101": ("bottleneck", [3, 4, 23, 3], 1, 64),
    "resnet152": ("bottleneck", [3, 8, 36, 3], 1, 64),
    "resnext50_32x4d": ("bottleneck", [3, 4, 6, 3], 32, 4),
    "resnext101_32x8d": ("bottleneck", [3, 4, 23, 3], 32, 8),
    "wide_resnet50_2": ("bottleneck", [3, 4, 6, 3], 1, 128),
    "wide_resnet101_2": ("bottleneck", [3, 4, 23, 3], 1, 128),
}
#: Azure's DenseNet choices: growth rate, layers per dense block, features of the first convolution.
DENSENETS: dict[str, tuple[int, list[int], int]] = {
    "densenet121": (32, [6, 12, 24, 16], 64),
    "densenet161": (48, [6, 12, 36, 24], 96),
    "densenet169": (32, [6, 12, 32, 32], 64),
    "densenet201": (32, [6, 12, 48, 32], 64),
}


def resnet_config(model_name: str, *, width_divisor: int = 1, zero_init_residual: bool = False) -> dict[str, Any]:
    block, layers, groups, width_per_group = RESNETS[model_name]
    return {
        "block": block,
        "layers": list(layers),
        "groups": groups,
        "width_per_group": width_per_group,
        "stem_width": 64 // width_divisor,
        "planes": [p // width_divisor for p in (64, 128, 256, 512)],
        "zero_init_residual": zero_init_residual,
    }


def densenet_config(model_name: str, *, width_divisor: int = 1, memory_efficient: bool = False) -> dict[str, Any]:
    growth, blocks, initial = DENSENETS[model_name]
    return {
        "growth_rate": growth // width_divisor,
        "block_config": list(blocks),
        "num_init_features": initial // width_divisor,
        "bn_size": 4,
        "memory_efficient": memory_efficient,
    }


# -- ResNet -----------------------------------------------------------------------------------------


def _conv3x3(inp: int, out: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(inp, out, kernel_size=3, stride=stride, padding=1, groups=groups, bias=False)


def _conv1x1(inp: int, out: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(inp, out, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inp: int, planes: int, stride: int, downsample: nn.Module | None, groups: int, wpg: int) -> None:
        super().__init__()
        self.conv1 = _conv3x3(inp, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)  # after the branch, as torchvision
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inp: int, planes: int, stride: int, downsample: nn.Module | None, groups: int, wpg: int) -> None:
        super().__init__()
        width = planes * wpg * groups // 64
        groups = math.gcd(groups, width)  # narrowed networks keep a valid grouping
        self.conv1 = _conv1x1(inp, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = _conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = _conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, config: dict[str, Any], num_classes: int) -> None:
        super().__init__()
        block: type[BasicBlock] | type[Bottleneck] = BasicBlock if config["block"] == "basic" else Bottleneck
        self.inplanes = int(config["stem_width"])
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        stages = []
        for i, (planes, blocks) in enumerate(zip(config["planes"], config["layers"], strict=True)):
            stages.append(self._stage(block, int(planes), int(blocks), 1 if i == 0 else 2, config))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(int(config["planes"][-1]) * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if config.get("zero_init_residual"):
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _stage(
        self, block: type[BasicBlock] | type[Bottleneck], planes: int, blocks: int, stride: int, config: dict[str, Any]
    ) -> nn.Sequential:
        groups, wpg = int(config["groups"]), int(config["width_per_group"])
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion)
            )
        layers: list[nn.Module] = [block(self.inplanes, planes, stride, downsample, groups, wpg)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, 1, None, groups, wpg) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# -- DenseNet ---------------------------------------------------------------------------------------


class DenseLayer(nn.Module):
    def __init__(self, inp: int, growth_rate: int, bn_size: int, memory_efficient: bool) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(inp)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(inp, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.memory_efficient = memory_efficient

    def _bottleneck(self, *inputs: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.conv1(self.relu1(self.norm1(torch.cat(inputs, 1))))
        return out

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        if self.memory_efficient and self.training and any(t.requires_grad for t in features):
            from torch.utils.checkpoint import checkpoint

            bottleneck = checkpoint(self._bottleneck, *features, use_reentrant=False)
        else:
            bottleneck = self._bottleneck(*features)
        out: torch.Tensor = self.conv2(self.relu2(self.norm2(bottleneck)))
        return out


class DenseBlock(nn.ModuleDict):
    def __init__(self, layers: int, inp: int, bn_size: int, growth_rate: int, memory_efficient: bool) -> None:
        super().__init__()
        for i in range(layers):
            self.add_module(
                f"denselayer{i + 1}", DenseLayer(inp + i * growth_rate, growth_rate, bn_size, memory_efficient)
            )

    def forward(self, init: torch.Tensor) -> torch.Tensor:
        features = [init]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, 1)


class Transition(nn.Sequential):
    def __init__(self, inp: int, out: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(inp)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(inp, out, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    def __init__(self, config: dict[str, Any], num_classes: int) -> None:
        super().__init__()
        growth, bn_size, efficient = (
            int(config["growth_rate"]),
            int(config["bn_size"]),
            bool(config["memory_efficient"]),
        )
        features = int(config["num_init_features"])
        self.features = nn.Sequential(
            OrderedDict(
                [
                    ("conv0", nn.Conv2d(3, features, kernel_size=7, stride=2, padding=3, bias=False)),
                    ("norm0", nn.BatchNorm2d(features)),
                    ("relu0", nn.ReLU(inplace=True)),
                    ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
                ]
            )
        )
        blocks = [int(b) for b in config["block_config"]]
        for i, layers in enumerate(blocks):
            self.features.add_module(f"denseblock{i + 1}", DenseBlock(layers, features, bn_size, growth, efficient))
            features += layers * growth
            if i != len(blocks) - 1:
                self.features.add_module(f"transition{i + 1}", Transition(features, features // 2))
                features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(features))
        self.classifier = nn.Linear(features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.features(x))
        out = torch.flatten(nn.functional.adaptive_avg_pool2d(out, (1, 1)), 1)
        result: torch.Tensor = self.classifier(out)
        return result


# -- building, sizes and weights --------------------------------------------------------------------


def build_network(architecture: str, config: dict[str, Any], num_classes: int, seed: int | None = None) -> nn.Module:
    """A fresh network; with ``seed``, its initial weights are drawn from ``torch.manual_seed(seed)``."""
    if seed is not None:
        torch.manual_seed(seed)
    if architecture == "resnet":
        return ResNet(config, num_classes)
    if architecture == "densenet":
        return DenseNet(config, num_classes)
    raise ValueError(f"unknown architecture {architecture!r}")


def _conv_side(side: int, kernel: int, stride: int, padding: int) -> int:
    return (side + 2 * padding - kernel) // stride + 1


def smallest_side(architecture: str) -> int:
    """The smallest image height or width the network accepts (DenseNet pools three times after the stem)."""
    side = 1
    while not _fits(architecture, side):
        side += 1
    return side


def _fits(architecture: str, side: int) -> bool:
    side = _conv_side(_conv_side(side, 7, 2, 3), 3, 2, 1)
    if architecture == "densenet":
        for _ in range(3):
            if side < 2:
                return False
            side //= 2
    return side >= 1


def to_numpy(net: nn.Module) -> dict[str, np.ndarray]:
    """The network's state dict (weights and batch-norm statistics) as numpy arrays."""
    return {name: t.detach().cpu().numpy().copy() for name, t in net.state_dict().items()}


def load_numpy(net: nn.Module, weights: dict[str, Any]) -> nn.Module:
    """Put numpy weights into ``net``; every key must match (``strict``), so a wrong architecture fails."""
    net.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in weights.items()}, strict=True)
    return net


def fit_batch(
    net: nn.Module, optimizer: torch.optim.Optimizer, images: torch.Tensor, labels: torch.Tensor
) -> tuple[float, int]:
    """One optimisation step on a batch (cross-entropy): the batch's mean loss and its correct predictions."""
    net.train()
    optimizer.zero_grad()
    logits = net(images)
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()
    optimizer.step()
    return float(loss.detach()), int((logits.detach().argmax(1) == labels).sum())
