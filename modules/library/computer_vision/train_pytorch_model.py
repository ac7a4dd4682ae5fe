"""Train PyTorch Model: fit a ResNet or DenseNet to a labelled image directory, on the GPU when there is one."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from modules.sdk import In, Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk.ports import ImageDirectory, TrainedImageModel, UntrainedImageModel
from modules.sdk.values import FittedImageModel, ImageModelSpec, ImageSet

from ._images import batch, image_size, require_labels
from ._transforms import check_steps

#: Validation and scoring read images with this generator seed, so pending random steps are reproducible.
EVALUATION_SEED = 0
#: On a CPU, batches of at most this many pixels train on one thread.
SMALL_BATCH_PIXELS = 64 * 64 * 16


class TrainPyTorchModel(Module):
    """Train an untrained ResNet or DenseNet on a training image directory, checking it on a validation one.

    Plain mini-batch SGD (momentum 0.9) on the cross-entropy loss, the images shuffled every epoch
    with the random seed, the learning rate rising linearly over the first Warmup step number
    batches. Pending random transform steps (flips, crops, jitter) draw afresh every epoch. After
    each epoch the validation images are scored; training stops early when the validation accuracy
    has not improved for Patience epochs, and the weights of the best epoch are kept. The loss and
    accuracy of every epoch are reported as progress, logged, and kept in the trained model as a
    training curve for the inspector; every Print frequency batches the running loss is logged.

    Runs on the GPU when PyTorch sees one (the module asks for a GPU worker), otherwise on the CPU;
    cancelling the run stops it between two batches. Every image must have one size (use Init Image
    Transformation with Resize and Center crop); DenseNet needs at least 29 pixels per side. Both
    directories must be labelled, every training class must have images, and the validation images
    must belong to the training classes. The trained model keeps its weights as numpy arrays.
    """

    id = "train_pytorch_model"
    name = "Train PyTorch Model"
    category = "Model Training"
    queue = "gpu"

    class Inputs:
        untrained_model = In(UntrainedImageModel, "Untrained model")
        training_dataset = In(ImageDirectory, "Training dataset")
        validation_dataset = In(ImageDirectory, "Validation dataset")

    class Outputs:
        trained_model = Out(TrainedImageModel, "Trained model")

    class Params(ParamModel):
        epochs: int = Field(5, ge=1, le=1000, title="Epochs", description="Passes over the training images.")
        batch_size: int = Field(16, ge=1, le=4096, title="Batch size", description="Images per optimisation step.")
        warmup_step_number: int = Field(
            0,
            ge=0,
            title="Warmup step number",
            description="Batches over which the learning rate rises linearly to its full value (0: none).",
        )
        learning_rate: float = Field(
            0.001, gt=0, le=10, title="Learning rate", description="Step size of stochastic gradient descent."
        )
        random_seed: int = Field(
            1, ge=0, title="Random seed", description="Seed of the initial weights, the shuffling and the augmentation."
        )
        patience: int = Field(
            3,
            ge=1,
            title="Patience",
            description="Stop after this many epochs without a better validation accuracy.",
        )
        print_frequency: int = Field(
            10, ge=1, title="Print frequency", description="Log the training loss every this many batches."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        import torch

        spec: ImageModelSpec = inputs["untrained_model"]
        training: ImageSet = inputs["training_dataset"]
        validation: ImageSet = inputs["validation_dataset"]
        size = check_inputs(spec, training, validation)
        threads = torch.get_num_threads()
        if not torch.cuda.is_available() and params.batch_size * size[0] * size[1] <= SMALL_BATCH_PIXELS:
            torch.set_num_threads(1)  # tiny batches: threads cost more than they bring
        try:
            return {"trained_model": train(spec, training, validation, size, params, ctx)}
        finally:
            torch.set_num_threads(threads)


def check_inputs(spec: ImageModelSpec, training: ImageSet, validation: ImageSet) -> list[int]:
    """The training images' [height, width], after refusing what cannot be trained."""
    from modules.estimators.image_nets import smallest_side

    check_steps(training.transform, "training_dataset")
    check_steps(validation.transform, "validation_dataset")
    require_labels(training, "training_dataset")
    if len(training.classes) < 2:
        raise ModuleError(
            f"the training images have {len(training.classes)} class; a classifier needs at least 2",
            port="training_dataset",
        )
    if not validation.images:
        raise ModuleError("the image directory holds no images", port="validation_dataset")
    known = set(training.classes)
    for image in validation.images:
        if image.label is None or image.label not in known:
            what = "has no class" if image.label is None else f"has the class {image.label!r}, unknown in training"
            raise ModuleError(f"validation image {image.path!r} {what}", port="validation_dataset")
    size = image_size(training, "training_dataset", EVALUATION_SEED)
    least = smallest_side(spec.architecture)
    if min(size) < least:
        raise ModuleError(
            f"the training images are {size[1]}x{size[0]} pixels; {spec.name or spec.architecture} needs at least "
            f"{least}x{least}: resize them with Init Image Transformation and Apply Image Transformation",
            port="training_dataset",
        )
    if image_size(validation, "validation_dataset", EVALUATION_SEED) != size:
        other = image_size(validation, "validation_dataset", EVALUATION_SEED)
        raise ModuleError(
            f"the validation images are {other[1]}x{other[0]} pixels but the training images {size[1]}x{size[0]}; "
            "transform both the same way",
            port="validation_dataset",
        )
    return size


def batches(order: np.ndarray, size: int) -> list[list[int]]:
    """Consecutive batches of ``order``; a last batch of one image joins the one before (batch norm needs two)."""
    chunks = [[int(i) for i in order[s : s + size]] for s in range(0, len(order), size)]
    if len(chunks) > 1 and len(chunks[-1]) == 1:
        chunks[-2] += chunks.pop()
    return chunks


def train(
    spec: ImageModelSpec,
    training: ImageSet,
    validation: ImageSet,
    size: list[int],
    params: TrainPyTorchModel.Params,
    ctx: RunContext,
) -> FittedImageModel:
    import torch

    from modules.estimators.image_nets import build_network, fit_batch, to_numpy

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    index = {c: i for i, c in enumerate(training.classes)}
    labels = np.array([index[str(f.label)] for f in training.images], dtype="int64")
    net = build_network(spec.architecture, spec.config, len(training.classes), seed=params.random_seed).to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=params.learning_rate, momentum=0.9)
    ctx.log(f"training {spec.model_name} on {len(labels)} images of {size[1]}x{size[0]} pixels ({device.type})")
    curve: list[dict[str, Any]] = []
    best: dict[str, Any] = {"accuracy": -1.0, "weights": to_numpy(net), "epoch": 0}
    step, stale = 0, 0
    for epoch in range(params.epochs):
        rng = np.random.default_rng([params.random_seed, epoch])
        loss_sum, correct = 0.0, 0
        for chunk in batches(rng.permutation(len(labels)), params.batch_size):
            ctx.check_cancelled()
            if params.warmup_step_number:
                for group in optimizer.param_groups:
                    group["lr"] = params.learning_rate * min(1.0, (step + 1) / params.warmup_step_number)
            x = torch.from_numpy(batch(training, chunk, rng, "training_dataset", size)).to(device)
            y = torch.from_numpy(labels[chunk]).to(device)
            loss, hits = fit_batch(net, optimizer, x, y)
            loss_sum, correct, step = loss_sum + loss * len(chunk), correct + hits, step + 1
            if step % params.print_frequency == 0:
                ctx.log(f"epoch {epoch + 1}, batch {step}: loss {loss:.4f}")
        val_loss, val_accuracy = evaluate(net, validation, index, size, params.batch_size, device)
        point = {
            "epoch": epoch + 1,
            "train_loss": loss_sum / len(labels),
            "train_accuracy": correct / len(labels),
            "validation_loss": val_loss,
            "validation_accuracy": val_accuracy,
        }
        curve.append(point)
        message = ", ".join(f"{k.replace('_', ' ')} {v:.4f}" for k, v in point.items() if k != "epoch")
        ctx.log(f"epoch {epoch + 1}/{params.epochs}: {message}")
        ctx.progress((epoch + 1) / params.epochs, f"epoch {epoch + 1}: {message}")
        if val_accuracy > best["accuracy"]:
            best, stale = {"accuracy": val_accuracy, "weights": to_numpy(net), "epoch": epoch + 1}, 0
        else:
            stale += 1
            if stale >= params.patience:
                ctx.log(f"stopped early: no better validation accuracy for {stale} epochs")
                break
    return FittedImageModel(
        architecture=spec.architecture,
        model_name=spec.model_name,
        config=spec.config,
        classes=list(training.classes),
        weights=best["weights"],
        image_size=size,
        training={
            "curve": curve,
            "best_epoch": best["epoch"],
            "stopped_early": len(curve) < params.epochs,
            "device": device.type,
        },
        name=spec.name,
    )


def evaluate(
    net: Any, images: ImageSet, index: dict[str, int], size: list[int], batch_size: int, device: Any
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``net`` on labelled images (evaluation mode, no gradients)."""
    import torch

    rng = np.random.default_rng(EVALUATION_SEED)
    labels = np.array([index[str(f.label)] for f in images.images], dtype="int64")
    net.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            chunk = list(range(start, min(start + batch_size, len(labels))))
            x = torch.from_numpy(batch(images, chunk, rng, "validation_dataset", size)).to(device)
            y = torch.from_numpy(labels[chunk]).to(device)
            logits = net(x)
            loss_sum += float(torch.nn.functional.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
    return loss_sum / len(labels), correct / len(labels)
